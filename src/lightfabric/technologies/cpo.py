"""Co-packaged optics: every switch port through an optical engine on the switch package, fed by
external laser sources (ELS). A NIC end stays pluggable (the NIC is not co-packaged)."""

from __future__ import annotations

from math import ceil

from lightfabric.catalog import Catalog, ExternalLaserSource, Nic, OpticalEngine, PortConfig, SwitchAsic
from lightfabric.technologies.base import Infeasible, LinkNeed, PortOptics, Technology, module_optics, select_module


def engine_for(catalog: Catalog, switch: SwitchAsic, port: PortConfig) -> OpticalEngine:
    """The optical engine co-packaged with ``switch`` whose lanes match the port's lanes."""
    engines = [e for e in catalog.of_kind(OpticalEngine) if switch.id in e.hosts]
    if not engines:
        known = ", ".join(f"{e.id} (for {', '.join(e.hosts)})" for e in catalog.of_kind(OpticalEngine))
        raise Infeasible(f"no co-packaged optical engine in the catalog for switch {switch.id}; known engines: {known}")
    matching = [e for e in engines if e.lane_rate_gbps == port.lane_rate_gbps]
    if not matching:
        raise Infeasible(f"the engines for {switch.id} ({', '.join(e.id for e in engines)}) run "
                         f"{engines[0].lane_rate_gbps:g}G lanes; its {port.rate_gbps:g}G ports use "
                         f"{port.lane_rate_gbps:g}G lanes")
    return min(matching, key=lambda e: (e.price_usd / e.capacity_gbps, e.id))


class CoPackagedOptics(Technology):
    id = "cpo"
    label = "Co-packaged (CPO)"

    def switch_end(self, catalog: Catalog, switch: SwitchAsic, port: PortConfig, need: LinkNeed) -> PortOptics:
        engine = engine_for(catalog, switch, port)
        els = catalog.get(engine.laser_source, kind="laser-source")
        assert isinstance(els, ExternalLaserSource)
        lanes = port.rate_gbps / engine.lane_rate_gbps
        share = port.rate_gbps / engine.capacity_gbps
        lasers = lanes / engine.lanes_per_laser
        laser_w = lasers * els.power_w / els.lasers
        if need.breakout > lanes:
            raise Infeasible(f"a {port.rate_gbps:g}G CPO port has {lanes:g} lanes and cannot break out to "
                             f"{need.breakout} NIC ports")
        if need.length_m > engine.reach_m:
            raise Infeasible(f"{need.group} links are {need.length_m:g} m; {engine.id} reaches {engine.reach_m:g} m")
        return PortOptics(kind="cpo", part_id=engine.id, rate_gbps=port.rate_gbps, interface=engine.interface,
                          optical_lane_rate_gbps=engine.lane_rate_gbps, reach_m=engine.reach_m,
                          power_w=share * engine.power_w + laser_w, laser_power_w=laser_w, lasers=lasers,
                          cost_usd=share * engine.price_usd + lasers * els.price_usd / els.lasers,
                          breakout=int(lanes))

    def nic_end(self, catalog: Catalog, nic: Nic, need: LinkNeed, far: PortOptics) -> tuple[PortOptics, str | None]:
        module = select_module(catalog, "pluggable-dsp", need, exact_lane_rate=False, far=far, end="NIC")
        return module_optics(module), None

    def per_switch_parts(self, catalog: Catalog, switch: SwitchAsic, port: PortConfig) -> dict[str, int]:
        """All engines and laser sources of a switch: a CPO switch is built with every port's optics."""
        engine = engine_for(catalog, switch, port)
        els = catalog.get(engine.laser_source, kind="laser-source")
        engines = ceil(switch.capacity_gbps / engine.capacity_gbps - 1e-9)
        lasers = ceil(switch.serdes_lanes * switch.serdes_lane_rate_gbps / engine.lane_rate_gbps
                      / engine.lanes_per_laser - 1e-9)
        return {engine.id: engines, els.id: ceil(lasers / els.lasers - 1e-9)}
