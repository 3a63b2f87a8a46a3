"""What a topology gives every later stage: the plain data of a fabric, and the interface a topology
implements.

A topology (registered under the name a scenario gives in ``scale_out.topology``) turns the cluster
into a :class:`Fabric`:

* **device tiers** (:class:`DeviceTier`): GPUs, NICs, switches of each tier, scale-up chips, with
  their counts, the port they use, where they stand (:class:`~lightfabric.placement.Location`) and
  which GPUs one device serves (its blast radius, for reliability);
* **link groups** (:class:`LinkClass`): links between two tiers, with the policy key that names
  their technology, their count, rate, breakout and what a failed link costs;
* a **path model** for the simulator (:meth:`Topology.paths`): GPU positions, path classes and the
  explicit graph with its routing.

Placement, design, reliability, economics, netsim, compare and the reports read only this: no
stage outside a topology names its tiers or groups.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lightfabric.placement import LengthStats, Location

if TYPE_CHECKING:  # pragma: no cover
    from lightfabric.catalog import Gpu, Nic, OpticalCircuitSwitch, PortConfig, SwitchAsic
    from lightfabric.topology.paths import PathModel
    from lightfabric.topology.scale_up import ScaleUpFabric

# what a device of a tier is
GPU, NIC, SWITCH, SCALE_UP_SWITCH = "gpu", "nic", "switch", "scale-up-switch"
# the policy keys of the scenario's ``technology`` section: each link group names one
POLICY_KEYS = ("scale_up", "nic_leaf", "leaf_spine", "spine_core")


@dataclass(frozen=True)
class NicAttachment:
    """How NICs reach the first switch tier: link rate, links per NIC, NIC links per switch port
    (breakout), and the totals over the cluster."""

    nic_link_rate_gbps: float
    links_per_nic: int
    breakout: int
    nics: int
    nic_links: int
    leaf_ports: int
    gpus: int

    @property
    def links_per_gpu(self) -> int:
        """NIC links of one GPU (over all its NICs)."""
        return self.nic_links // self.gpus


@dataclass(frozen=True)
class ClusterSpec:
    """What a topology is asked to connect: the scenario and the parts it resolved."""

    scenario: object                   # lightfabric.scenario.models.Scenario
    gpu: "Gpu"
    switch: "SwitchAsic | None"        # None for a switchless topology (Topology.switched False)
    nic: "Nic | None"
    port: "PortConfig"                 # the switch port, or the chips' direct-link port
    attachment: NicAttachment | None
    planes: int
    scale_up: "ScaleUpFabric | None" = None
    scale_up_switch: "SwitchAsic | None" = None
    ocs: "OpticalCircuitSwitch | None" = None    # the scenario's OCS (scale_out.ocs)
    catalog: object = None             # the scenario's catalog, for parts a topology's own input names (a graph file)

    @property
    def gpus(self) -> int:
        return self.scenario.cluster.gpus

    @property
    def links_per_gpu_per_plane(self) -> int:
        return self.attachment.links_per_gpu // self.planes

    @property
    def host_ports_per_gpu(self) -> float:
        """First-tier switch ports one GPU uses in one plane (after breakout)."""
        return self.links_per_gpu_per_plane / self.attachment.breakout


@dataclass(frozen=True)
class DeviceTier:
    """The devices of one tier of the cluster (all planes).

    ``gpus_cut``: GPUs a failed device takes out while it waits for repair; ``gpus_replacing`` while
    its field-replaceable unit is swapped; ``scope_gpus``: GPUs whose traffic crosses one device.
    ``above_first_switch``: the tier carries no traffic of a job that fits under one first-tier
    switch. ``ocs_replaceable``: an OCS spine may take this tier's place (the top switch tier).
    """

    name: str
    kind: str                          # gpu, nic, switch, scale-up-switch
    part: object                       # the catalog part of one device
    count: int
    port: "PortConfig | None"
    location: Location
    label: str                         # "leaf switches": how reports name the tier
    gpus_cut: float = 0.0
    gpus_replacing: float | None = None
    scope_gpus: float = 0.0
    above_first_switch: bool = False
    ocs_replaceable: bool = False

    @property
    def is_switch(self) -> bool:
        return self.kind in (SWITCH, SCALE_UP_SWITCH)

    @property
    def replacing_gpus(self) -> float:
        return self.gpus_cut if self.gpus_replacing is None else self.gpus_replacing


@dataclass(frozen=True)
class LinkClass:
    """A group of links between two tiers, before a technology is chosen for it.

    ``upper_ends``: ports at the upper side (fewer than ``links`` with breakout). ``gpu_link``: the
    links end at a GPU's own NIC or package, so a failed link takes its GPU out. ``bisection``: the
    group counts for the fabric's bisection availability. ``scale_up``: links of the scale-up
    domain (a module or cable may serve several of their ports).
    """

    name: str
    policy_key: str
    lower: str                         # tier names
    upper: str
    links: int
    rate_gbps: float                   # each way, one link
    upper_ends: int
    label: str = ""
    breakout: int = 1
    shuffles: int = 0                  # fiber shuffle passes of its structured cabling
    gpu_link: bool = False
    bisection: bool = False
    scale_up: bool = False
    above_first_switch: bool = False
    # into an OCS: sets of ends that only circuit among themselves, each on OCS units of its own
    # (a torus: one set per axis and face position); 1 where any end may meet any other
    circuit_groups: int = 1
    # GPUs one failed module or cable of the group takes out (a torus: its cube); None: its GPUs if
    # the links are GPU links (gpu_link), else none
    unit_gpus_cut: float | None = None

    def __post_init__(self):
        if self.policy_key not in POLICY_KEYS:
            raise ValueError(f"{self.name}: policy key {self.policy_key!r} is not one of {POLICY_KEYS}")


@dataclass(frozen=True)
class Fabric:
    """A cluster's network as counts: what every stage after the topology reads.

    ``summary``: the topology's own counts for the output (tiers, radix, ...); ``first_switch_gpus``:
    GPUs under one first-tier switch (a job that fits there crosses nothing above it);
    ``notes``: modelling choices the topology made that the user must see.
    """

    topology: str
    tiers: tuple[DeviceTier, ...]
    groups: tuple[LinkClass, ...]
    planes: int
    first_switch_gpus: float
    summary: dict = field(default_factory=dict)
    lengths: dict[str, LengthStats] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    detail: object = None              # the topology's own description (read only by that topology)
    job_gpus: int | None = None        # the most GPUs one job spans (a torus: its first slice); None: all

    @property
    def gpus_for_jobs(self) -> int:
        """The most GPUs a collective or a training step may span."""
        return self.job_gpus if self.job_gpus is not None else int(next(t.count for t in self.tiers if t.kind == GPU))

    def tier(self, name: str) -> DeviceTier:
        for t in self.tiers:
            if t.name == name:
                return t
        raise KeyError(f"{self.topology} has no tier {name!r}; tiers: {', '.join(t.name for t in self.tiers)}")

    def group(self, name: str) -> LinkClass:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(f"{self.topology} has no link group {name!r}; groups: "
                       f"{', '.join(g.name for g in self.groups)}")

    @property
    def switch_tiers(self) -> tuple[DeviceTier, ...]:
        """The scale-out switch tiers, from the first (leaf) to the top."""
        return tuple(t for t in self.tiers if t.kind == SWITCH)

    @property
    def top_tier(self) -> DeviceTier | None:
        """The tier an OCS spine may replace, if any."""
        return next((t for t in self.tiers if t.ocs_replaceable), None)

    def devices(self) -> dict[str, int]:
        return {t.name: t.count for t in self.tiers}


class Topology(ABC):
    """A registered topology: builds a :class:`Fabric` from a :class:`ClusterSpec`, and its path model.

    ``name`` is the value of ``scale_out.topology``; ``label`` and ``reference`` say what it is.
    """

    name: str = ""
    label: str = ""
    reference: str = ""
    needs_scale_up: bool = False
    # False: chips are linked directly (a torus); the scenario names no switch, NIC or scale-up
    switched: bool = True
    # False: the fabric comes from a file the user gives (an InfraGraph graph), so a design search
    # (lightfabric design) cannot generate it from the cluster alone
    generated: bool = True
    order: int = 100
    # scale_out keys with which a cluster of a few hundred GPUs builds on this topology (shown by
    # ``lightfabric topologies``; the registry tests build every topology small with them)
    small_cluster_keys: dict = {}
    # or, for a topology whose clusters are unlike a switched GPU cluster, a whole small scenario
    # (YAML with ``{technologies}`` to fill in)
    small_cluster_scenario: str | None = None

    @abstractmethod
    def build(self, spec: ClusterSpec) -> Fabric:
        """The fabric's tiers and link groups (lengths are added by placement). Raises
        :class:`~lightfabric.errors.TopologyError` naming the field when the cluster does not fit."""

    @abstractmethod
    def paths(self, fabric: Fabric, latency: "LinkLatency") -> "PathModel":
        """GPU positions, path classes and the explicit graph of ``fabric`` for the simulator."""


@dataclass(frozen=True)
class LinkLatency:
    """What a design adds to a fabric's paths: the latency of one link of each group (its optics or
    cable ends and its propagation, s), of one switch of each tier (s), and the tiers an OCS spine
    took the place of (no switch latency: light passes straight through)."""

    link_s: dict[str, float]
    switch_s: dict[str, float]
    ocs_tiers: frozenset[str] = frozenset()
    gpus_per_server: int = 8

    def switch(self, tier: str) -> float:
        return 0.0 if tier in self.ocs_tiers else self.switch_s.get(tier, 0.0)
