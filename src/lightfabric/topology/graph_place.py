"""Where the devices of an explicit graph stand, the length of every link that follows, and what one
failed switch takes out: for a fabric read from a file (``scale_out.topology: infragraph``) that
carries no lengths of its own.

Placement rule (every device, not every tier, since a graph need not be regular):

* GPU ``g`` stands in rack ``g div gpus_per_rack`` of the scenario's layout
  (:func:`lightfabric.placement.layout`: racks in rows, rows in halls);
* a switch at BFS depth 1 (linked to hosts) stands by ``placement.leaf_location`` relative to the
  rack nearest the centre of the GPUs it links (``top-of-rack``: in that rack; ``end-of-row`` /
  ``middle-of-row``: at that rack's row end or middle);
* a switch deeper in the graph stands at the rack nearest the centre of the switches one depth
  below it that it links, weighted by the GPUs under each (a two-tier Clos's spines at the site
  centre, a three-tier Clos's spines amid their pod, as the fat-tree places them).

A link between a GPU's rack and a switch in the same rack takes the in-rack distribution; any
other link runs through the overhead tray (:func:`lightfabric.placement.lengths.between_racks_m`).
A group's lengths are the distribution over its links (one sample a link).

Blast radius: a switch at depth 1 takes out the GPUs linked to it (as a Clos leaf); a deeper one
the GPUs that lose every path to the rest of their plane when it fails (it is a cut vertex of the
plane's switches, or their only switch), found with networkx's articulation points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lightfabric.placement import LengthStats, layout
from lightfabric.placement.lengths import between_racks_m, in_rack_samples_m


def gpus_below(g, gpu, sw_end, host_link, depth, gpus: int) -> np.ndarray:
    """GPUs under each device: linked to it (depth 1), else the sum over the distinct switches one
    depth below it that it links (capped at the cluster; exact where those serve disjoint GPUs)."""
    D = g.device_count
    below = np.zeros(D)
    pairs = np.unique(np.stack([sw_end[host_link], gpu[host_link]], axis=1), axis=0)
    below += np.bincount(pairs[:, 0], minlength=D)
    down = _down_pairs(g, host_link, depth)
    for d in range(2, int(depth.max()) + 1):
        m = depth[down[:, 1]] == d
        below += np.bincount(down[m, 1], weights=below[down[m, 0]], minlength=D)
    return np.minimum(below, gpus)


def _down_pairs(g, host_link, depth) -> np.ndarray:
    """Distinct (lower, upper) switch pairs one depth apart."""
    s = ~host_link
    a, b = g.end_dev[s, 0], g.end_dev[s, 1]
    lo = np.where(depth[a] < depth[b], a, b)
    hi = np.where(depth[a] < depth[b], b, a)
    keep = depth[lo] != depth[hi]
    if not keep.any():
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.stack([lo[keep], hi[keep]], axis=1), axis=0)


def _nearest_rack(lay, cx, cy) -> np.ndarray:
    out = np.empty(len(cx), dtype=np.int64)
    step = max(1, 2_000_000 // max(1, lay.racks))
    for i in range(0, len(cx), step):
        d = np.abs(cx[i:i + step, None] - lay.x_m[None, :]) + np.abs(cy[i:i + step, None] - lay.y_m[None, :])
        out[i:i + step] = d.argmin(axis=1)
    return out


def positions_m(placement, gpus: int, g, gpu, sw_end, host_link, depth):
    """(rack x, rack y of each GPU; x, y of each device (m)) by the rule of the module docstring."""
    lay = layout(placement, gpus)
    rack = np.arange(gpus) // placement.gpus_per_rack
    gx, gy = lay.x_m[rack], lay.y_m[rack]
    D = g.device_count
    below = gpus_below(g, gpu, sw_end, host_link, depth, gpus)
    cx, cy = np.zeros(D), np.zeros(D)
    hs, hg = sw_end[host_link], gpu[host_link]
    n = np.bincount(hs, minlength=D)
    with np.errstate(invalid="ignore", divide="ignore"):
        cx = np.where(n > 0, np.bincount(hs, weights=gx[hg], minlength=D) / n, 0.0)
        cy = np.where(n > 0, np.bincount(hs, weights=gy[hg], minlength=D) / n, 0.0)
        down = _down_pairs(g, host_link, depth)
        for d in range(2, int(depth.max()) + 1):
            m = depth[down[:, 1]] == d
            lo, hi = down[m, 0], down[m, 1]
            w = np.bincount(hi, weights=below[lo], minlength=D)
            sx = np.bincount(hi, weights=cx[lo] * below[lo], minlength=D)
            sy = np.bincount(hi, weights=cy[lo] * below[lo], minlength=D)
            at = depth == d
            cx = np.where(at & (w > 0), sx / np.where(w > 0, w, 1), cx)
            cy = np.where(at & (w > 0), sy / np.where(w > 0, w, 1), cy)
    sw = np.flatnonzero(depth > 0)
    r = _nearest_rack(lay, cx[sw], cy[sw])
    x, y = np.zeros(D), np.zeros(D)
    x[sw], y[sw] = lay.x_m[r], lay.y_m[r]
    first = depth[sw] == 1
    rule = placement.leaf_location
    if rule != "top-of-rack":
        slot = placement.racks_per_row + 0.5 if rule == "end-of-row" else placement.racks_per_row // 2 + 0.5
        x[sw[first]] = lay.row_x0_m[r[first]] + slot * placement.rack_width_m
    return gx, gy, x, y


def graph_lengths(placement, gpus: int, g, gpu, sw_end, host_link, depth, group_of, names, groups):
    """Length distributions of the link groups ``groups`` (indices into ``group_of``'s values, named
    ``names``), from every device's place; and the note that says how they were placed."""
    gx, gy, x, y = positions_m(placement, gpus, g, gpu, sw_end, host_link, depth)
    p = placement
    tray = 2.0 * (p.rack_height_m / 2 + p.tray_height_m) + p.slack_m
    inside = in_rack_samples_m(placement)
    out = {}
    for name, j in zip(names, groups):
        rows = np.flatnonzero(group_of == j)
        if host_link[rows[0]]:
            dx = gx[gpu[rows]] - x[sw_end[rows]]
            dy = gy[gpu[rows]] - y[sw_end[rows]]
            routed = between_racks_m(placement, dx, dy)
            same = (np.abs(dx) < 1e-9) & (np.abs(dy) < 1e-9)
            values = np.concatenate([routed[~same], np.tile(inside, int(same.sum()))])
            weights = np.concatenate([np.ones(int((~same).sum())), np.full(int(same.sum()) * len(inside),
                                                                           1.0 / len(inside))])
        else:
            a, b = g.end_dev[rows, 0], g.end_dev[rows, 1]
            values = np.abs(x[a] - x[b]) + np.abs(y[a] - y[b]) + tray
            weights = np.ones(len(rows))
        out[name] = LengthStats.from_samples(values, weights)
    rule = (f"lengths of {', '.join(names)} from placing every device (docs/topologies.md, infragraph): GPU g in rack "
            f"g div {p.gpus_per_rack}; switches linked to hosts by placement.leaf_location ({p.leaf_location}) at the "
            f"rack nearest the centre of their GPUs; deeper switches at the rack nearest the centre of the switches "
            f"below them")
    return out, rule


@dataclass
class Radius:
    """Per device: the GPUs a failure takes out (``cut``) and the GPUs under it (``below``)."""

    cut: np.ndarray
    below: np.ndarray
    notes: list[str] = field(default_factory=list)


def blast_radius(g, gpu, sw_end, host_link, depth, plane, gpus: int, max_edges: int) -> Radius:
    """What one failed switch takes out, by the rule of the module docstring."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    D = g.device_count
    below = gpus_below(g, gpu, sw_end, host_link, depth, gpus)
    attached = np.bincount(np.unique(np.stack([sw_end[host_link], gpu[host_link]], axis=1), axis=0)[:, 0],
                           minlength=D).astype(float)
    cut = np.where(depth == 1, attached, 0.0)
    s = ~host_link
    a, b = g.end_dev[s, 0], g.end_dev[s, 1]
    pairs = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1), axis=0) if s.any() else \
        np.zeros((0, 2), dtype=np.int64)
    notes = []
    if len(pairs) > max_edges:
        notes.append(f"blast radius: a switch linked to hosts takes out the GPUs linked to it; for deeper switches "
                     f"cut vertices were not searched ({len(pairs):,} switch pairs, over {max_edges:,}): none assumed")
        return Radius(cut, below, notes)
    import networkx as nx
    G = nx.Graph()
    G.add_edges_from(pairs.tolist())
    hosted = set(np.unique(sw_end[host_link]).tolist())
    candidates = {v for v in nx.articulation_points(G) if depth[v] > 1} | {v for v in hosted if depth[v] > 1}
    hs, hg = sw_end[host_link], gpu[host_link]
    for v in sorted(candidates):
        keep = (plane[pairs[:, 0]] == plane[v]) & (pairs[:, 0] != v) & (pairs[:, 1] != v)
        adj = coo_matrix((np.ones(int(keep.sum())), (pairs[keep, 0], pairs[keep, 1])), shape=(D, D)).tocsr()
        _, labels = connected_components(adj, directed=False)
        in_plane = plane[hs] == plane[v]
        alive = in_plane & (hs != v)
        weight = np.bincount(labels[hs[alive]], minlength=D)
        main = int(np.argmax(weight)) if alive.any() else -1
        ok = np.zeros(gpus, dtype=bool)
        ok[hg[alive & (labels[hs] == main)]] = True
        served = np.zeros(gpus, dtype=bool)
        served[hg[in_plane]] = True
        cut[v] = float((served & ~ok).sum())
    found = int((cut[depth > 1] > 0).sum())
    notes.append(f"blast radius: a switch linked to hosts takes out the GPUs linked to it; a deeper switch the GPUs "
                 f"that lose every path to the rest of its plane ({found} such switch(es) in this graph)")
    return Radius(cut, below, notes)
