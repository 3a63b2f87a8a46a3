"""The path model of an explicit graph (a fabric read from an InfraGraph file): shortest paths with
ECMP over one plane's switches, a closed form from the most loaded link, and the flow simulator's
graph.

One plane is modelled (every plane of the fabric is a copy carrying an equal share of each flow).
Its GPUs link to switches (parallel links between a GPU and a switch are one of their summed
capacity, as are parallel links between two switches of one group).

**Routing.** A flow takes a shortest path in switch hops from a switch its source links to, to a
switch its destination links to (BFS from the destination's switches over the healthy links,
numpy frontiers). At each hop it picks one of the next hops on a shortest path (equal-cost
multi-path): ``spread`` by the destination's index, digit by digit (``q mod k``, then ``q div k``
for the next hop: destination-mod-k, which spreads a leaf's destinations over its uplinks as the
Clos model does); ``hash`` by a seeded hash of (source, destination, hop). Failed links are left
out of the BFS, so flows take the shortest healthy paths; a destination no healthy path reaches is
:class:`~lightfabric.topology.paths.Disconnected`.

**Closed form.** A phase cannot end before its most loaded link has carried its bytes
(``t >= max_l flows_l x bytes / c_l``, as the torus model): the flows are routed (``spread``) and
counted per link; with the GPUs' injection bound the collective models take the larger. An
all-to-all is routed pair by pair up to :data:`ALL_PAIRS_ROUTED_MAX` pairs.

**Path classes**: scale-up, same switch (the two GPUs link to the same switches), other switches.
A class's latency is its longest path: same switch, one link up and down and the switch; other
switches, the longest routed path from 8 GPUs spread over the cluster to every GPU (every path
where the fabric looks the same from every GPU: a Clos, a dragonfly). ``max_latency_s`` routes the
pairs it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lightfabric.errors import LightfabricError
from lightfabric.topology.paths import SAME_DOMAIN, Disconnected, Graph, PathModel, flow_hash

SAME_SWITCH, OTHER_SWITCH = 1, 2
KIND_NAMES = ("gpu-switch", "switch-gpu", "switch-switch up", "switch-switch down", "scale-up up", "scale-up down")
ALL_PAIRS_ROUTED_MAX = 16_000_000
CHUNK = 400_000
LATENCY_SOURCES = 8


def _ranges(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The indices ``starts[i] .. starts[i] + counts[i] - 1`` of every ``i``, and their ``i``."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts)), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offset, owner


@dataclass(frozen=True, kw_only=True)
class GraphPaths(PathModel):
    """One plane of an explicit graph: GPU-to-switch links (``host_*``), switch-to-switch links
    (``sw_*``, each both ways), the latency of a link of each group and of each switch."""

    host_gpu: np.ndarray
    host_switch: np.ndarray
    host_gbps: np.ndarray
    host_group: np.ndarray
    sw_u: np.ndarray
    sw_v: np.ndarray
    sw_gbps: np.ndarray
    sw_group: np.ndarray
    switches: int
    group_latency_s: np.ndarray
    switch_latency_s: np.ndarray
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    class_names = ("scale-up", "same switch", "other switches")

    # --- structure ---------------------------------------------------------------------------------
    def _tables(self) -> dict:
        if "t" in self.cache:
            return self.cache["t"]
        H, E, n = len(self.host_gpu), len(self.sw_u), self.gpus
        order = np.argsort(self.host_gpu, kind="stable")
        ptr = np.searchsorted(self.host_gpu[order], np.arange(n + 1))
        down_key = self.host_switch * n + self.host_gpu
        down_order = np.argsort(down_key, kind="stable")
        tail = np.concatenate([self.sw_u, self.sw_v])
        head = np.concatenate([self.sw_v, self.sw_u])
        link = np.concatenate([2 * H + np.arange(E), 2 * H + E + np.arange(E)])
        # each GPU's switches: its signature (GPUs linked to the same switches share their paths)
        counts = np.diff(ptr)
        if (counts == 1).all():
            sig = self.host_switch[order]
        else:
            rows = {}
            sig = np.empty(n, dtype=np.int64)
            hs = self.host_switch[order]
            for gi in range(n):
                sig[gi] = rows.setdefault(tuple(sorted(set(hs[ptr[gi]:ptr[gi + 1]].tolist()))), len(rows))
        fwd = np.argsort(tail, kind="stable")
        fwd_ptr = np.searchsorted(tail[fwd], np.arange(self.switches + 1))
        _, sig_gpu, sig = np.unique(sig, return_index=True, return_inverse=True)   # dense ids; a GPU of each
        sig = sig.ravel()
        t = {"order": order, "ptr": ptr, "down_key": down_key[down_order], "down_idx": down_order, "tail": tail,
             "head": head, "link": link, "fwd": fwd, "fwd_ptr": fwd_ptr, "sig": sig, "sig_gpu": sig_gpu}
        self.cache["t"] = t
        return t

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if "a" in self.cache:
            return self.cache["a"]
        gl, sl = self.group_latency_s, self.switch_latency_s
        hl = gl[self.host_group]
        s = gl[self.sw_group]
        caps = [self.host_gbps, self.host_gbps, self.sw_gbps, self.sw_gbps]
        lats = [hl + sl[self.host_switch], hl, s + sl[self.sw_v], s + sl[self.sw_u]]
        kinds = [np.full(len(self.host_gpu), 0), np.full(len(self.host_gpu), 1), np.full(len(self.sw_u), 2),
                 np.full(len(self.sw_u), 3)]
        if self.domain_gpus:
            caps += [np.full(self.gpus, self.scale_up_bw_gbps)] * 2
            lats += [np.full(self.gpus, self.scale_up_latency_s()), np.zeros(self.gpus)]
            kinds += [np.full(self.gpus, 4), np.full(self.gpus, 5)]
        out = (np.concatenate(caps).astype(float), np.concatenate(lats).astype(float),
               np.concatenate(kinds).astype(np.int8))
        self.cache["a"] = out
        return out

    # --- positions and classes -----------------------------------------------------------------------
    def path_class(self, src, dst) -> np.ndarray:
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        sig = self._tables()["sig"]
        cls = np.where(sig[src] == sig[dst], SAME_SWITCH, OTHER_SWITCH)
        if self.domain_gpus:
            cls = np.where(self.domain_of(src) == self.domain_of(dst), SAME_DOMAIN, cls)
        return cls

    def class_latency_s(self) -> np.ndarray:
        if "lat" in self.cache:
            return self.cache["lat"]
        gl, sl = self.group_latency_s, self.switch_latency_s
        same = float((2 * gl[self.host_group] + sl[self.host_switch]).max())
        n = self.gpus
        sources = np.unique(np.linspace(0, n - 1, min(n, LATENCY_SOURCES)).astype(np.int64))
        src = np.repeat(sources, n)
        dst = np.tile(np.arange(n), len(sources))
        keep = (src != dst) & (self._tables()["sig"][src] != self._tables()["sig"][dst])
        far = self._routed_latency_s(src[keep], dst[keep]) if keep.any() else same
        out = np.array([self.scale_up_latency_s(), same, max(same, far)])
        self.cache["lat"] = out
        return out

    def _routed_latency_s(self, src, dst) -> float:
        _, lat, _ = self._arrays()
        worst = 0.0
        for i in range(0, len(src), CHUNK):
            links = self.route_plane(None, src[i:i + CHUNK], dst[i:i + CHUNK], "spread", 0)
            worst = max(worst, float(np.where(links >= 0, lat[np.maximum(links, 0)], 0.0).sum(axis=1).max()))
        return worst

    def _memo(self, kind: str, src, dst, compute):
        """A phase's figure computed once for its flows (a collective sweep asks again at every size)."""
        memo = self.cache.setdefault(kind, {})
        key = (len(src), hash(src.tobytes()), hash(dst.tobytes()))
        if key not in memo:
            if len(memo) > 256:
                memo.clear()
            memo[key] = compute()
        return memo[key]

    def max_latency_s(self, src, dst, classes=None) -> float:
        """The longest of these pairs' routed paths (scale-up pairs: the domain's latency)."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        if len(src) == 0:
            return 0.0
        return self._memo("max_latency", src, dst, lambda: self._max_latency_s(src, dst))

    def _max_latency_s(self, src, dst) -> float:
        su = self.path_class(src, dst) == SAME_DOMAIN if self.domain_gpus else np.zeros(len(src), dtype=bool)
        worst = self.scale_up_latency_s() if su.any() else 0.0
        out = ~su & (src != dst)
        if out.any():
            worst = max(worst, self._routed_latency_s(src[out], dst[out]))
        return worst

    def describe(self) -> dict:
        return {"switches_in_plane": self.switches, "gpu_switch_links": len(self.host_gpu),
                "switch_links": len(self.sw_u), "routing": "shortest paths, ECMP"}

    # --- graph and routing ------------------------------------------------------------------------------
    def build_graph(self) -> Graph:
        cap, lat, kind = self._arrays()
        H, E = len(self.host_gpu), len(self.sw_u)
        ok = self._not_bridges()
        return Graph(model=self, capacity_gbps=cap.copy(), latency_s=lat.copy(), kind=kind.copy(),
                     kind_names=KIND_NAMES, wiring=None, failable_up=2 * H + np.flatnonzero(ok),
                     failable_down=2 * H + E + np.flatnonzero(ok),
                     failable_label="switch-to-switch links of one plane (not those whose failure would cut it)",
                     failed=np.zeros(len(cap), dtype=bool))

    def _not_bridges(self) -> np.ndarray:
        """Which switch-to-switch links another path backs up (a bridge's failure would cut the plane:
        it is not offered to fail, as a torus slice is not routed around its failures either)."""
        if "nb" not in self.cache:
            import networkx as nx
            pairs = list(zip(self.sw_u.tolist(), self.sw_v.tolist()))
            G = nx.Graph()
            G.add_nodes_from(range(self.switches))
            G.add_edges_from(pairs)
            from collections import Counter
            once = {p for p, n in Counter(pairs).items() if n == 1}
            cut = {tuple(sorted(b)) for b in nx.bridges(G)}
            self.cache["nb"] = np.array([p not in cut or p not in once for p in pairs], dtype=bool)
        return self.cache["nb"]

    def _rows(self, sigs: np.ndarray, failed: np.ndarray | None) -> np.ndarray:
        """Switch hops from every switch to the switches of each signature (rows), over healthy
        links (-1: unreachable): BFS along the reversed links (scipy's unweighted shortest paths)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import shortest_path
        t = self._tables()
        S = self.switches
        cache = self.cache.setdefault("rows", {}) if failed is None else {}
        todo = [int(x) for x in sigs if int(x) not in cache]
        if todo:
            ok = np.ones(len(t["tail"]), dtype=bool) if failed is None else ~failed[t["link"]]
            # reversed links: a BFS from a target along them reaches every switch that reaches the target
            rev = coo_matrix((np.ones(int(ok.sum())), (t["head"][ok], t["tail"][ok])), shape=(S, S)).tocsr()
            members = {k: self.host_switch[t["order"][t["ptr"][t["sig_gpu"][k]]:t["ptr"][t["sig_gpu"][k] + 1]]]
                       for k in todo}
            starts = np.unique(np.concatenate(list(members.values())))
            d = shortest_path(rev, directed=True, unweighted=True, indices=starts)
            d = np.where(np.isfinite(d), d, -1).astype(np.int64)
            at = {int(x): i for i, x in enumerate(starts)}
            for k in todo:
                r = d[[at[int(x)] for x in np.unique(members[k])]]
                r = np.where(r < 0, np.iinfo(np.int64).max, r).min(axis=0)
                cache[k] = np.where(r == np.iinfo(np.int64).max, -1, r)
            if failed is None and len(cache) > 8192:
                keep = {k: cache[k] for k in sigs.tolist()}
                cache.clear()
                cache.update(keep)
        return np.stack([cache[int(x)] for x in sigs]) if len(sigs) else np.zeros((0, S), dtype=np.int64)

    def route_plane(self, graph: Graph | None, src, dst, routing: str, seed: int) -> np.ndarray:
        """The plane's links of each flow ``src -> dst`` (different GPUs), padded with -1."""
        failed = graph.failed if graph is not None and graph.failed.any() else None
        sig = self._tables()["sig"]
        sigs, row = np.unique(sig[dst], return_inverse=True)
        dist = self._rows(sigs, failed)
        parts = [self._walk(src[i:i + CHUNK], dst[i:i + CHUNK], row.ravel()[i:i + CHUNK], dist, failed, routing,
                            seed) for i in range(0, len(src), CHUNK)]
        width = max([p.shape[1] for p in parts] + [2])
        out = np.full((len(src), width), -1, dtype=np.int64)
        i = 0
        for p in parts:
            out[i:i + len(p), :p.shape[1]] = p
            i += len(p)
        return out

    def _walk(self, s, d, row, dist, failed, routing: str, seed: int) -> np.ndarray:
        """Each flow's links: a first hop to a switch of the source nearest the destination, then
        one of the next hops one switch nearer at each switch, then the link down to the GPU."""
        t = self._tables()
        F = len(s)
        big = np.iinfo(np.int64).max
        q = d.copy()
        c, fi = _ranges(t["ptr"][s], t["ptr"][s + 1] - t["ptr"][s])
        hl = t["order"][c]
        dv = dist[row[fi], self.host_switch[hl]]
        valid = dv >= 0
        if failed is not None:
            valid &= ~failed[hl]
        best = np.full(F, big)
        np.minimum.at(best, fi[valid], dv[valid])
        if (best == big).any():
            raise Disconnected("a flow has no healthy path: the failures disconnect its endpoints")
        chosen = hl[self._pick(valid & (dv == best[fi]), fi, F, q, None, s, d, routing, seed, 0)]
        steps = [chosen]
        cur = self.host_switch[chosen]
        hop = 0
        while True:
            hop += 1
            here = dist[row, cur]
            active = np.flatnonzero(here > 0)
            if not len(active):
                break
            u = cur[active]
            idx, fa = _ranges(t["fwd_ptr"][u], t["fwd_ptr"][u + 1] - t["fwd_ptr"][u])
            e = t["fwd"][idx]
            ok = dist[row[active][fa], t["head"][e]] == here[active][fa] - 1
            if failed is not None:
                ok &= ~failed[t["link"][e]]
            if np.bincount(fa[ok], minlength=len(active)).min() == 0:
                raise Disconnected("a flow has no healthy path: the failures disconnect its endpoints")
            j = e[self._pick(ok, fa, len(active), q, active, s[active], d[active], routing, seed, hop)]
            col = np.full(F, -1, dtype=np.int64)
            col[active] = t["link"][j]
            cur = cur.copy()
            cur[active] = t["head"][j]
            steps.append(col)
        key = cur * self.gpus + d
        pos = np.minimum(np.searchsorted(t["down_key"], key), len(t["down_key"]) - 1)
        if (t["down_key"][pos] != key).any():
            raise Disconnected("a flow reached no switch of its destination")
        last = len(self.host_gpu) + t["down_idx"][pos]
        if failed is not None and failed[last].any():
            raise Disconnected("a flow's last link (to its GPU) has failed")
        steps.append(last)
        block = np.stack(steps, axis=1)
        keep = block >= 0
        out = np.full(block.shape, -1, dtype=np.int64)
        rows_, _ = np.nonzero(keep)
        out[rows_, (np.cumsum(keep, axis=1) - 1)[keep]] = block[keep]
        return out

    def _pick(self, ok, owner, n, q, active, s, d, routing: str, seed: int, hop: int) -> np.ndarray:
        """The index (into ``ok``) of the candidate each of ``n`` flows takes among its valid ones."""
        vi = np.flatnonzero(ok)
        count = np.bincount(owner[vi], minlength=n)
        start = np.searchsorted(owner[vi], np.arange(n))
        if routing == "hash":
            k = (flow_hash(s, d, seed + hop) % count.astype(np.uint64)).astype(np.int64)
        else:  # the destination's digits: q mod k, then q div k for the next hop
            mine = q if active is None else q[active]
            k = mine % count
            if active is None:
                q //= count
            else:
                q[active] = mine // count
        return vi[start + k]

    def route(self, graph: Graph, src, dst, routing: str, seed: int) -> np.ndarray:
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        su = self.path_class(src, dst) == SAME_DOMAIN if self.domain_gpus else np.zeros(len(src), dtype=bool)
        plane = self.route_plane(graph, src[~su], dst[~su], routing, seed)
        out = np.full((len(src), max(2, plane.shape[1])), -1, dtype=np.int64)
        out[~su, :plane.shape[1]] = plane
        if su.any():
            base = 2 * len(self.host_gpu) + 2 * len(self.sw_u)
            out[su, 0], out[su, 1] = base + src[su], base + self.gpus + dst[su]
        return out

    # --- closed form ------------------------------------------------------------------------------
    def link_bound_time_s(self, src, dst, bytes_per_flow, all_pairs=None) -> float:
        """The time the most loaded link of the plane needs for a phase's bytes (each plane carries
        1/planes of a flow), the flows routed as the simulator routes them (``spread``)."""
        bits = float(bytes_per_flow) * 8.0 / self.planes
        if all_pairs is not None:
            ranks = np.asarray(all_pairs, dtype=np.int64)
            ratio = self._memo("all_pairs", ranks, ranks, lambda: self._flows_per_capacity(None, None, ranks))
        else:
            src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
            ratio = self._memo("link_bound", src, dst, lambda: self._flows_per_capacity(src, dst, None))
        return ratio * bits

    def _flows_per_capacity(self, src, dst, ranks) -> float:
        """The largest flows / capacity (1 / (b/s)) over the plane's links."""
        cap, _, _ = self._arrays()
        load = np.zeros(len(cap))
        if ranks is not None:
            n = len(ranks)
            if n * (n - 1) > ALL_PAIRS_ROUTED_MAX:
                raise LightfabricError.for_field(
                    "--gpus", n, f"at most {int(ALL_PAIRS_ROUTED_MAX ** 0.5):,} GPUs for an all-to-all on an explicit "
                    f"graph", problem="its pairs are routed one by one")
            per = max(1, CHUNK // max(n, 1))
            for i in range(0, n, per):
                s = np.repeat(ranks[i:i + per], n)
                d = np.tile(ranks, len(ranks[i:i + per]))
                self._add_load(load, s, d)
        else:
            for i in range(0, len(src), CHUNK):
                self._add_load(load, src[i:i + CHUNK], dst[i:i + CHUNK])
        if not load.any():
            return 0.0
        return float((load / np.where(cap > 0, cap * 1e9, np.inf)).max())

    def _add_load(self, load: np.ndarray, src: np.ndarray, dst: np.ndarray) -> None:
        keep = src != dst
        if self.domain_gpus:
            keep &= self.domain_of(src) != self.domain_of(dst)
        if not keep.any():
            return
        links = self.route_plane(None, src[keep], dst[keep], "spread", 0)
        used = links[links >= 0]
        load[:] += np.bincount(used, minlength=len(load))[:len(load)]


def graph_paths(fabric, latency) -> GraphPaths:
    """The path model of a fabric built by :class:`~lightfabric.topology.infragraph.InfraGraphTopology`."""
    d = fabric.detail
    spec = d.spec
    su = spec.scale_up
    group_lat = np.array([latency.link_s.get(n, 0.0) for n in d.group_names] + [0.0])
    tier_lat = np.array([latency.switch(n) for n in d.tier_names] + [0.0])
    return GraphPaths(gpus=spec.gpus, planes=spec.planes, gpu_bw_gbps=d.gpu_bw_gbps,
                      domain_gpus=su.domain_gpus if su else None,
                      scale_up_bw_gbps=spec.scenario.scale_up.bandwidth_per_gpu_gbps / 2 if su else 0.0,
                      link_latency_s=dict(latency.link_s), scale_up_switch_latency_s=latency.switch("su-l1"),
                      scale_up_tiers=su.tiers if su else 1, notes=tuple(fabric.notes),
                      host_gpu=d.host_gpu, host_switch=d.host_switch, host_gbps=d.host_gbps, host_group=d.host_group,
                      sw_u=d.sw_u, sw_v=d.sw_v, sw_gbps=d.sw_gbps, sw_group=d.sw_group,
                      switches=len(d.switch_tier), group_latency_s=group_lat,
                      switch_latency_s=tier_lat[d.switch_tier])
