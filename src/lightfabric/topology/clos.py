"""Folded Clos trees (fat-trees) of 1, 2 and 3 tiers, in counts: what the fat-tree, rail-optimized
and rail-only topologies are built of.

A tree is described by numbers, not graph objects, so a million-GPU cluster costs the same
microseconds as a thousand-GPU one.

Construction (k = switch radix at the port rate, o = leaf oversubscription):

* leaf: ``d = round(k * o / (1 + o))`` ports down to hosts and ``u = k - d`` up, so d:u ~ o;
* 1 tier: one switch, at most ``k`` host ports;
* 2 tiers: ``L = ceil(E / d)`` leaves, each with ``u`` uplinks, on ``S = ceil(L * u / k)`` spines;
  every leaf reaches every spine, so ``S <= u`` and ``L <= k``: at most ``k * d`` host ports;
* 3 tiers: pods of at most ``k / 2`` leaves and ``u`` spines; spines split k/2 down, k/2 up
  (non-blocking above the leaf); each core reaches every pod, so at most ``k`` pods and
  ``k * (k / 2) * d`` host ports. Spine uplinks equal the spine downlinks in use, on
  ``ceil(L * u / k)`` cores.

For k = 64, o = 1 the full 3-tier tree has k^3 / 4 = 65,536 hosts and 5 k^2 / 4 = 5,120 switches
(Al-Fares, Loukissas and Vahdat, "A scalable, commodity data center network architecture",
SIGCOMM 2008).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, floor

from lightfabric.errors import TopologyError

MAX_TIERS = 3


@dataclass(frozen=True)
class LeafSplit:
    """How a leaf's ports divide between hosts (down) and spines (up)."""

    down: int
    up: int

    @property
    def oversubscription(self) -> float:
        return self.down / self.up if self.up else float("inf")


@dataclass(frozen=True)
class FatTree:
    """Counts of one fat-tree. Host ports are leaf downlink ports in use."""

    tiers: int
    radix: int
    host_ports: int
    leaf_split: LeafSplit
    switches_per_tier: tuple[int, ...]   # from the leaves up
    links_per_tier: tuple[int, ...]      # host ports (leaf ports in use), then leaf-spine and spine-core links
    max_host_ports: int

    @property
    def switches(self) -> int:
        return sum(self.switches_per_tier)

    @property
    def ports_total(self) -> int:
        return self.switches * self.radix

    @property
    def ports_used(self) -> int:
        """Host ports plus both ends of every switch-to-switch link."""
        return self.links_per_tier[0] + 2 * sum(self.links_per_tier[1:])

    @property
    def ports_spare(self) -> int:
        return self.ports_total - self.ports_used

    @property
    def oversubscription(self) -> float:
        """The leaf's down:up port ratio as built (1.0 for a single switch)."""
        return self.leaf_split.oversubscription if self.tiers > 1 else 1.0

    def as_dict(self) -> dict:
        return {
            "tiers": self.tiers,
            "radix": self.radix,
            "host_ports": self.host_ports,
            "max_host_ports": self.max_host_ports,
            "leaf_ports_down": self.leaf_split.down,
            "leaf_ports_up": self.leaf_split.up if self.tiers > 1 else 0,
            "oversubscription": round(self.oversubscription, 4),
            "switches": self.switches,
            "switches_per_tier": list(self.switches_per_tier),
            "links_per_tier": list(self.links_per_tier),
            "ports_total": self.ports_total,
            "ports_used": self.ports_used,
            "ports_spare": self.ports_spare,
        }


def leaf_split(radix: int, oversubscription: float, host_ports: int | None = None) -> LeafSplit:
    """Split a leaf's ``radix`` ports into down and up with down/up as close as possible to
    ``oversubscription`` (ties go to more uplinks, the less oversubscribed side).

    The best split is next to ``d* = radix * o / (1 + o)``: one of floor(d*) and ceil(d*).
    ``host_ports``: a leaf that uses only that many ports down (a top-of-rack leaf serving one rack)
    and ``ceil(host_ports / o)`` up; the rest of its ports stay unused.
    """
    if radix < 2:
        raise ValueError("a leaf needs at least 2 ports to have both downlinks and uplinks")
    ideal = radix * oversubscription / (1.0 + oversubscription)
    candidates = {min(max(d, 1), radix - 1) for d in (floor(ideal), ceil(ideal))}
    down = min(candidates, key=lambda d: (abs(d / (radix - d) - oversubscription), d))
    if host_ports is None:
        return LeafSplit(down=down, up=radix - down)
    up = max(1, ceil(host_ports / oversubscription - 1e-9))
    if not 1 <= host_ports <= down or host_ports + up > radix:
        raise TopologyError.for_field(
            "scale_out.leaf_host_ports", host_ports,
            f"1 to {down} (the ports a {radix}-port leaf has down at oversubscription {oversubscription:g})")
    return LeafSplit(down=host_ports, up=up)


def max_host_ports(radix: int, tiers: int, oversubscription: float = 1.0, leaf_host_ports: int | None = None) -> int:
    """The most host ports a fat-tree of ``tiers`` tiers can serve with switches of ``radix`` ports
    (leaves of ``leaf_host_ports`` host ports each, if given)."""
    if tiers == 1:
        return radix if leaf_host_ports is None else leaf_host_ports
    split = leaf_split(radix, oversubscription, leaf_host_ports)
    if tiers == 2:
        return radix * split.down
    if tiers == 3:
        return radix * (radix // 2) * split.down
    raise ValueError(f"tiers must be 1, 2 or 3, got {tiers}")


def fewest_tiers(host_ports: int, radix: int, oversubscription: float = 1.0,
                 leaf_host_ports: int | None = None) -> int | None:
    """The fewest tiers (1-3) that serve ``host_ports``, or None if even 3 tiers are too few."""
    for t in range(1, MAX_TIERS + 1):
        if radix < 2 and t > 1:
            return None
        if host_ports <= max_host_ports(radix, t, oversubscription, leaf_host_ports):
            return t
    return None


def build_fat_tree(host_ports: int, radix: int, tiers: int | str = "auto",
                   oversubscription: float = 1.0, leaf_host_ports: int | None = None) -> FatTree:
    """Count the switches and links of a fat-tree serving ``host_ports`` leaf downlink ports.

    Parameters
    ----------
    host_ports : int
        Leaf ports facing hosts (NIC links, after any breakout), >= 1.
    radix : int
        Ports of one switch at the fabric's port rate.
    tiers : int or "auto"
        1, 2 or 3, or "auto" for the fewest that fit.
    oversubscription : float
        Leaf downlink:uplink bandwidth, >= 1.
    leaf_host_ports : int, optional
        Host ports each leaf uses (default: every downlink of the split); see :func:`leaf_split`.

    Raises
    ------
    TopologyError
        If the hosts do not fit in the tiers allowed, naming the limit.
    """
    if host_ports < 1:
        raise ValueError("host_ports must be >= 1")
    if tiers == "auto":
        t = fewest_tiers(host_ports, radix, oversubscription, leaf_host_ports)
        if t is None:
            limit = max_host_ports(radix, MAX_TIERS, oversubscription, leaf_host_ports) if radix >= 2 else radix
            raise TopologyError(
                f"{host_ports:,} host ports do not fit in a {MAX_TIERS}-tier fat-tree of radix {radix} "
                f"at oversubscription {oversubscription:g}, which serves at most {limit:,}",
                field="scale_out.tiers", value=tiers)
    else:
        t = int(tiers)
        limit = max_host_ports(radix, t, oversubscription, leaf_host_ports) if (radix >= 2 or t == 1) else radix
        if host_ports > limit:
            raise TopologyError(
                f"{host_ports:,} host ports do not fit in a {t}-tier fat-tree of radix {radix} "
                f"at oversubscription {oversubscription:g}, which serves at most {limit:,}",
                field="scale_out.tiers", value=tiers)

    if t == 1:
        return FatTree(tiers=1, radix=radix, host_ports=host_ports, leaf_split=LeafSplit(radix, 0),
                       switches_per_tier=(1,), links_per_tier=(host_ports,),
                       max_host_ports=max_host_ports(radix, 1, oversubscription, leaf_host_ports))

    split = leaf_split(radix, oversubscription, leaf_host_ports)
    leaves = ceil(host_ports / split.down)
    return tree_above_leaves(host_ports, leaves, radix, t, split,
                             max_host_ports(radix, t, oversubscription, leaf_host_ports))


def tree_above_leaves(host_ports: int, leaves: int, radix: int, tiers: int, split: LeafSplit,
                      max_hosts: int) -> FatTree:
    """Spines and cores above ``leaves`` leaves of ``split`` ports (2 or 3 tiers)."""
    leaf_spine_links = leaves * split.up
    if tiers == 2:
        spines = ceil(leaf_spine_links / radix)
        return FatTree(tiers=2, radix=radix, host_ports=host_ports, leaf_split=split,
                       switches_per_tier=(leaves, spines),
                       links_per_tier=(host_ports, leaf_spine_links), max_host_ports=max_hosts)
    leaves_per_pod = radix // 2
    pods = ceil(leaves / leaves_per_pod)
    spines = pods * split.up
    spine_core_links = leaf_spine_links
    cores = ceil(spine_core_links / radix)
    return FatTree(tiers=3, radix=radix, host_ports=host_ports, leaf_split=split,
                   switches_per_tier=(leaves, spines, cores),
                   links_per_tier=(host_ports, leaf_spine_links, spine_core_links), max_host_ports=max_hosts)
