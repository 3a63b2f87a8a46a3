"""A design's fabric as its topology's path model: the latency of every link group and switch tier
the design built, handed to :meth:`lightfabric.topology.base.Topology.paths`.

Latency of a link: the traversal latency of the optics (or cable) at both its ends (``hop-latency``
catalog entries, the most specific wins), propagation over the link group's mean length, and the
switch the link enters. Propagation: 4.9 ns/m in single-mode fiber (group index 1.468 at 1310 nm,
Corning SMF-28 Ultra product information) and 4.5 ns/m in twinax (NVIDIA LinkX DAC
specifications: at most 4.5 ns/m). A tier an OCS spine replaced adds no switch latency (light
passes straight through).
"""

from __future__ import annotations

from lightfabric.catalog import Catalog, CopperCable, HopLatency
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.design import Design
from lightfabric.errors import LightfabricError
from lightfabric.topology.base import LinkLatency
from lightfabric.topology.paths import SAME_DOMAIN, PathModel
from lightfabric.topology.registry import get_topology

FIBER_NS_PER_M = 4.9
TWINAX_NS_PER_M = 4.5

__all__ = ["FIBER_NS_PER_M", "SAME_DOMAIN", "TWINAX_NS_PER_M", "hop_latency_ns", "link_latency", "topo_of"]


def hop_latency_ns(catalog: Catalog, part_id: str) -> float:
    """Latency of one traversal of a part (``hop-latency`` entries; the most specific wins); kept
    per part in the catalog's memo."""
    kept = catalog.memo("hop_latency_ns")
    if part_id not in kept:
        entry = most_specific(index_by_target(catalog.of_kind(HopLatency)), catalog.get(part_id))
        kept[part_id] = entry.latency_ns if entry is not None else 0.0
    return kept[part_id]


def _group_latency_s(design: Design, group) -> float:
    cat = design.plan.catalog
    ends = hop_latency_ns(cat, group.lower_end.part_id)
    if group.upper_end is not None:
        ends += hop_latency_ns(cat, group.upper_end.part_id)
    if isinstance(group.medium, CopperCable):
        ends = 2 * hop_latency_ns(cat, group.medium.id) + (ends if group.lower_end.kind != "cable" else 0.0)
        per_m = TWINAX_NS_PER_M
    else:
        per_m = FIBER_NS_PER_M
    return (ends + per_m * group.lengths.mean_m) * 1e-9


def link_latency(design: Design) -> LinkLatency:
    """One link of every group and one switch of every tier of ``design`` (s)."""
    cat = design.plan.catalog
    fabric = design.fabric
    switches = {t.name: hop_latency_ns(cat, t.part.id) * 1e-9 for t in fabric.tiers if t.is_switch and t.part is not None}
    ocs = frozenset({design.ocs["replaced_tier"]}) if design.ocs is not None else frozenset()
    return LinkLatency(link_s={g.name: _group_latency_s(design, g) for g in design.link_groups}, switch_s=switches,
                       ocs_tiers=ocs, gpus_per_server=design.plan.scenario.cluster.gpus_per_server)


def topo_of(design: Design) -> PathModel:
    """The positions, path classes, latencies and graph of ``design`` (a feasible design of
    :func:`lightfabric.compare`), from its topology."""
    if not design.feasible:
        raise LightfabricError(f"design {design.technology} is infeasible: {'; '.join(design.reasons)}")
    fabric = design.fabric
    return get_topology(fabric.topology).paths(fabric, link_latency(design))
