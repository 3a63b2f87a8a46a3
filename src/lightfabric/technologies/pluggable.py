"""Pluggable modules at every port: with a DSP (``pluggable-dsp``), with the DSP on the transmit
path only (``lro``), or linear-drive (``lpo``)."""

from __future__ import annotations

from lightfabric.catalog import Catalog, PluggableModule, SwitchAsic
from lightfabric.physics import density
from lightfabric.physics.chains import LinkOptionError
from lightfabric.physics.linear import LINEAR_SIDES, linear_check
from lightfabric.technologies.base import (
    GroupEnds, GroupSpec, Infeasible, PortOptics, Technology, check_interop, fastest, fiber_for, module_optics,
    need_at, pluggable_boxes, select_module, trunks,
)


class Pluggable(Technology):
    """A module of this technology at each end; a NIC or GPU that cannot drive it keeps a DSP module."""

    def __init__(self, tech_id: str, label: str, linear: bool, colour: str, order: int):
        self.id, self.label, self.linear, self.colour, self.order = tech_id, label, linear, colour, order

    def repair_unit(self, tier_kind: str) -> str:
        return "fru-module"

    def chain_for(self, catalog: Catalog, lane_rate_gbps: float, part: str | None = None):
        if part is not None:
            raise LinkOptionError(f"--engine {part}: {self.id} modules carry their own lasers; --engine applies to "
                                  f"engine technologies")
        return self.id, None, None

    def density(self, catalog: Catalog) -> dict:
        """The faceplate: 32 cages per rack unit of this technology's fastest shipping module (and, as
        a ceiling, its fastest announced one); per box, the largest pluggable switch in the catalog."""
        now, top, note = fastest((m.rate_gbps, m) for m in catalog.of_kind(PluggableModule) if m.technology == self.id)
        out = density.faceplate(now, top, pluggable_boxes(catalog))
        return out if note is None else {**out, "note": note}

    def _check_host(self, device, spec: GroupSpec) -> bool:
        """Whether the device's SerDes may drive this technology's modules (LPO needs linear drive)."""
        return not self.linear or bool(getattr(device, "linear_drive", False))

    def _switch_end(self, catalog: Catalog, spec: GroupSpec, side: str) -> PortOptics:
        ep = spec.lower if side == "lower" else spec.upper
        sw = ep.device
        assert isinstance(sw, SwitchAsic)
        if self.id in LINEAR_SIDES:
            # the physics first: the host channels the linear path leaves to the SerDes
            host = linear_check(catalog, self.id, ep.port.lane_rate_gbps)
            if not host["feasible"]:
                raise Infeasible(host["reason"])
        if not self._check_host(sw, spec):
            lanes = ep.port.lane_rate_gbps
            run = "" if lanes == sw.serdes_lane_rate_gbps else f", here run at {lanes:g}G"
            raise Infeasible(f"{sw.id}: its vendor does not qualify its {sw.serdes_lane_rate_gbps:g}G SerDes{run} to "
                             f"drive linear (LPO) optics (catalog field linear_drive: false), though the host channel "
                             f"fits the linear budget")
        need = need_at(spec, side)
        return module_optics(select_module(catalog, self.id, need), need)

    def _host_end(self, catalog: Catalog, spec: GroupSpec, side: str, far: PortOptics | None,
                  notes: list[str]) -> PortOptics:
        """A NIC's or a chip's end: this technology's module if the host may drive it, else a DSP module."""
        ep = spec.lower if side == "lower" else spec.upper
        if ep.kind == "gpu" and not getattr(ep.device, "ici_cages", False):
            raise Infeasible(f"{ep.device.id} has no cages for pluggable modules at its {spec.name} links")
        need = need_at(spec, side)
        tech = self.id if self._check_host(ep.device, spec) else "pluggable-dsp"
        module = select_module(catalog, tech, need, exact_lane_rate=False, far=far, end=ep.kind.upper())
        if tech != self.id:
            note = (f"{ep.device.id} is not qualified to drive linear optics: its end of each {spec.name} link keeps "
                    f"a DSP module ({module.id})")
            if note not in notes:
                notes.append(note)
        return module_optics(module, need)

    def ends(self, catalog: Catalog, spec: GroupSpec) -> GroupEnds:
        notes: list[str] = []
        if spec.upper_is_ocs:
            upper = None
        elif spec.upper.kind == "switch":
            upper = self._switch_end(catalog, spec, "upper")
        else:
            upper = self._host_end(catalog, spec, "upper", None, notes)
        if spec.lower.kind == "switch":
            lower = self._switch_end(catalog, spec, "lower")
        else:
            lower = self._host_end(catalog, spec, "lower", upper, notes)
        check_interop(spec, lower, upper)
        medium = fiber_for(catalog, upper or lower)
        return GroupEnds(lower, upper, medium, trunks(spec, lower, medium), tuple(notes))


# Okabe-Ito colours, readable by colour-blind people; one per technology across all figures.
REGISTERED = (
    Pluggable("pluggable-dsp", "Pluggable (DSP)", linear=False, colour="#0072B2", order=10),
    Pluggable("lro", "Linear receive (LRO)", linear=False, colour="#56B4E9", order=20),
    Pluggable("lpo", "Linear pluggable (LPO)", linear=True, colour="#009E73", order=30),
)
