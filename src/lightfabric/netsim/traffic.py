"""Traffic patterns over a fabric of blocks: where a direct-connect fabric matches a Clos and where
it falls behind (``lightfabric traffic``).

Each GPU sends ``size_bytes`` in one of these patterns, aggregated to the traffic between blocks
(pods of a three-tier Clos, aggregation blocks of a direct-connect fabric):

* ``uniform``: to every other GPU equally (an all-to-all);
* ``permutation``: every GPU of block ``b`` to the GPU at the same place in block ``p(b)``, for a
  seeded random permutation ``p`` of the blocks without fixed points: the adversarial case for a
  uniform mesh of circuits, which gives each block pair ``1 / (B - 1)`` of a block's uplinks.
  Between blocks of unequal size the GPUs beyond the smaller block's count have no twin and send
  nothing, so no GPU sends or receives more than its own bytes;
* a CSV file: a ``B x B`` matrix of bytes from block ``i`` to block ``j`` (the diagonal ignored),
  spread evenly over the GPUs of each block.

The time is the larger of what the GPUs' own links need (the busiest GPU's bytes over its
scale-out bandwidth) and what the fabric between blocks needs: a non-blocking Clos core binds only
at each block's uplinks (the busiest block's bytes out or in over them); a direct-connect fabric
routes the matrix over its circuits (:func:`lightfabric.topology.circuits.route_blocks`). Traffic
inside one block, and inside a scale-up domain, is not modelled here (the collective model has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lightfabric.errors import LightfabricError
from lightfabric.topology.circuits import derangement

PATTERNS = ("uniform", "permutation")


def read_matrix(path: str | Path, blocks: int, field: str = "--pattern") -> np.ndarray:
    """A ``blocks x blocks`` CSV of bytes, every entry finite and >= 0; exit 2 naming the field otherwise."""
    allowed = f"uniform, permutation, or a CSV file of a {blocks} x {blocks} matrix of bytes (entries >= 0)"
    p = Path(path)
    if not p.is_file():
        raise LightfabricError.for_field(field, str(path), allowed, problem="no such file")
    try:
        m = np.loadtxt(p, delimiter=",", ndmin=2)
    except ValueError as e:
        raise LightfabricError.for_field(field, str(path), allowed, problem=f"not a CSV of numbers ({e})") from None
    if m.shape != (blocks, blocks):
        raise LightfabricError.for_field(field, f"{p.name} ({m.shape[0]} x {m.shape[1]})", allowed,
                                         problem=f"this fabric has {blocks} blocks")
    if not np.isfinite(m).all() or (m < 0).any():
        raise LightfabricError.for_field(field, p.name, allowed, problem="a negative or non-finite entry")
    return m


def has_blocks(topo) -> bool:
    """Whether the design's fabric is made of blocks (pods, aggregation blocks) that patterns run between."""
    return topo.blocks_of(np.zeros(1, dtype=np.int64)) is not None


def check_matrix(m, blocks: int, field: str) -> np.ndarray:
    """A ``blocks x blocks`` matrix of bytes, every entry finite and >= 0; exit 2 naming the field otherwise."""
    allowed = f"a {blocks} x {blocks} matrix of bytes (entries >= 0)"
    try:
        m = np.asarray(m, dtype=float)
    except (TypeError, ValueError):
        raise LightfabricError.for_field(field, "not a matrix of numbers", allowed) from None
    if m.ndim != 2 or m.shape != (blocks, blocks):
        raise LightfabricError.for_field(field, " x ".join(map(str, m.shape)), allowed,
                                         problem=f"this fabric has {blocks} blocks")
    if not np.isfinite(m).all() or (m < 0).any():
        raise LightfabricError.for_field(field, "a negative or non-finite entry", allowed)
    return m


@dataclass(frozen=True)
class BlockLayout:
    """What every pattern on one fabric of blocks needs, computed once: the GPUs of each block, the
    scale-out capacity out of each block in one plane (Gb/s; None where the fabric routes between
    blocks itself), and the path model (its ``route_block_traffic``)."""

    topo: object
    per_block: np.ndarray          # GPUs of each block
    uplink_gbps: np.ndarray | None

    @property
    def blocks(self) -> int:
        return len(self.per_block)


def block_layout(topo) -> BlockLayout | None:
    """The blocks of a design's path model (:class:`BlockLayout`), or None for a fabric without blocks.

    The blocks of GPUs (``blocks_of``) and of uplinks (``block_uplink_gbps``) are the same blocks: a
    path model that disagrees is a bug, named here rather than left to a broadcast error."""
    blk = topo.blocks_of(np.arange(topo.gpus, dtype=np.int64))
    if blk is None:
        return None
    uplink = topo.block_uplink_gbps()
    b = int(blk.max()) + 1
    if uplink is not None and len(uplink) < b:
        raise AssertionError(f"{type(topo).__name__}: GPUs in {b} blocks, uplinks of {len(uplink)}")
    per_block = np.bincount(blk, minlength=b if uplink is None else len(uplink)).astype(float)
    return BlockLayout(topo, per_block, None if uplink is None else np.asarray(uplink, dtype=float))


def _without_blocks(value, problem: str) -> LightfabricError:
    return LightfabricError.for_field("scale_out.topology", value,
                                      "fat-tree, rail-optimized or direct-connect (fabrics of blocks)", problem=problem)


def block_traffic(topo, pattern: str, size_bytes: float, seed: int = 0, matrix=None,
                  layout: BlockLayout | None = None) -> dict:
    """The time of one pattern on one design's path model (module docstring); ``matrix`` (bytes
    between blocks) in place of a CSV file when ``pattern`` is ``matrix``; ``layout``: the model's
    :func:`block_layout`, if the caller has it (several patterns on one fabric)."""
    layout = block_layout(topo) if layout is None else layout
    if layout is None:
        raise _without_blocks("a fabric without blocks", "traffic patterns are defined between blocks")
    b = layout.blocks
    per_block = layout.per_block
    planes = topo.planes
    bits = size_bytes * 8.0
    if pattern == "uniform":
        n = topo.gpus
        demand = np.outer(per_block, per_block) * bits / max(1, n - 1)
        np.fill_diagonal(demand, 0.0)
        per_gpu_out = bits
        label = "uniform: every GPU to every other"
        perm = None
    elif pattern == "permutation":
        held = np.flatnonzero(per_block > 0)     # a block without GPUs (uplinks only) neither sends nor receives
        if len(held) < 2:
            raise LightfabricError.for_field("--pattern", pattern, "uniform, or a fabric of two or more blocks",
                                             problem="a permutation of blocks needs two or more")
        perm = held[derangement(len(held), seed)]
        demand = np.zeros((b, b))
        # GPU k of block b sends to GPU k of block p(b): between blocks of unequal size only the GPUs
        # of the smaller have a twin (the others would send to nobody; sending anyway would put more
        # than one GPU's bytes on each receiving GPU, a pattern no fabric could carry at full rate)
        demand[held, perm] = np.minimum(per_block[held], per_block[perm]) * bits
        per_gpu_out = bits
        label = f"block permutation (seed {seed})"
    else:
        m = check_matrix(matrix, b, "--matrix") if pattern == "matrix" else read_matrix(pattern, b)
        np.fill_diagonal(m, 0.0)
        demand = m * 8.0
        per_gpu_out = float(max((demand.sum(axis=1) / per_block).max(), (demand.sum(axis=0) / per_block).max()))
        label = "matrix" if pattern == "matrix" else f"matrix {Path(pattern).name}"
        perm = None
    gpu_bps = topo.gpu_bw_gbps * planes * 1e9
    nic_s = per_gpu_out / gpu_bps
    plane_demand = demand / planes
    routing = topo.route_block_traffic(plane_demand)
    if routing is not None:
        fabric_s = routing.time_s
        transit = routing.transit_share
        util_note = "circuits"
    else:
        uplink_bps = layout.uplink_gbps * 1e9
        load = np.maximum(plane_demand.sum(axis=1), plane_demand.sum(axis=0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(uplink_bps > 0, load / uplink_bps, np.where(load > 0, np.inf, 0.0))
        fabric_s = float(t.max()) if b > 1 else 0.0
        transit = 0.0
        util_note = "block uplinks into a non-blocking core" if b > 1 else "one block"
    time_s = max(nic_s, fabric_s)
    return {"pattern": label, "blocks": b, "gpus": topo.gpus, "size_bytes": float(size_bytes),
            "nic_bound_s": nic_s, "fabric_s": fabric_s, "time_s": time_s,
            "efficiency": nic_s / time_s if time_s > 0 else 1.0, "transit_share": transit, "bound_by": util_note,
            "permutation": None if perm is None else perm.tolist()}


def traffic_report(scenario, *, pattern: str, size_bytes: float, seed: int = 0, catalog=None, matrix=None) -> dict:
    """Every design of the scenario under one traffic pattern (``matrix``: bytes between blocks, with
    ``pattern="matrix"``)."""
    from lightfabric.compare import compare
    from lightfabric.inputs import check_seed
    from lightfabric.netsim.topo import topo_of
    if not size_bytes > 0:
        raise LightfabricError.for_field("--size-bytes", size_bytes, "a number of bytes > 0")
    check_seed(seed)
    results = []
    for r in compare(scenario, catalog).results:
        row = {"technology": r.technology, "label": r.label, "feasible": r.feasible, "reasons": list(r.reasons)}
        if r.feasible:
            topo = topo_of(r.design)
            layout = block_layout(topo)
            if layout is None:
                raise _without_blocks(scenario.scale_out.topology,
                                      "a fabric without blocks: traffic patterns are defined between blocks")
            row.update(block_traffic(topo, pattern, size_bytes, seed, matrix, layout=layout))
        results.append(row)
    return {"scenario": scenario.name, "topology": scenario.scale_out.topology, "pattern": pattern,
            "size_bytes": float(size_bytes), "seed": seed, "results": results}
