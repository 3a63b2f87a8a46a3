"""The plain data of a design, shared by the code that builds it (:mod:`lightfabric.design`) and the
code that sums it (:mod:`lightfabric.metrics`, reliability, economics): neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field

from lightfabric.catalog import CopperCable, FiberCable
from lightfabric.placement import LengthStats
from lightfabric.technologies import GroupSpec, PortOptics


@dataclass(frozen=True)
class LinkGroup:
    """Links of one group with one technology: the optics at each end and the medium."""

    name: str
    technology: str
    chosen_by: str                     # policy, list, auto, incumbent
    links: int
    rate_gbps: float
    lengths: LengthStats
    lower_end: PortOptics
    upper_end: PortOptics | None       # None where the upper side is an optical circuit switch
    upper_end_count: int
    medium: FiberCable | CopperCable
    cables: int
    spec: GroupSpec

    @property
    def length_m(self) -> float:
        return self.lengths.max_m


@dataclass(frozen=True)
class BomLine:
    """``count`` of one part, with the power and price of one, split into categories."""

    part_id: str
    role: str
    count: float
    power_w_each: dict[str, float]
    cost_usd_each: dict[str, float]
    tier: str | None = None            # the device tier a part sits on (engines and laser sources)


@dataclass
class Design:
    """One design of a scenario: a technology for every link group, its checks and its bill of materials."""

    technology: str                    # the design's id: a technology, a spine design ("ocs") or "policy"
    feasible: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: object = None                # lightfabric.design.plan.FabricPlan
    link_groups: list[LinkGroup] = field(default_factory=list)
    bom: list[BomLine] = field(default_factory=list)
    switch_port: PortOptics | None = None
    link_checks: list[dict] = field(default_factory=list)
    policy: dict = field(default_factory=dict)
    ocs: dict | None = None

    @property
    def fabric(self):
        """The topology's fabric (:class:`lightfabric.topology.base.Fabric`)."""
        return self.plan.fabric

    def port_optics_at(self, tier: str, part_id: str) -> list[PortOptics]:
        """The optics of ``part_id`` at the ports of ``tier``'s devices, one per link group that ends there."""
        out = []
        for g in self.link_groups:
            for optics, t in ((g.lower_end, g.spec.lower.tier), (g.upper_end, g.spec.upper.tier)):
                if optics is not None and t == tier and optics.part_id == part_id:
                    out.append(optics)
        return out

    def device_part(self, tier: str):
        """The catalog part of ``tier``'s devices (a switch, NIC or GPU), or None if no link group ends there."""
        for g in self.link_groups:
            for ep in (g.spec.lower, g.spec.upper):
                if ep.tier == tier:
                    return ep.device
        return None

    def devices(self) -> dict[str, int]:
        """Devices per tier as built: an OCS spine's tier is replaced by its optical circuit switches."""
        out = self.plan.fabric.devices()
        if self.ocs is not None:
            out.pop(self.ocs["replaced_tier"])
        return out


def medium_price_usd(medium: FiberCable | CopperCable, mean_length_m: float) -> float:
    """One fiber trunk of the group's mean length, or one copper cable (USD)."""
    if isinstance(medium, FiberCable):
        return medium.price_usd_fixed + medium.price_usd_per_m * mean_length_m
    return medium.price_usd
