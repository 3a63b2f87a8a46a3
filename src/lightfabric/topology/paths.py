"""The simulator's view of a fabric: where each GPU sits, the class and latency of every path, and
the explicit graph with its routing.

Each topology gives a :class:`PathModel` (``Topology.paths``). The collective models
(:mod:`lightfabric.netsim.collectives`) read GPU positions and path classes by arithmetic, so they
answer for a million GPUs without a graph; the flow simulator asks the model for its
:class:`Graph` (directed links as arrays) and routes flows on it.

One scale-out *plane* is modelled; every plane of a multi-plane fabric is an identical copy carrying
an equal share of each scale-out flow. Path class 0 is always the scale-up domain.

Routing picks, for each flow, one of its equal-cost paths:

* ``hash``: a seeded hash of (source, destination), the way switches hash flows (collisions happen).
  The choice depends only on the flow, never on the order flows are listed.
* ``spread``: a balanced assignment by the destination's position (see each model).

Failed links carry nothing; routing avoids them (the next healthy choice).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

ROUTINGS = ("spread", "hash")
SAME_DOMAIN = 0


class Disconnected(ValueError):
    """Failed links leave a flow without a healthy path."""


@dataclass(frozen=True)
class Graph:
    """Directed links of one plane (and the scale-up domains) as arrays, with the model that routes
    on them. ``wiring`` holds the model's own index arrays; ``failable_up``/``failable_down`` are the
    two directions of the links a user may fail (``--fail-links``), named by ``failable_label``."""

    model: "PathModel"
    capacity_gbps: np.ndarray
    latency_s: np.ndarray
    kind: np.ndarray                 # index into kind_names, one per link
    kind_names: tuple[str, ...]
    wiring: object
    failable_up: np.ndarray
    failable_down: np.ndarray
    failable_label: str
    failed: np.ndarray

    @property
    def links(self) -> int:
        return len(self.capacity_gbps)

    def with_failures(self, link_ids) -> "Graph":
        """A copy with these links failed (capacity 0, avoided by routing)."""
        failed = self.failed.copy()
        failed[np.asarray(link_ids, dtype=np.int64)] = True
        return replace(self, failed=failed, capacity_gbps=np.where(failed, 0.0, self.capacity_gbps))

    def route(self, src, dst, routing: str = "spread", seed: int = 0) -> np.ndarray:
        """The links of each flow's path, shape (flows, hops), padded with -1."""
        if routing not in ROUTINGS:
            raise ValueError(f"routing must be one of {ROUTINGS}")
        return self.model.route(self, np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64),
                                routing, seed)


class LinkArrays:
    """Builds the link arrays of a graph, a block of links at a time."""

    def __init__(self):
        self.caps: list[np.ndarray] = []
        self.lats: list[np.ndarray] = []
        self.kinds: list[np.ndarray] = []
        self.count = 0

    def add(self, count: int, capacity_gbps, latency_s: float, kind: int) -> np.ndarray:
        """``count`` links (capacity a scalar or an array); their ids."""
        ids = np.arange(self.count, self.count + count, dtype=np.int64)
        self.count += count
        self.caps.append(np.broadcast_to(np.asarray(capacity_gbps, dtype=float), (count,)).copy())
        self.lats.append(np.full(count, latency_s, dtype=float))
        self.kinds.append(np.full(count, kind, dtype=np.int8))
        return ids

    def graph(self, model: "PathModel", kind_names: tuple[str, ...], wiring: object, failable_up=None,
              failable_down=None, failable_label: str = "") -> Graph:
        cap = np.concatenate(self.caps) if self.caps else np.zeros(0)
        empty = np.zeros(0, dtype=np.int64)
        return Graph(model=model, capacity_gbps=cap, latency_s=np.concatenate(self.lats) if self.lats else cap,
                     kind=np.concatenate(self.kinds) if self.kinds else empty.astype(np.int8), kind_names=kind_names,
                     wiring=wiring, failable_up=empty if failable_up is None else np.asarray(failable_up).ravel(),
                     failable_down=empty if failable_down is None else np.asarray(failable_down).ravel(),
                     failable_label=failable_label, failed=np.zeros(len(cap), dtype=bool))


def flow_hash(src: np.ndarray, dst: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of (src, dst, seed): a well-mixed 64-bit hash per flow (S. Vigna's finaliser)."""
    with np.errstate(over="ignore"):
        x = (src.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (dst.astype(np.uint64) + np.uint64(seed) *
                                                                        np.uint64(0xBF58476D1CE4E5B9))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x


def choose(valid: np.ndarray | None, preferred: np.ndarray, k: int, rotate: bool) -> np.ndarray:
    """One of ``k`` choices per flow: ``preferred`` if healthy. Otherwise, with ``rotate`` (the
    ``spread`` routing), resilient ECMP: the flows of a failed member are dealt in turn over the
    healthy members and every other flow keeps its member; without it (``hash``), the
    (preferred mod healthy)-th healthy member, a rehash that moves flows of healthy members too."""
    preferred = preferred % k
    if valid is None:
        return preferred
    count = valid.sum(axis=1)
    if (count == 0).any():
        raise Disconnected("a flow has no healthy path: the failures disconnect its endpoints")
    if rotate:
        out = preferred.copy()
        moved = ~valid[np.arange(len(preferred)), preferred]
        if moved.any():
            nth = np.arange(int(moved.sum())) % count[moved]
            out[moved] = np.argmax(np.cumsum(valid[moved], axis=1) > nth[:, None], axis=1)
        return out
    nth = preferred % count
    return np.argmax(np.cumsum(valid, axis=1) > nth[:, None], axis=1)


@dataclass(frozen=True, kw_only=True)
class PathModel(ABC):
    """GPU positions, path classes and latencies of one design's fabric (one scale-out plane).

    ``gpu_bw_gbps``: scale-out bandwidth of one GPU in one plane, one direction;
    ``scale_up_bw_gbps``: scale-up bandwidth of one GPU, one direction; ``link_latency_s``: one link
    of each group, its optics and propagation, without switches.
    """

    gpus: int
    planes: int
    gpu_bw_gbps: float
    domain_gpus: int | None
    scale_up_bw_gbps: float
    link_latency_s: dict[str, float] = field(default_factory=dict)
    scale_up_switch_latency_s: float = 0.0
    scale_up_tiers: int = 1
    notes: tuple[str, ...] = ()

    class_names = ("scale-up",)     # one name per path class (a class attribute, not a field)
    only_network: ClassVar[str | None] = None  # the network every path takes, if one ("scale-up": a torus)

    # --- positions and classes -------------------------------------------------------------------
    def domain_of(self, g):
        g = np.asarray(g, dtype=np.int64)
        return g // self.domain_gpus if self.domain_gpus else np.full(g.shape, -1, dtype=np.int64)

    @abstractmethod
    def path_class(self, src, dst) -> np.ndarray:
        """The class of the path between GPUs (arrays); 0 is the scale-up domain."""

    @abstractmethod
    def class_latency_s(self) -> np.ndarray:
        """Latency of a path of each class (index by class), switches included."""

    def scale_up_latency_s(self) -> float:
        """GPU to GPU through the domain: one chip, or leaf-spine-leaf (three chips) in a two-tier plane."""
        L = self.link_latency_s
        chips = 1 if self.scale_up_tiers == 1 else 3
        return 2 * L.get("scale-up", 0.0) + 2 * L.get("scale-up-spine", 0.0) + chips * self.scale_up_switch_latency_s

    def max_latency_s(self, src, dst, classes: np.ndarray | None = None) -> float:
        """The longest path latency among the pairs (from the classes present); ``classes``: the
        pairs' :meth:`path_class`, if the caller has it (a model whose latency is not its class's
        computes its own)."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        if len(src) == 0:
            return 0.0
        classes = self.path_class(src, dst) if classes is None else classes
        present = np.flatnonzero(np.bincount(classes))   # classes are small ints: counted, not sorted
        return float(self.class_latency_s()[present].max())

    def relay(self, src, dst) -> np.ndarray:
        """The GPU that sends a flow into the scale-out network: ``src`` itself, or a GPU of its
        scale-up domain that forwards it (rail-only fabrics)."""
        return np.asarray(src, dtype=np.int64)

    def blocks_of(self, g) -> np.ndarray | None:
        """The block (pod, aggregation block) of each GPU, or None for a fabric without blocks."""
        return None

    def block_uplink_gbps(self) -> np.ndarray | None:
        """Scale-out capacity out of each block in one plane, one direction (Gb/s), or None."""
        return None

    def route_block_traffic(self, demand_bits: np.ndarray):
        """Route bits between blocks (:class:`~lightfabric.topology.circuits.BlockRouting`), or None
        where every block's uplinks reach a non-blocking core (the uplinks alone bind)."""
        return None

    def inter_block_time_s(self, src, dst, bytes_per_flow, all_pairs=None) -> float:
        """The time a phase's traffic needs between blocks of circuits (s): 0 for fabrics whose
        switches carry any pattern the GPUs' links can (a non-blocking Clos); a direct-connect
        fabric routes it over its circuits. ``all_pairs``: every pair of these ranks, not listed."""
        return 0.0

    def link_bound_time_s(self, src, dst, bytes_per_flow, all_pairs=None) -> float:
        """The time a phase needs on its most loaded link (s), for fabrics whose links bind before a
        GPU's injection bandwidth does (a torus, where flows share the links of intermediate chips);
        0 elsewhere."""
        return 0.0

    def circuit_failures(self, ocs_units: int, fiber_pairs: int, reconfiguration_ms: float) -> dict | None:
        """What one failed circuit and one failed OCS unit cost a fabric of circuits between blocks
        (traffic kept before and after the circuits are re-allocated); None for other fabrics."""
        return None

    def torus_shape(self) -> tuple[int, int, int] | None:
        """The torus (chips along x, y, z) the GPUs form, for the torus collective algorithms; None."""
        return None

    def job_scope(self) -> str:
        """What bounds a job's GPUs here, for messages: the cluster, or a torus slice."""
        return "the cluster's GPUs"

    def all_to_all_flows(self, ranks: np.ndarray) -> tuple[int, int]:
        """Flows the busiest GPU sends or receives on (scale-up, scale-out) when every pair of
        ``ranks`` exchanges at once."""
        n = len(ranks)
        if not self.domain_gpus:
            return 0, n - 1
        _, counts = np.unique(self.domain_of(ranks), return_counts=True)
        return int(counts.max()) - 1, n - int(counts.min())

    # --- the graph ---------------------------------------------------------------------------------
    @abstractmethod
    def build_graph(self) -> Graph:
        """The explicit links of one plane and the scale-up domains."""

    @abstractmethod
    def route(self, graph: Graph, src: np.ndarray, dst: np.ndarray, routing: str, seed: int) -> np.ndarray:
        """The links of each flow's path (flows, hops), padded with -1."""

    def describe(self) -> dict:
        """The model's own figures for the output."""
        return {}

    def as_dict(self) -> dict:
        lat = self.class_latency_s()
        return {"gpus": self.gpus, "planes": self.planes, "gpu_scale_out_gbps": self.gpu_bw_gbps * self.planes,
                "domain_gpus": self.domain_gpus, "gpu_scale_up_gbps": self.scale_up_bw_gbps, **self.describe(),
                "path_latency_ns": {self.class_names[i]: round(float(v) * 1e9, 1) for i, v in enumerate(lat)
                                    if i > 0 or self.domain_gpus}}
