"""Pluggable modules at every switch port: with a DSP (``pluggable-dsp``) or linear-drive (``lpo``)."""

from __future__ import annotations

from lightfabric.catalog import Catalog, Nic, PortConfig, SwitchAsic
from lightfabric.technologies.base import (
    Infeasible, LinkNeed, PortOptics, Technology, module_optics, select_module,
)


class PluggableDsp(Technology):
    """A module with a DSP (retimer) at each end of each link; the DSP makes any host SerDes work."""

    id = "pluggable-dsp"
    label = "Pluggable (DSP)"

    def switch_end(self, catalog: Catalog, switch: SwitchAsic, port: PortConfig, need: LinkNeed) -> PortOptics:
        return module_optics(select_module(catalog, self.id, need))

    def nic_end(self, catalog: Catalog, nic: Nic, need: LinkNeed, far: PortOptics) -> tuple[PortOptics, str | None]:
        module = select_module(catalog, "pluggable-dsp", need, exact_lane_rate=False, far=far, end="NIC")
        return module_optics(module), None


class LinearPluggable(Technology):
    """Linear-drive modules (no DSP): the host SerDes must be qualified to drive them.

    The LPO MSA (100G-DR-LPO) defines 100 Gb/s-per-lane linear optics to 500 m with the host's
    RS(544,514) FEC; no 200 Gb/s-per-lane LPO is published, so the module's host lanes must equal
    the switch's lanes and the switch must be marked ``linear_drive``. A NIC whose SerDes are not
    qualified keeps a DSP module at its end (the optics interoperate over the fiber).
    """

    id = "lpo"
    label = "Linear pluggable (LPO)"

    def check_switch(self, switch: SwitchAsic) -> None:
        if not switch.linear_drive:
            raise Infeasible(f"{switch.id}: its {switch.serdes_lane_rate_gbps:g}G SerDes are not qualified to "
                             f"drive linear (LPO) optics (catalog field linear_drive: false)")

    def switch_end(self, catalog: Catalog, switch: SwitchAsic, port: PortConfig, need: LinkNeed) -> PortOptics:
        self.check_switch(switch)
        return module_optics(select_module(catalog, self.id, need))

    def nic_end(self, catalog: Catalog, nic: Nic, need: LinkNeed, far: PortOptics) -> tuple[PortOptics, str | None]:
        if nic.linear_drive:
            module = select_module(catalog, "lpo", need, exact_lane_rate=False, far=far, end="NIC")
            return module_optics(module), None
        module = select_module(catalog, "pluggable-dsp", need, exact_lane_rate=False, far=far, end="NIC")
        return module_optics(module), (f"{nic.id} is not qualified to drive linear optics: its end of each "
                                       f"{need.group} link keeps a DSP module ({module.id})")
