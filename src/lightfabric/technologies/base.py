"""What a technology puts at each end of a link, and the rules every technology shares.

A technology answers two questions for a link group:

* ``switch_end``: the optics behind one switch port at the port rate (a pluggable module, or a
  share of a co-packaged optical engine and its external lasers);
* ``nic_end``: the optics in the NIC's cage that talks to that switch end.

It also says what a whole switch carries whatever its ports do (``per_switch_parts``): a CPO
switch is sold with all its engines and lasers, used or not.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from lightfabric.catalog import Catalog, Nic, PluggableModule, PortConfig, SwitchAsic


class Infeasible(Exception):
    """A technology cannot serve a link; the message says why, in the user's terms."""


@dataclass(frozen=True)
class PortOptics:
    """The optics at one end of a link.

    ``power_w``, ``lasers`` and ``cost_usd`` are for this one end. For a co-packaged port they are
    the port's share of its engine and of the external laser source (so ``lasers`` can be
    fractional); ``laser_power_w`` is the part of ``power_w`` drawn by external lasers.
    """

    kind: str                      # "module" or "cpo"
    part_id: str                   # module id, or engine id for cpo
    rate_gbps: float
    interface: str                 # IEEE PMD family: DR, FR, SR
    optical_lane_rate_gbps: float
    reach_m: float
    power_w: float
    laser_power_w: float
    lasers: float
    cost_usd: float
    breakout: int = 1              # far ends one of these can serve

    @property
    def optical_lanes(self) -> int:
        return round(self.rate_gbps / self.optical_lane_rate_gbps)

    def talks_to(self, other: "PortOptics | PluggableModule") -> bool:
        """Same PMD family and optical lane rate: the two ends interoperate over the fiber."""
        return (self.interface == other.interface
                and self.optical_lane_rate_gbps == other.optical_lane_rate_gbps)


@dataclass(frozen=True)
class LinkNeed:
    """What one end must offer: rate, host lanes, reach and breakout."""

    rate_gbps: float
    lane_rate_gbps: float          # host SerDes lane rate at this end
    length_m: float
    breakout: int = 1
    group: str = ""                # link group name, for messages


def module_optics(m: PluggableModule) -> PortOptics:
    return PortOptics(kind="module", part_id=m.id, rate_gbps=m.rate_gbps, interface=m.interface,
                      optical_lane_rate_gbps=m.optical_lane_rate_gbps, reach_m=m.reach_m,
                      power_w=m.power_w, laser_power_w=0.0, lasers=float(m.lasers),
                      cost_usd=m.price_usd, breakout=m.breakout)


def select_module(catalog: Catalog, technology: str, need: LinkNeed, *, exact_lane_rate: bool = True,
                  far: PortOptics | None = None, end: str = "switch") -> PluggableModule:
    """The cheapest module of ``technology`` that meets ``need`` (then the lowest power).

    ``exact_lane_rate``: a switch port's lanes are fixed by its port configuration; a NIC's SerDes
    are taken to run any lane rate up to their top rate (200G SerDes also run 100G PAM4).
    Raises :class:`Infeasible` naming the first requirement no module meets.
    """
    candidates = [m for m in catalog.of_kind(PluggableModule) if m.technology == technology]
    steps = [
        (f"at {need.rate_gbps:g}G", lambda m: m.rate_gbps == need.rate_gbps),
        (f"with {need.rate_gbps / need.lane_rate_gbps:g} x {need.lane_rate_gbps:g}G host lanes"
         if exact_lane_rate else f"with host lanes of at most {need.lane_rate_gbps:g}G",
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
    return min(pool, key=lambda m: (m.price_usd, m.power_w, m.id))


class Technology(ABC):
    """How links are built with one interconnect technology."""

    id: str = ""
    label: str = ""

    @abstractmethod
    def switch_end(self, catalog: Catalog, switch: SwitchAsic, port: PortConfig, need: LinkNeed) -> PortOptics:
        """The optics behind one switch port (raise :class:`Infeasible` if none)."""

    @abstractmethod
    def nic_end(self, catalog: Catalog, nic: Nic, need: LinkNeed, far: PortOptics) -> tuple[PortOptics, str | None]:
        """The optics in the NIC's cage facing ``far``, and a note if a fallback was used."""

    def per_switch_parts(self, catalog: Catalog, switch: SwitchAsic, port: PortConfig) -> dict[str, int]:
        """Parts every switch carries whatever its ports do (none for pluggable technologies)."""
        return {}

    def check_switch(self, switch: SwitchAsic) -> None:
        """Raise :class:`Infeasible` if this switch cannot be built with the technology."""
