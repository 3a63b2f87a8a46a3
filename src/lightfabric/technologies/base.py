"""What a technology puts at each end of a link group, and the rules every technology shares.

A link group (:class:`GroupSpec`) joins a lower device (GPU, NIC or switch) to an upper one (a
switch, or an optical circuit switch that needs no optics of its own). A technology answers
``ends(catalog, spec)``: the optics or cable end at each side (:class:`PortOptics`) and the
medium between them (a fiber trunk or a copper cable), or raises :class:`Infeasible` saying why.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from math import ceil

from lightfabric.catalog import Catalog, CopperCable, FiberCable, PluggableModule, PortConfig


class Infeasible(Exception):
    """A technology cannot serve a link group; the message says why, in the user's terms."""


@dataclass(frozen=True)
class PortOptics:
    """The optics (or cable end) at one end of a link.

    ``power_w``, ``lasers`` and ``cost_usd`` are for this one end. ``parts_per_end`` is the share
    of the part one end takes: 1 for a module per port, 1/2 for a module that serves two ports,
    the port's share of an engine for co-packaged optics. ``laser_power_w`` is the part of
    ``power_w`` drawn by external lasers.
    """

    kind: str                      # module, cpo, npo, oio, cable
    part_id: str
    rate_gbps: float
    interface: str                 # DR, FR, SR, or "copper"
    optical_lane_rate_gbps: float
    reach_m: float
    power_w: float
    laser_power_w: float
    lasers: float
    cost_usd: float
    breakout: int = 1
    parts_per_end: float = 1.0
    fibers: int = 0                # fibers at this end (0 for copper)

    @property
    def optical_lanes(self) -> int:
        return round(self.rate_gbps / self.optical_lane_rate_gbps)

    @property
    def fiber_pairs(self) -> int:
        """Duplex fiber pairs: one per lane for parallel optics, one per 4 lanes for CWDM (FR)."""
        return max(1, self.fibers // 2)

    def talks_to(self, other: "PortOptics | PluggableModule") -> bool:
        """Same PMD family and optical lane rate: the two ends interoperate over the fiber."""
        return (self.interface == other.interface
                and self.optical_lane_rate_gbps == other.optical_lane_rate_gbps)


def check_interop(spec: "GroupSpec", lower: PortOptics, upper: PortOptics | None) -> None:
    """Raise :class:`Infeasible` if the two ends of a link do not speak the same optics."""
    if upper is not None and not lower.talks_to(upper):
        raise Infeasible(f"{spec.name}: {lower.part_id} ({lower.interface}) and {upper.part_id} "
                         f"({upper.interface}) do not interoperate")


def module_fibers(m: PluggableModule) -> int:
    if m.fibers:
        return m.fibers
    per_fiber = 4 if m.interface == "FR" else 1
    return 2 * max(1, m.optical_lanes // per_fiber)


@dataclass(frozen=True)
class Endpoint:
    """One side of a link group: what device, how many of them, and its port."""

    kind: str                      # gpu, nic, switch, ocs
    tier: str                      # gpu, nic, leaf, spine, core, su-l1, su-l2, ocs
    device: object
    devices: int
    port: PortConfig | None        # the port the link uses at this side (rate each way, lanes)


@dataclass(frozen=True)
class GroupSpec:
    """A link group before a technology is chosen for it."""

    name: str                      # scale-up, scale-up-spine, host-leaf, leaf-spine, spine-core
    policy_key: str                # scale_up, nic_leaf, leaf_spine, spine_core
    links: int
    rate_gbps: float               # each way, one link
    lengths: object                # placement.LengthStats
    lower: Endpoint
    upper: Endpoint
    upper_ends: int                # optics at the upper side (fewer than links with breakout)
    breakout: int = 1
    ocs_passes: int = 0
    shuffles: int = 0              # fiber shuffle passes

    @property
    def length_m(self) -> float:
        """The longest link: the one every technology of the group must reach."""
        return self.lengths.max_m

    @property
    def upper_is_ocs(self) -> bool:
        return self.upper.kind == "ocs"


@dataclass(frozen=True)
class GroupEnds:
    lower: PortOptics
    upper: PortOptics | None       # None where the upper side is an optical circuit switch
    medium: FiberCable | CopperCable
    cables: int                    # trunks or copper cables in the group
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkNeed:
    """What one end must offer: rate, host lanes, reach and breakout."""

    rate_gbps: float
    lane_rate_gbps: float          # host SerDes lane rate at this end
    length_m: float
    breakout: int = 1
    group: str = ""
    gang: bool = False             # a module may serve several ports of this rate (scale-up)


def module_optics(m: PluggableModule, need: LinkNeed | None = None) -> PortOptics:
    ports = 1
    if need is not None and need.gang and m.rate_gbps > need.rate_gbps:
        ports = int(m.rate_gbps // need.rate_gbps)
    share = 1.0 / ports
    return PortOptics(kind="module", part_id=m.id, rate_gbps=m.rate_gbps * share, interface=m.interface,
                      optical_lane_rate_gbps=m.optical_lane_rate_gbps, reach_m=m.reach_m,
                      power_w=m.power_w * share, laser_power_w=0.0, lasers=m.lasers * share,
                      cost_usd=m.price_usd * share, breakout=m.breakout, parts_per_end=share,
                      fibers=max(2, round(module_fibers(m) * share)))


def select_module(catalog: Catalog, technology: str, need: LinkNeed, *, exact_lane_rate: bool = True,
                  far: PortOptics | None = None, end: str = "switch") -> PluggableModule:
    """The cheapest module of ``technology`` that meets ``need`` (then the lowest power).

    ``exact_lane_rate``: a switch port's lanes are fixed by its port configuration; a NIC's SerDes
    are taken to run any lane rate up to their top rate (200G SerDes also run 100G PAM4).
    ``need.gang``: a module of a whole multiple of the port rate may serve several ports.
    Raises :class:`Infeasible` naming the first requirement no module meets.
    """
    candidates = [m for m in catalog.of_kind(PluggableModule) if m.technology == technology]
    if need.gang:
        rate_step = (f"at a multiple of {need.rate_gbps:g}G",
                     lambda m: m.rate_gbps >= need.rate_gbps and (m.rate_gbps / need.rate_gbps).is_integer())
    else:
        rate_step = (f"at {need.rate_gbps:g}G", lambda m: m.rate_gbps == need.rate_gbps)
    steps = [
        rate_step,
        (f"with {need.lane_rate_gbps:g}G host lanes" if exact_lane_rate
         else f"with host lanes of at most {need.lane_rate_gbps:g}G",
         (lambda m: m.host_lane_rate_gbps == need.lane_rate_gbps) if exact_lane_rate
         else (lambda m: m.host_lane_rate_gbps <= need.lane_rate_gbps)),
    ]
    if far is not None:
        steps.append((f"whose optics talk to {far.part_id} ({far.interface}, "
                      f"{far.optical_lane_rate_gbps:g}G per lane)", lambda m: far.talks_to(m)))
    if need.breakout > 1:
        steps.append((f"that breaks out to {need.breakout} ports", lambda m: m.breakout >= need.breakout))
    steps.append((f"reaching {need.length_m:g} m", lambda m: m.reach_m >= need.length_m))

    pool = candidates
    for label, keep in steps:
        kept = [m for m in pool if keep(m)]
        if not kept:
            have = ", ".join(f"{m.id} ({m.rate_gbps:g}G, {m.host_lanes}x{m.host_lane_rate_gbps:g}G, "
                             f"{m.reach_m:g} m)" for m in pool) or "none"
            where = f" for the {end} end of {need.group} links" if need.group else ""
            raise Infeasible(f"no {technology} module {label}{where}; candidates: {have}")
        pool = kept
    return min(pool, key=lambda m: (m.price_usd * (need.rate_gbps / m.rate_gbps if need.gang else 1), m.power_w, m.id))


def fiber_for(catalog: Catalog, optics: PortOptics) -> FiberCable:
    medium = "mmf" if optics.interface == "SR" else "smf"
    fibers = max(optics.fibers, 2)
    cables = [f for f in catalog.of_kind(FiberCable) if f.medium == medium and f.fibers >= fibers]
    if not cables:
        raise Infeasible(f"no {medium} fiber cable in the catalog carries {fibers} fibers")
    return min(cables, key=lambda f: (f.price_usd_per_m, f.price_usd_fixed, f.id))


def trunks(spec: GroupSpec, lower: PortOptics, medium: FiberCable) -> int:
    """Fiber trunks of a group: one per link (per leaf port with breakout); scale-up links that
    share a module share its trunk."""
    if spec.breakout > 1:
        return spec.upper_ends
    if spec.name.startswith("scale-up") and lower.parts_per_end < 1:
        return ceil(spec.links * lower.parts_per_end - 1e-9)
    return spec.links


def need_at(spec: GroupSpec, side: str) -> LinkNeed:
    """The need of one side's port: its rate and lanes, the group's longest link and breakout."""
    ep = spec.lower if side == "lower" else spec.upper
    port = ep.port
    gang = spec.name.startswith("scale-up")
    return LinkNeed(rate_gbps=port.rate_gbps, lane_rate_gbps=port.lane_rate_gbps, length_m=spec.length_m,
                    breakout=spec.breakout if side == "upper" else 1, group=spec.name, gang=gang)


class Technology(ABC):
    """How links are built with one interconnect technology."""

    id: str = ""
    label: str = ""
    optical: bool = True

    @abstractmethod
    def ends(self, catalog: Catalog, spec: GroupSpec) -> GroupEnds:
        """The two ends and the medium of ``spec``'s links (raise :class:`Infeasible` if none)."""

    def optical_groups_only(self, spec: GroupSpec) -> None:
        if spec.upper_is_ocs and not self.optical:
            raise Infeasible(f"{spec.name} links run through an optical circuit switch; {self.id} is not optical")
