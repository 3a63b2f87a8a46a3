"""Max-min fair rates of flows over links, by progressive filling.

All unfrozen flows grow at the same pace until a link fills; the flows through a full link are
frozen at their rate; repeat until every flow is frozen (D. Bertsekas and R. Gallager, *Data
Networks*, 2nd ed., Prentice-Hall 1992, section 6.5.2). The number of rounds is the number of
distinct bottleneck levels; each round costs about the links of the flows it freezes:

* The flow-link incidences are prepared once per routing (:class:`FlowLinks`), without a sort:
  link ids are bounded, so the links in use are found by marking them and renumbered by a lookup.
* A link's fill level, ``(capacity - frozen rates) / growing flows``, changes only when flows on
  it freeze, and never goes down; a round updates only the links of the flows it freezes, and
  finds the next level among *candidates*, the links below a threshold (rebuilt from all links
  when every candidate has filled or moved above it).
* A link that carries one flow of the phase (a GPU's own link, most links of a permutation) fills
  at its capacity: it is kept as that flow's own limit, the smallest over its own links, and never
  updated.
* The flows of each shared link are grouped once, on first need, by one sort of (link, flow)
  keys, for the rounds that freeze few flows; a round that freezes many scans every path instead.
"""

from __future__ import annotations

import threading

import numpy as np

BAND = 1.0 / 8      # the candidates: links and flows' own limits within this fraction above the level


_tables = threading.local()


def _link_tables(n_links: int) -> tuple[np.ndarray, np.ndarray]:
    """A clear mark (bool) and a renumbering table (int32) of ``n_links + 1`` entries, kept per thread
    and reused (the mark is left clear after each use; the table is written before it is read): on a
    graph of millions of links the page faults of fresh tables cost more than the rest of the work."""
    mark = getattr(_tables, "mark", None)
    if mark is None or len(mark) < n_links + 1:
        _tables.mark = mark = np.zeros(n_links + 1, dtype=bool)
        _tables.remap = np.empty(n_links + 1, dtype=np.int32)
    return mark[:n_links + 1], _tables.remap[:n_links + 1]


def _segments(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Positions ``starts[i] .. starts[i] + lens[i] - 1`` of every segment, concatenated."""
    ends = np.cumsum(lens)
    return np.repeat(starts - ends + lens, lens) + np.arange(ends[-1] if len(ends) else 0)


class FlowLinks:
    """The links of each routed flow, prepared once and solved for any set of live flows.

    ``paths``: (flows, hops) link ids padded with -1; ``n_links``: the number of link ids (the
    largest id + 1 if not given). ``used`` lists the links in use, ascending; the solver numbers
    them 0..m-1 in that order (the padding is m), so capacities and loads are of the ``used``
    links only. The paths are kept hop by hop: ``rows`` holds, for each hop position, the flows
    that have it (None: every flow, the padding m where one has not) and their links.
    """

    def __init__(self, paths: np.ndarray, n_links: int | None = None):
        paths = np.asarray(paths)
        if paths.ndim != 2:
            raise ValueError("paths must be a (flows, hops) array")
        f, h = paths.shape
        self.flows, self.width = f, h
        if n_links is None:
            n_links = int(paths.max()) + 1 if paths.size else 0
        rows = []                                    # (hop, flows or None, link ids)
        every_flow_linked = False
        self.incidences = 0                          # flow-link pairs (the entries that are not padding)
        for hop, col in enumerate(np.ascontiguousarray(paths.T)):   # no copy of a path array laid out by hop
            real = col >= 0
            n_real = int(np.count_nonzero(real))
            self.incidences += n_real
            if n_real * 4 < f:                       # a hop few flows have: list them
                if n_real:
                    who = np.flatnonzero(real)
                    rows.append((hop, who, col[who]))
            else:
                rows.append((hop, None, col))
                every_flow_linked |= n_real == f
        sizes = [len(ids) for _, _, ids in rows]
        entries = sum(sizes)
        if entries * 32 < n_links:                   # few links of many: a sort of the few is cheaper
            values, inverse = np.unique(np.concatenate([ids for _, _, ids in rows] or [np.zeros(0, np.int64)]),
                                        return_inverse=True)
            pad = len(values) > 0 and values[0] < 0
            self.used = values[1:] if pad else values
            inverse = inverse - pad
            inverse[inverse < 0] = len(self.used)
            parts = np.split(inverse, np.cumsum(sizes)[:-1]) if rows else []
            rows = [(hop, who, part) for (hop, who, _), part in zip(rows, parts)]
        else:                                        # mark the links in use, renumber them by a lookup
            mark, remap = _link_tables(n_links)
            try:
                for _, _, ids in rows:
                    mark[ids] = True                 # the padding -1 marks the extra last entry
                self.used = np.flatnonzero(mark[:n_links])
            except BaseException:
                mark[:] = False
                raise
            mark[self.used] = False                  # the table clear again for the next call
            mark[n_links] = False
            if len(self.used) >= 2**31 - 1:
                remap = np.empty(n_links + 1, dtype=np.int64)
            remap[self.used] = np.arange(len(self.used), dtype=remap.dtype)
            remap[n_links] = len(self.used)
            rows = [(hop, who, remap[ids]) for hop, who, ids in rows]
        # every hop's links in one array of the index type (numpy gathers by it without a conversion),
        # kept for the sums over links; each hop's links are a view of it
        self._all_links = np.concatenate([ids for _, _, ids in rows] or [np.zeros(0, np.intp)]).astype(np.intp, copy=False)
        ends = np.cumsum(sizes)
        rows = [(hop, who, self._all_links[end - size:end]) for (hop, who, _), size, end in zip(rows, sizes, ends)]
        self.rows = rows
        self.m = m = len(self.used)
        self.scan_cost = max(entries, 1)
        self.degree = np.bincount(self._all_links, minlength=m + 1)    # flows per link (and paddings at m)
        self.degree[m] = 0
        self.shared = self.degree > 1                 # links of more than one flow of the phase
        self.shared_ids = np.flatnonzero(self.shared)  # numbered 0..s-1 by the solver, in this order
        self.linked = (np.ones(f, dtype=bool) if every_flow_linked else
                       self.scan(np.arange(m + 1) < m))   # flows with at least one link
        self._shared_local = None
        self._by_link = None

    # --- per hop --------------------------------------------------------------------------------------
    def scan(self, on_link: np.ndarray) -> np.ndarray:
        """The flows with at least one link where ``on_link`` (m + 1,) holds (never at m)."""
        hit = np.zeros(self.flows, dtype=bool)
        for _, who, ids in self.rows:
            if who is None:
                hit |= on_link[ids]
            else:
                hit[who] |= on_link[ids]
        return hit

    def local(self, links: np.ndarray | None = None) -> np.ndarray:
        """Each flow's path as (flows, hops): its links numbered 0..m-1, the padding m; or
        ``links[...]`` of those (m + 1,)."""
        pad = self.m if links is None else links[self.m]
        out = np.full((self.flows, self.width), pad, dtype=np.int64 if links is None else links.dtype)
        for hop, who, ids in self.rows:
            out[slice(None) if who is None else who, hop] = ids if links is None else links[ids]
        return out

    @property
    def shared_local(self) -> np.ndarray:
        """Each flow's shared links (flows, hops) numbered 0..s-1 as in ``shared_ids``, the other
        links and the padding s."""
        if self._shared_local is None:
            s = len(self.shared_ids)
            number = np.full(self.m + 1, s, dtype=np.int32 if s < 2**31 - 1 else np.int64)
            number[self.shared_ids] = np.arange(s, dtype=number.dtype)
            self._shared_local = self.local(number)
        return self._shared_local

    def flows_by_link(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The flows of each shared link (numbered as in ``shared_ids``), ascending (CSR:
        ``flows[start[l]:start[l] + count[l]]``), grouped by one sort of (link, flow) keys."""
        if self._by_link is None:
            s = len(self.shared_ids)
            number = np.full(self.m + 1, s, dtype=np.int64)
            number[self.shared_ids] = np.arange(s)
            links = np.concatenate([number[ids] for _, _, ids in self.rows])
            flows = np.concatenate([np.arange(self.flows) if who is None else who for _, who, _ in self.rows])
            keep = links < s
            key = np.sort((links[keep] << 32) | flows[keep])
            count = self.degree[self.shared_ids]
            self._by_link = (key & 0xFFFFFFFF, np.cumsum(count) - count, count)
        return self._by_link

    # --- sums over paths ------------------------------------------------------------------------------
    def loads(self, rates: np.ndarray) -> np.ndarray:
        """Sum of the rates of the flows on each used link."""
        if not self.rows:
            return np.zeros(self.m)
        links = self._all_links
        weights = np.concatenate([rates if who is None else rates[who] for _, who, _ in self.rows])
        return np.bincount(links, weights=weights, minlength=self.m + 1)[:self.m]

    def path_sum(self, per_link: np.ndarray) -> np.ndarray:
        """Sum over each flow's path of a value per used link: what numpy's ``sum(axis=1)`` of the
        (flows, hops) values gives, which for fewer than 8 hops adds them in hop order."""
        values = np.append(np.asarray(per_link, dtype=float), 0.0)
        if self.width >= 8:
            return values[self.local()].sum(axis=1)
        total = np.zeros(self.flows)
        for _, who, ids in self.rows:
            if who is None:
                total += values[ids]
            else:
                total[who] += values[ids]
        return total

    def _own_limit(self, capacity: np.ndarray) -> np.ndarray:
        """Each flow's smallest capacity among the links it alone uses (inf if none); ``capacity``:
        (m,) of the used links."""
        own_cap = np.empty(self.m + 1)
        own_cap[:self.m] = capacity
        own_cap[self.shared_ids] = np.inf
        own_cap[self.m] = np.inf
        out = np.full(self.flows, np.inf)
        for _, who, ids in self.rows:
            if who is None:
                np.minimum(out, own_cap[ids], out=out)
            else:
                out[who] = np.minimum(out[who], own_cap[ids])
        return out

    def _flows_on(self, full: np.ndarray, live: np.ndarray) -> np.ndarray:
        """The live flows through the shared links ``full`` (numbered as in ``shared_ids``): a mask
        of the flows when many (a scan of every path), else their ids (with repeats, from the
        flows of each link)."""
        links = self.shared_ids[full]
        work = int(self.degree[links].sum())
        if work * (2 if self._by_link is not None else 8) > self.scan_cost:
            on = np.zeros(self.m + 1, dtype=bool)
            on[links] = True
            return self.scan(on) & live
        flows, start, count = self.flows_by_link()
        on = flows[_segments(start[full], count[full])]
        return on[live[on]]

    # --- the solver -----------------------------------------------------------------------------------
    def solve(self, capacity: np.ndarray, active: np.ndarray | None = None, rel_tol: float = 1e-9) -> np.ndarray:
        """Max-min fair rate of each flow; ``capacity``: (m,) of the ``used`` links; ``active``:
        (flows,) bool, the flows that take part (the others get rate 0 and load nothing).

        The result is that of plain progressive filling: each round's level is the smallest fill
        level of any link, and every link within ``rel_tol`` of it fills in that round."""
        f, m = self.flows, self.m
        rate = np.zeros(f)
        live = np.ones(f, dtype=bool) if active is None else np.array(active, dtype=bool)
        if f == 0 or m == 0:
            return rate
        all_live = bool(live.all())
        sh = self.shared_ids                         # the solver's links: those of several flows
        n = len(sh)
        if all_live:
            count = self.degree[sh].astype(float)
        else:
            live_ids = [ids[live] if who is None else ids[live[who]] for _, who, ids in self.rows]
            count = np.bincount(np.concatenate(live_ids), minlength=m + 1)[sh].astype(float)
        count = np.append(count, 0.0)                # growing flows per link (and the padding at n)
        capacity = np.asarray(capacity, dtype=float)
        cap = np.append(capacity[sh], np.inf)
        growing = int(np.count_nonzero(live & self.linked) if not all_live else np.count_nonzero(self.linked))
        # a link of one flow fills at its capacity, unchanged until that flow freezes: the flow's own
        # limit stands for it (the smallest over its links), and it is never updated
        own = self._own_limit(capacity)
        if not all_live:
            own[~live] = np.inf
        frozen_load = np.zeros(n + 1)                # rates of the frozen flows per link
        with np.errstate(divide="ignore"):
            fill = np.where(count > 0, cap / np.maximum(count, 1), np.inf)   # fill level per link
        # candidates: every shared link (flow) whose fill level (own limit) is <= top, and perhaps
        # some above it, dropped in passing
        cand = fcand = np.zeros(0, dtype=np.int64)
        top = -np.inf
        dropped = 0
        flow_mark = link_mark = link_k = None        # scratch to find distinct flows and links
        while growing:
            if dropped * 2 > len(cand) + len(fcand):
                cand = cand[fill[cand] <= top]
                fcand = fcand[own[fcand] <= top]
                dropped = 0
            vals, fvals = fill[cand], own[fcand]
            level = min(float(vals.min()) if len(vals) else np.inf, float(fvals.min()) if len(fvals) else np.inf)
            limit = level * (1.0 + rel_tol) + 1e-300
            if limit > top:                          # rebuild the candidates from all links and flows
                level = min(float(fill.min()), float(own.min()))
                if not np.isfinite(level):
                    break
                limit = level * (1.0 + rel_tol) + 1e-300
                top = max(limit, level + abs(level) * BAND)
                cand, fcand = np.flatnonzero(fill <= top), np.flatnonzero(own <= top)
                vals, fvals = fill[cand], own[fcand]
                dropped = 0
            full, alone = cand[vals <= limit], fcand[fvals <= limit]
            if not len(full) and not len(alone):     # only a negative level (rounding) gets here
                full, alone = cand[vals <= level], fcand[fvals <= level]
            lv = max(level, 0.0)
            dropped += len(full) + len(alone)
            on = self._flows_on(full, live) if len(full) else alone
            if not len(full):                        # only flows' own limits: distinct flows already
                frozen, frozen_mask, n_frozen = alone, None, len(alone)
            elif on.dtype == bool:
                on[alone] = True
                n_frozen = int(np.count_nonzero(on))
                frozen, frozen_mask = (None if n_frozen == growing else np.flatnonzero(on)), on
            else:                                    # distinct flows: one occurrence of each
                if len(full):
                    on = np.concatenate([on, alone])
                pos = np.arange(len(on))
                if flow_mark is None:
                    flow_mark = np.empty(f, dtype=np.int64)
                flow_mark[on] = pos
                frozen, frozen_mask = on[flow_mark[on] == pos], None
                n_frozen = len(frozen)
            if n_frozen == growing:                  # the last flows freeze: no link to update
                rate[frozen_mask if frozen is None else frozen] = lv
                break
            rate[frozen] = lv
            growing -= n_frozen
            live[frozen] = False
            own[frozen] = np.inf
            # the shared links of the frozen flows, and how many of them each carries
            if n_frozen * 16 < f:
                links = self.shared_local[frozen].ravel()
                pos = np.arange(len(links))
                if link_mark is None:
                    link_mark, link_k = np.empty(n + 1, dtype=np.int64), np.zeros(n + 1, dtype=np.int64)
                link_mark[links] = pos
                touched = links[link_mark[links] == pos]
                np.add.at(link_k, links, 1)
                k = link_k[touched]
                link_k[touched] = 0
            else:
                if frozen_mask is None:
                    frozen_mask = np.zeros(f, dtype=bool)
                    frozen_mask[frozen] = True
                k = np.bincount(self.shared_local[frozen_mask].ravel(), minlength=n + 1)
                touched = np.flatnonzero(k)
                k = k[touched]
            old = fill[touched]
            load = frozen_load[touched] + lv * k
            frozen_load[touched] = load
            c = count[touched] - k
            count[touched] = c
            new = (cap[touched] - load) / np.maximum(c, 1)
            new[c <= 0.5] = np.inf
            fill[touched] = new
            # a touched link that is (by rounding) back at or below the threshold joins the candidates
            back = touched[(new <= top) & (old > top)]
            if len(back):
                cand = np.concatenate([cand, back])
        return rate


def max_min_rates(paths: np.ndarray, capacity: np.ndarray, active: np.ndarray | None = None,
                  rel_tol: float = 1e-9) -> np.ndarray:
    """Max-min fair rate of each flow (units of ``capacity``).

    Parameters
    ----------
    paths : (flows, hops) int array of link ids, padded with -1
    capacity : (links,) float array
    active : (flows,) bool, optional
        Flows that take part (the others get rate 0 and load nothing).
    """
    capacity = np.asarray(capacity)
    fl = FlowLinks(paths, len(capacity))
    return fl.solve(capacity[fl.used], active, rel_tol)


def link_load(paths: np.ndarray, rates: np.ndarray, n_links: int) -> np.ndarray:
    """Sum of the rates of the flows on each link."""
    flow_idx, hop = np.nonzero(paths >= 0)
    return np.bincount(paths[flow_idx, hop], weights=rates[flow_idx], minlength=n_links)
