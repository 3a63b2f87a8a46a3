"""Pluggable modules at every port: with a DSP (``pluggable-dsp``), with the DSP on the transmit
path only (``lro``), or linear-drive (``lpo``)."""

from __future__ import annotations

from lightfabric.catalog import Catalog, SwitchAsic
from lightfabric.technologies.base import (
    GroupEnds, GroupSpec, Infeasible, PortOptics, Technology, check_interop, fiber_for, module_optics, need_at,
    select_module, trunks,
)


class Pluggable(Technology):
    """A module of this technology at each end; a NIC or GPU that cannot drive it keeps a DSP module."""

    def __init__(self, tech_id: str, label: str, linear: bool):
        self.id, self.label, self.linear = tech_id, label, linear

    def _check_host(self, device, spec: GroupSpec) -> bool:
        """Whether the device's SerDes may drive this technology's modules (LPO needs linear drive)."""
        return not self.linear or bool(getattr(device, "linear_drive", False))

    def _switch_end(self, catalog: Catalog, spec: GroupSpec, side: str) -> PortOptics:
        ep = spec.lower if side == "lower" else spec.upper
        sw = ep.device
        assert isinstance(sw, SwitchAsic)
        if not self._check_host(sw, spec):
            raise Infeasible(f"{sw.id}: its {sw.serdes_lane_rate_gbps:g}G SerDes are not qualified to drive "
                             f"linear (LPO) optics (catalog field linear_drive: false)")
        need = need_at(spec, side)
        return module_optics(select_module(catalog, self.id, need), need)

    def ends(self, catalog: Catalog, spec: GroupSpec) -> GroupEnds:
        notes: list[str] = []
        upper = None if spec.upper_is_ocs else self._switch_end(catalog, spec, "upper")
        if spec.lower.kind == "switch":
            lower = self._switch_end(catalog, spec, "lower")
        else:
            need = need_at(spec, "lower")
            tech = self.id if self._check_host(spec.lower.device, spec) else "pluggable-dsp"
            module = select_module(catalog, tech, need, exact_lane_rate=False, far=upper,
                                   end=spec.lower.kind.upper())
            lower = module_optics(module, need)
            if tech != self.id:
                notes.append(f"{spec.lower.device.id} is not qualified to drive linear optics: its end of each "
                             f"{spec.name} link keeps a DSP module ({module.id})")
        check_interop(spec, lower, upper)
        medium = fiber_for(catalog, upper or lower)
        return GroupEnds(lower, upper, medium, trunks(spec, lower, medium), tuple(notes))
