"""Copper: a cable between the two ports, no optics. The cheapest cable that reaches the group's
longest link: passive DAC, linear active (ACC), retimed active (AEC), co-packaged copper (CPC) or,
inside a scale-up rack, the NVLink copper spine. Passive cables are also held to the channel-loss
model of :func:`lightfabric.physics.chains.copper_link`."""

from __future__ import annotations

from math import ceil

from lightfabric.catalog import Catalog, CopperCable
from lightfabric.physics import density
from lightfabric.physics.chains import DESIGN_MARGIN_DB, LinkOptionError, copper_link
from lightfabric.technologies.base import (
    GroupEnds, GroupSpec, Infeasible, PortOptics, Technology, fastest, pluggable_boxes,
)

SIGNALLING_GBPS = {100.0: 112.0, 200.0: 224.0, 400.0: 448.0}
PASSIVE = ("dac", "cpc", "spine")


def cable_end(cable: CopperCable, ports: int) -> PortOptics:
    return PortOptics(kind="cable", part_id=cable.id, rate_gbps=cable.rate_gbps / ports, interface="copper",
                      optical_lane_rate_gbps=cable.lane_rate_gbps, reach_m=cable.reach_m,
                      power_w=cable.power_w_per_end / ports, laser_power_w=0.0, lasers=0.0, cost_usd=0.0,
                      parts_per_end=1.0 / ports)


def passive_channel_reason(catalog: Catalog, cable: CopperCable, length_m: float) -> str | None:
    """None if the passive channel closes at ``length_m``, else the reason."""
    twinax = f"twinax-{cable.gauge_awg:g}awg" if cable.gauge_awg else None
    if twinax is None or twinax not in catalog:
        return None
    link = copper_link(catalog, length_m, SIGNALLING_GBPS.get(cable.lane_rate_gbps, cable.lane_rate_gbps),
                       cable=twinax, co_packaged=cable.variant == "cpc")
    return None if link.feasible else link.reasons[0]


class Copper(Technology):
    id = "copper"
    label = "Copper (DAC/ACC/AEC/CPC)"
    colour = "#E69F00"
    optical = False
    scale_up_port = True
    order = 70

    def repair_unit(self, tier_kind: str) -> str:
        return "fru-cable"

    def density(self, catalog: Catalog) -> dict:
        """The faceplate: 32 cages per rack unit of the fastest cable (DAC, ACC or AEC)."""
        now, top, note = fastest((c.rate_gbps, c) for c in catalog.of_kind(CopperCable) if c.variant in ("dac", "acc", "aec"))
        out = density.faceplate(now, top, pluggable_boxes(catalog))
        return out if note is None else {**out, "note": note}

    def link_budget(self, catalog: Catalog, length_m: float, lane_rate_gbps: float, *, part: str | None = None,
                    modulation: str = "pam4", laser_power_mw: float | None = None, lanes_per_laser: int | None = None,
                    ocs_passes: int = 0, design_margin_db: float = DESIGN_MARGIN_DB, cable: str | None = None):
        """The die-to-die channel of a passive copper link against the SerDes budget."""
        for option, value, default in (("--laser-power-mw", laser_power_mw, None), ("--lanes-per-laser", lanes_per_laser, None),
                                       ("--ocs-passes", ocs_passes, 0), ("--design-margin-db", design_margin_db, DESIGN_MARGIN_DB),
                                       ("--engine", part, None)):
            if value != default:
                raise LinkOptionError(f"{option} {value}: not given with --technology copper (copper links have no "
                                      f"lasers or optics)")
        return copper_link(catalog, length_m, lane_rate_gbps, cable=cable or "twinax-26awg", modulation=modulation)

    def check(self, catalog: Catalog, physical, spec: GroupSpec, ends: GroupEnds) -> dict:
        """Copper groups were held to their cable's reach and, for passive cables, the channel-loss
        model when the cable was chosen; the check records the figures."""
        c = ends.medium
        return {"group": spec.name, "links": spec.links, "length_m": round(spec.length_m, 2),
                "mean_length_m": round(spec.lengths.mean_m, 2), "lane_rate_gbps": c.lane_rate_gbps, "part": c.id,
                "medium": c.id, "variant": c.variant, "reach_m": c.reach_m, "margin_db": None, "checked": True,
                "feasible": True, "reasons": []}

    def ends(self, catalog: Catalog, spec: GroupSpec) -> GroupEnds:
        self.optical_groups_only(spec)
        up, low = spec.upper.port, spec.lower.port
        gang = spec.scale_up
        rejected: list[str] = []
        options: list[tuple[float, CopperCable, int]] = []
        cables = catalog.of_kind(CopperCable)
        if not any(c.lane_rate_gbps == up.lane_rate_gbps for c in cables):
            raise Infeasible(f"no copper cable in the catalog runs {up.lane_rate_gbps:g}G lanes")
        for c in cables:
            if c.lane_rate_gbps != up.lane_rate_gbps:
                continue
            if c.variant == "spine" and (not gang or spec.upper.kind != "switch"):
                continue            # the NVLink spine cartridge joins GPUs to scale-up switches only
            if c.rate_gbps == up.rate_gbps:
                ports = 1
            elif gang and c.rate_gbps > up.rate_gbps and (c.rate_gbps / up.rate_gbps).is_integer():
                ports = int(c.rate_gbps // up.rate_gbps)
            else:
                rejected.append(f"{c.id} runs {c.rate_gbps:g}G, not {up.rate_gbps:g}G ports")
                continue
            if spec.breakout > 1 and c.breakout < spec.breakout:
                continue
            if spec.lower.kind == "nic" and low.lane_rate_gbps != c.lane_rate_gbps and c.variant != "aec":
                rejected.append(f"{c.id}: a {c.variant} cannot convert the NIC's {low.lane_rate_gbps:g}G lanes "
                                f"to {c.lane_rate_gbps:g}G")
                continue
            if spec.length_m > c.reach_m:
                rejected.append(f"{c.id} reaches {c.reach_m:g} m")
                continue
            if c.variant in PASSIVE:
                why = passive_channel_reason(catalog, c, spec.length_m)
                if why:
                    rejected.append(why)
                    continue
            options.append((c.price_usd / ports / max(spec.breakout, 1), c, ports))
        if not options:
            raise Infeasible(f"no copper cable reaches the {spec.name} links' {spec.length_m:.2f} m at "
                             f"{up.rate_gbps:g}G ({up.lane_rate_gbps:g}G per lane): " + "; ".join(rejected))
        _, cable, ports = min(options, key=lambda o: (o[0], o[1].power_w_per_end, o[1].id))
        ends_ = cable_end(cable, ports)
        if spec.breakout > 1:
            cables = spec.upper_ends
        else:
            cables = ceil(spec.links / ports)
        return GroupEnds(ends_, None if spec.upper_is_ocs else ends_, cable, cables)


REGISTERED = (Copper(),)
