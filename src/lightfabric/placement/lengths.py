"""A simple physical model of the hall: racks in rows, rows in halls, cables in overhead trays.

Racks of ``gpus_per_rack`` GPUs stand side by side in rows of ``racks_per_row``; rows are
``rack_depth_m + aisle_width_m`` apart; halls of ``rows_per_hall`` rows stand in a grid of
``hall_columns`` columns (default the squarest), ``hall_gap_m`` apart; a building holds
``halls_per_building`` halls, and the campus's buildings stand in a grid of ``building_columns``
(default the squarest), ``building_gap_m`` apart. A campus is laid out in two dimensions: 29 halls
make a 6 x 5 grid of about 180 m by 240 m, not a 1.4 km line.
A cable between racks rises from its device to a tray above the racks and runs along the row
and across rows (Manhattan routing, as in structured data-center cabling), then drops again:

    length = |dx| + |dy| + 2 * (rack_height_m / 2 + tray_height_m) + slack_m

(the device taken at mid-height). A cable inside a rack runs from a device to the switch at
mid-height: ``|z - rack_height_m / 2| + in_rack_slack_m`` with devices spread evenly over the rack.

Where the switches stand:

* scale-up switches in the domain's middle rack (NVL72: in the rack; larger domains: a first
  tier in every rack and a second tier in the domain's middle rack);
* leaves at the top of each rack (amid the racks they serve when a leaf serves more than one),
  at the end or middle of each row, or, for rail fabrics, in the middle of the racks they serve;
* spines of a two-tier fabric, and cores of a three-tier fabric, at the centre of the site;
  spines of a three-tier fabric at the centre of their pod.

Each topology names the :class:`Location` of its tiers; this module knows no tier by name.

Lengths are weighted by the GPUs behind each rack, so a group's distribution is that of its links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from math import ceil

import numpy as np

IN_RACK_SAMPLES = 16


@dataclass(frozen=True)
class LengthStats:
    """The length distribution of a link group (m).

    ``values_m`` and ``weights`` (the distinct lengths, to the centimetre, and the share of links at
    each) are computed when first read: a group's statistics never need them.
    """

    min_m: float
    mean_m: float
    p50_m: float
    p95_m: float
    max_m: float
    source: str                       # "placement" or "fixed"
    _samples: tuple = field(default=(), repr=False, compare=False)   # (lengths, weights) behind the figures

    @classmethod
    def fixed(cls, length_m: float) -> "LengthStats":
        return cls(length_m, length_m, length_m, length_m, length_m, "fixed", ((length_m,), (1.0,)))

    @classmethod
    def from_samples(cls, values_m, weights) -> "LengthStats":
        """Min, mean, p50, p95 and max of lengths ``values_m`` carried by ``weights`` links each.

        A quantile is the smallest length whose cumulative share reaches it (less 1e-12). Exact: no
        sampling; the time is that of one sort of the lengths (of the few whose weight differs from
        the most common one, see :func:`weighted_quantiles_m`).
        """
        v = np.asarray(values_m, dtype=float)
        w = np.asarray(weights, dtype=float)
        keep = w > 0
        if not keep.all():
            v, w = v[keep], w[keep]
        total = float(w.sum())
        p50, p95 = weighted_quantiles_m(v, w, total, (0.5, 0.95))
        return cls(float(v.min()), float(np.dot(v, w) / total), p50, p95, float(v.max()), "placement", (v, w))

    @property
    def values_m(self) -> tuple[float, ...]:
        """The distinct lengths, rounded to the centimetre."""
        return self._distinct()[0]

    @property
    def weights(self) -> tuple[float, ...]:
        """The share of links at each of :attr:`values_m`."""
        return self._distinct()[1]

    def _distinct(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        if not self._samples:
            return (), ()
        v, w = (np.asarray(x, dtype=float) for x in self._samples)
        uniq, inv = np.unique(np.round(v, 2), return_inverse=True)
        uw = np.bincount(inv, weights=w / w.sum())
        return tuple(float(x) for x in uniq), tuple(float(x) for x in uw)

    def as_dict(self) -> dict:
        return {"min_m": round(self.min_m, 2), "mean_m": round(self.mean_m, 2), "p50_m": round(self.p50_m, 2),
                "p95_m": round(self.p95_m, 2), "max_m": round(self.max_m, 2), "source": self.source}


SORT_ALL_BELOW = 2048     # below this many lengths a weighted quantile sorts them all with their weights
                          # (faster there than the bisection over the common weight's lengths)
MAX_ODD_WEIGHTS = 64      # lengths whose weight differs from the common one, handled one by one


def weighted_quantiles_m(v: np.ndarray, w: np.ndarray, total: float, shares) -> list[float]:
    """For each share p, the smallest length whose links' cumulative weight reaches (p - 1e-12) x total.

    Lengths mostly carry one common weight (a whole rack's or row's GPUs); the few that do not (a
    partial rack, in-rack samples) are counted apart, so only the lengths are sorted, not their
    weights with them. Exact, the same choice as sorting everything (up to the rounding of the sum).
    """
    n = len(v)
    if n < SORT_ALL_BELOW:
        return _quantiles_sorting_all(v, w, total, shares)
    common = w[n // 2]
    odd = w != common
    if int(odd.sum()) > MAX_ODD_WEIGHTS:
        return _quantiles_sorting_all(v, w, total, shares)
    bulk = np.sort(v[~odd])
    ov = v[odd]
    order = np.argsort(ov, kind="stable")
    ov, ocum = ov[order], np.cumsum(w[odd][order])

    def cum_upto(t: float) -> float:   # weight of the lengths <= t
        k = int(np.searchsorted(ov, t, side="right"))
        return common * float(np.searchsorted(bulk, t, side="right")) + (float(ocum[k - 1]) if k else 0.0)

    out = []
    for p in shares:
        target = (p - 1e-12) * total
        lo, hi = 0, len(bulk) - 1        # the first bulk length that reaches the target
        best = np.inf
        if len(bulk) and cum_upto(bulk[hi]) >= target:
            while lo < hi:
                mid = (lo + hi) // 2
                if cum_upto(bulk[mid]) >= target:
                    hi = mid
                else:
                    lo = mid + 1
            best = float(bulk[lo])
        for t in ov:                      # or an odd-weight length before it
            if t >= best:
                break
            if cum_upto(t) >= target:
                best = float(t)
                break
        out.append(best if np.isfinite(best) else float(v.max()))
    return out


def _quantiles_sorting_all(v: np.ndarray, w: np.ndarray, total: float, shares) -> list[float]:
    order = np.argsort(v, kind="stable")
    vs, cdf = v[order], np.cumsum(w[order])
    return [float(vs[min(np.searchsorted(cdf, (p - 1e-12) * total), len(v) - 1)]) for p in shares]


@dataclass(frozen=True)
class Layout:
    """Rack centres (m) and the GPUs in each rack, and the same per row of racks."""

    x_m: np.ndarray
    y_m: np.ndarray
    gpus: np.ndarray
    row: np.ndarray
    row_x0_m: np.ndarray     # where each rack's row starts along x (halls side by side)
    rows_x0_m: np.ndarray = None     # per row: where it starts along x
    rows_y_m: np.ndarray = None      # per row: its y
    rows_gpus: np.ndarray = None     # per row: its GPUs
    first_rack: np.ndarray = None    # per row: the index of its first rack
    racks_per_row: int = 1
    in_row_m: np.ndarray = None      # a rack's centre from the start of its row, by position
    full_row_gpus: float = 0.0       # GPUs of a full row

    @property
    def racks(self) -> int:
        return len(self.x_m)


def _row_positions(placement, gpus: int) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(racks, rows, where each row starts along x, each row's y, a rack's centre from the start of its
    row by position): the arithmetic every rack position is made of, once per row."""
    p = placement
    racks = ceil(gpus / p.gpus_per_rack)
    rows = ceil(racks / p.racks_per_row)
    row = np.arange(rows)
    hall, row_in_hall = row // p.rows_per_hall, row % p.rows_per_hall
    halls = int(hall[-1]) + 1
    building, hall_in_building = hall // p.halls_per_building, hall % p.halls_per_building
    buildings = int(building[-1]) + 1
    halls_in_a_building = min(p.halls_per_building, halls)
    cols = p.hall_columns or ceil(np.sqrt(halls_in_a_building) - 1e-9)
    bcols = p.building_columns or ceil(np.sqrt(buildings) - 1e-9)
    pitch = p.rack_depth_m + p.aisle_width_m
    hall_w = p.racks_per_row * p.rack_width_m + p.hall_gap_m
    hall_d = p.rows_per_hall * pitch + p.hall_gap_m
    building_w = cols * hall_w + p.building_gap_m
    building_d = ceil(halls_in_a_building / cols) * hall_d + p.building_gap_m
    x0 = ((building % bcols) * building_w + (hall_in_building % cols) * hall_w).astype(float)
    y = ((building // bcols) * building_d + (hall_in_building // cols) * hall_d + row_in_hall * pitch).astype(float)
    in_row = (np.arange(p.racks_per_row) + 0.5) * p.rack_width_m
    return racks, rows, x0, y, in_row


def layout(placement, gpus: int) -> Layout:
    """Place ``ceil(gpus / gpus_per_rack)`` racks row by row, hall by hall.

    Positions are computed once per row (rows, halls and buildings by arithmetic) and repeated over
    the row's racks: the same numbers as rack by rack, in time proportional to the rows.
    """
    p = placement
    racks, rows, x0, y, in_row = _row_positions(placement, gpus)
    row = np.arange(rows)
    i = np.arange(racks)
    rack_row, pos = i // p.racks_per_row, i % p.racks_per_row
    x = x0[rack_row] + in_row[pos]
    per_rack = np.full(racks, p.gpus_per_rack, dtype=float)
    per_rack[-1] = gpus - p.gpus_per_rack * (racks - 1)
    rows_gpus = np.full(rows, float(p.racks_per_row * p.gpus_per_rack))
    rows_gpus[-1] = gpus - p.racks_per_row * p.gpus_per_rack * (rows - 1)
    return Layout(x, y[rack_row], per_rack, rack_row, x0[rack_row], x0, y, rows_gpus,
                  row * p.racks_per_row, p.racks_per_row, in_row, float(p.racks_per_row * p.gpus_per_rack))


def between_racks_m(placement, dx_m, dy_m):
    """Cable length between two racks ``dx_m`` along and ``dy_m`` across rows apart."""
    p = placement
    same = (np.abs(dx_m) < 1e-9) & (np.abs(dy_m) < 1e-9)
    routed = np.abs(dx_m) + np.abs(dy_m) + 2.0 * (p.rack_height_m / 2 + p.tray_height_m) + p.slack_m
    return np.where(same, in_rack_max_m(placement), routed)


def in_rack_samples_m(placement) -> np.ndarray:
    """Lengths from devices spread evenly over the rack height to a switch at mid-height."""
    h = placement.rack_height_m
    z = (np.arange(IN_RACK_SAMPLES) + 0.5) / IN_RACK_SAMPLES * h
    return np.abs(z - h / 2) + placement.in_rack_slack_m


def in_rack_max_m(placement) -> float:
    return float(in_rack_samples_m(placement).max())


def _group_centres(lay: Layout, gpus_per_group: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The centres of the groups that consecutive racks form with ``gpus_per_group`` GPUs each (a rack
    in the group its first GPU is in), and each rack's place among them."""
    start = np.cumsum(lay.gpus) - lay.gpus
    group = (start // max(gpus_per_group, 1)).astype(int)
    n = group[-1] + 1
    w = np.bincount(group, weights=lay.gpus, minlength=n)
    # a group number no rack starts in (a group wider than several racks) has no weight and is never read
    cx = np.divide(np.bincount(group, weights=lay.gpus * lay.x_m, minlength=n), w, out=np.zeros(n), where=w > 0)
    cy = np.divide(np.bincount(group, weights=lay.gpus * lay.y_m, minlength=n), w, out=np.zeros(n), where=w > 0)
    new = np.empty(len(group), dtype=bool)
    new[0], new[1:] = True, group[1:] != group[:-1]
    used = group[new]
    return cx[used], cy[used], np.cumsum(new) - 1


def _nearest(values: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The element of sorted distinct ``values`` closest to each of ``c`` (the lower one on a tie, as
    ``argmin`` over all of them would choose), by bisection: no racks x positions table."""
    k = np.searchsorted(values, c)
    window = np.clip(k[:, None] + np.arange(-2, 2)[None, :], 0, len(values) - 1)   # the two each side
    best = np.abs(c[:, None] - values[window]).argmin(axis=1)
    return values[window[np.arange(len(c)), best]]


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of a plain float array (sorted, distinct), without np.unique's check for
    a masked array, which imports numpy.ma (10-15 ms of a command's start-up)."""
    s = np.sort(values, axis=None)
    return s[np.concatenate(([True], s[1:] != s[:-1]))] if s.size else s


def _rack_xs(lay: Layout) -> np.ndarray:
    """The distinct x of the racks: the last row's, and every distinct start of the other rows plus
    the positions in a row (the same sums as the racks' own)."""
    parts = [lay.x_m[lay.first_rack[-1]:]]
    if len(lay.rows_x0_m) > 1:
        parts.append((_distinct(lay.rows_x0_m[:-1])[:, None] + lay.in_row_m[None, :]).ravel())
    return _distinct(np.concatenate(parts))


def _snap(lay: Layout, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each centre to the rack position closest to it (switches stand in racks)."""
    return _nearest(_rack_xs(lay), cx), _nearest(_distinct(lay.rows_y_m), cy)


@dataclass(frozen=True)
class Location:
    """Where the devices of one tier stand; a topology names it for each of its tiers.

    ``rule``:

    * ``in-rack``: in every rack, beside the GPUs (GPUs, NICs, the first tier of a multi-rack
      scale-up domain);
    * ``amid``: each device at the rack nearest the centre of the ``gpus_per_device`` consecutive
      GPUs it serves (in their own rack when they fit in one);
    * ``row-end`` / ``row-middle``: at the end or the middle of each row;
    * ``site-centre``: at the rack nearest the centre of the site.

    ``compute_rack``: the device sits in a compute rack, so a cable from it to a switch in the same
    rack stays inside the rack; switch-to-switch cables from network racks always run through the
    tray.
    """

    rule: str
    gpus_per_device: float = 0.0
    compute_rack: bool = False

    RULES = ("in-rack", "amid", "row-end", "row-middle", "site-centre")

    def __post_init__(self):
        if self.rule not in self.RULES:
            raise ValueError(f"unknown location rule {self.rule!r}; allowed: {', '.join(self.RULES)}")
        if self.rule == "amid" and not self.gpus_per_device > 0:
            raise ValueError("an 'amid' location needs gpus_per_device > 0")


IN_RACK = Location("in-rack", compute_rack=True)
ROW_END = Location("row-end")
ROW_MIDDLE = Location("row-middle")
SITE_CENTRE = Location("site-centre")


def amid(gpus_per_device: float, compute_rack: bool = False) -> Location:
    """Each device amid the consecutive ``gpus_per_device`` GPUs it serves."""
    return Location("amid", float(gpus_per_device), compute_rack)


LEAF_LOCATIONS = ("top-of-rack", "end-of-row", "middle-of-row")


def leaf_location(placement, leaf_gpus: float) -> Location:
    """The scenario's ``placement.leaf_location`` for leaves that serve ``leaf_gpus`` GPUs each.

    A top-of-rack leaf serving more GPUs than a rack holds stands amid the racks it serves (its
    links leave the rack); one serving at most a rack's GPUs stands in its rack.
    """
    rule = placement.leaf_location
    if rule == "top-of-rack":
        return amid(leaf_gpus)
    return ROW_END if rule == "end-of-row" else ROW_MIDDLE


def positions_m(placement, lay: "Layout", where: Location) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) of the device each rack's GPUs reach at ``where``, one per rack (m)."""
    p = placement
    if where.rule == "in-rack":
        return lay.x_m, lay.y_m
    if where.rule == "amid":   # each group's centre moved to a rack position once, then per rack
        cx, cy, place = _group_centres(lay, where.gpus_per_device)
        sx, sy = _snap(lay, cx, cy)
        return sx[place], sy[place]
    if where.rule == "row-end":
        return lay.row_x0_m + (p.racks_per_row + 0.5) * p.rack_width_m, lay.y_m
    if where.rule == "row-middle":
        return lay.row_x0_m + (p.racks_per_row // 2 + 0.5) * p.rack_width_m, lay.y_m
    site_x = float(np.average(lay.x_m, weights=lay.gpus))
    site_y = float(np.average(lay.y_m, weights=lay.gpus))
    sx, sy = _snap(lay, np.array([site_x]), np.array([site_y]))
    return np.full(lay.racks, sx[0]), np.full(lay.racks, sy[0])


@lru_cache(maxsize=512)
def _link_lengths_of(placement, gpus: int, groups: tuple) -> dict[str, LengthStats]:
    return _link_lengths(placement, gpus, groups)


def link_lengths(placement, gpus: int, groups) -> dict[str, LengthStats]:
    """Length distribution of every link group of a cluster of ``gpus`` GPUs (a new dict each call).

    Kept by value for the last 512 distinct (placement, cluster, groups): a scenario compared again,
    or a sweep's points that share the cluster and placement, do not place its racks again.
    :func:`clear_lengths_cache` forgets them (benchmarks time a first pass with it).
    See :func:`_link_lengths` for the parameters.
    """
    return dict(_link_lengths_of(placement, int(gpus), tuple(groups)))


def clear_lengths_cache() -> None:
    """Forget every kept result of :func:`link_lengths`."""
    _link_lengths_of.cache_clear()


def _link_lengths(placement, gpus: int, groups) -> dict[str, LengthStats]:
    """Length distribution of every link group of a cluster of ``gpus`` GPUs.

    Parameters
    ----------
    placement : the scenario's ``placement`` (racks, rows, halls, trays).
    groups : iterable of ``(name, lower, upper)``: a link group and the :class:`Location` of the
        devices at its two ends.

    A group whose lower end sits in a compute rack (GPU, NIC, first scale-up tier) uses the in-rack
    distribution for the racks that hold its upper device too; switch-to-switch groups are routed
    through the tray. Lengths are weighted by the GPUs behind each rack.

    The same lengths as :func:`link_lengths_by_rack`, bit for bit, without per-rack arrays where the
    ends allow (see :class:`_Rows`): a group's lengths are one entry per distinct pair of end
    positions and run of racks, computed from the rows.
    """
    rows = _Rows.of(placement, gpus)
    cache: dict[Location, object] = {}

    def at(where: Location):
        if where not in cache:
            cache[where] = None if where.rule == "in-rack" else rows.pieces(where)
        return cache[where]

    out: dict[str, LengthStats] = {}
    for name, lower, upper in groups:
        lo, up = at(lower), at(upper)
        if lo is not None and up is not None:
            lx, ly, ux, uy, weights = rows.merged(lo, up)
        elif lo is None and upper.rule in ("row-end", "row-middle"):
            lx, ly, ux, uy, weights = rows.to_row_ends(up, upper.rule)
        elif lo is None and up is None:        # both in the rack: every link inside it
            lx = ly = ux = uy = np.zeros(1)
            weights = np.array([float(gpus)])
        else:
            lx, ly, ux, uy, weights = rows.per_rack(lo, up)
        if lower.compute_rack:
            out[name] = _mixed(placement, between_racks_m(placement, lx - ux, ly - uy), weights)
        else:
            out[name] = _routed(placement, lx - ux, ly - uy, weights)
    return out


_EPS = float(np.finfo(float).eps)


class _Rows:
    """The layout by rows, for :func:`link_lengths`: no array has an entry per rack unless a group
    needs one (a link from every rack to a device amid racks or at the site centre).

    Every position is the same float as :func:`layout`'s: a rack's x is its row's start plus its
    place in the row (one addition), its y its row's. A tier that is not in the racks is *pieces*:
    the first rack of each run of racks that reach the same device, and the device's (x, y), one
    per run (rows for a row's end or middle, the groups of consecutive GPUs for ``amid``, one for
    the site centre).

    A device amid racks stands at the rack nearest the GPU-weighted centre of the racks it serves.
    The centre is computed in closed form from sums over rows (prefix sums of the row starts and
    the positions in a row), with a bound on its rounding error and on that of the rack-by-rack sum
    of :func:`link_lengths_by_rack`; where the centre is nearer than the two bounds to the middle of
    two racks (a tie: a group of whole rows stands exactly between the two middle racks) the rack
    chosen depends on the rack-by-rack rounding, so those groups, and only those, are summed rack by
    rack in the same order (``np.bincount``, ``np.average``) as before.
    """

    def __init__(self, placement, gpus: int):
        p = self.placement = placement
        self.gpus = gpus
        self.racks, self.n_rows, self.x0, self.y, self.in_row = _row_positions(placement, gpus)
        self.n = p.racks_per_row
        self.gpr = p.gpus_per_rack
        self.last_rack_gpus = float(gpus - p.gpus_per_rack * (self.racks - 1))
        self.last_row_racks = self.racks - (self.n_rows - 1) * self.n
        self._xs = self._ys = self._scale = self._rpx = None

    @classmethod
    def of(cls, placement, gpus: int) -> "_Rows":
        return cls(placement, gpus)

    # --- the racks -------------------------------------------------------------------------------
    def rack_xy(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) of racks ``idx``, the same floats as :func:`layout`'s."""
        r, q = idx // self.n, idx % self.n
        return self.x0[r] + self.in_row[q], self.y[r]

    def rack_gpus(self, idx: np.ndarray) -> np.ndarray:
        g = np.full(len(idx), float(self.gpr))
        g[idx == self.racks - 1] = self.last_rack_gpus
        return g

    def run_gpus(self, starts: np.ndarray) -> np.ndarray:
        """GPUs in the runs of racks that start at ``starts`` (sorted; the last runs to the end)."""
        w = np.diff(np.append(starts, self.racks)).astype(float) * self.gpr
        w[-1] -= self.gpr - self.last_rack_gpus
        return w

    def rack_xs(self) -> np.ndarray:
        """The distinct x of the racks (:func:`_rack_xs`)."""
        if self._xs is None:
            parts = [self.x0[-1] + self.in_row[:self.last_row_racks]]
            if self.n_rows > 1:
                parts.append((_distinct(self.x0[:-1])[:, None] + self.in_row[None, :]).ravel())
            self._xs = _distinct(np.concatenate(parts))
        return self._xs

    def rack_ys(self) -> np.ndarray:
        if self._ys is None:
            self._ys = _distinct(self.y)
        return self._ys

    # --- where a tier stands, as pieces ----------------------------------------------------------
    def pieces(self, where: Location) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first rack of each run, x, y of the device its racks reach) for a tier not in the racks."""
        if where.rule in ("row-end", "row-middle"):
            return np.arange(0, self.n_rows * self.n, self.n), self.x0 + self._row_offset(where.rule), self.y
        if where.rule == "amid":
            starts = self._group_starts(max(where.gpus_per_device, 1))
            ends = np.empty_like(starts)
            ends[:-1], ends[-1] = starts[1:], self.racks
            sx, sy = self._centres(starts, ends)
            return starts, sx, sy
        return np.zeros(1, dtype=np.int64), *self._site_centre()

    def _group_starts(self, per_group) -> np.ndarray:
        """The first rack of each group of ``per_group`` consecutive GPUs that a rack's first GPU is in:
        where ``(rack x gpus_per_rack) // per_group`` (the float division of :func:`_group_centres`)
        changes."""
        R, gpr = self.racks, self.gpr

        def group(i):
            return (i * gpr).astype(float) // per_group

        groups = int(float((R - 1) * gpr) // per_group) + 1
        if groups * 4 > R:        # about a group per rack: find the changes rack by rack
            g = group(np.arange(R))
            return np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
        k = np.arange(groups)
        first = np.minimum(np.ceil(k * (float(per_group) / gpr)).astype(np.int64), R - 1)
        for _ in range(4):        # the first rack whose group is k or more (exact, by the same division)
            at, before = group(first), group(np.maximum(first - 1, 0))
            low = at < k                          # too early
            high = (first > 0) & (before >= k)    # too late
            if not (low.any() or high.any()):
                break
            first = first + low - high
        else:                     # pragma: no cover - the division rounded far from k x per_group
            g = group(np.arange(R))
            return np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
        if len(first) > 1:        # a group no rack starts in has no weight and no device
            first = first[np.concatenate(([True], first[1:] != first[:-1]))]
        return first

    def _tolerance(self, weight, racks_in_group):
        """A bound, with a wide margin, on how far the closed-form centre and the rack-by-rack one can
        fall from the true centre: the prefix sums' rounding (at most every rack's coordinate, over
        the group's weight) and the rack-by-rack sum's (its racks)."""
        if self._scale is None:
            self._scale = max(float(np.abs(self.x0).max()) + self.n * self.placement.rack_width_m,
                              float(np.abs(self.y).max()), 1.0)
        return 64 * _EPS * self._scale * ((self.n_rows + self.n + 8) * self.racks * self.gpr / weight
                                          + racks_in_group + 8)

    def _site_centre(self) -> tuple[np.ndarray, np.ndarray]:
        """The rack nearest the GPU-weighted centre of all racks (:func:`positions_m`'s ``np.average``)."""
        n, k, gpr = self.n, self.last_row_racks, float(self.gpr)
        short = gpr - self.last_rack_gpus
        x_last = float(self.x0[-1] + self.in_row[k - 1])
        y_last = float(self.y[-1])
        in_row_sum = float(self.in_row.sum())
        full = self.n_rows - 1
        sum_x = n * float(self.x0[:-1].sum()) + full * in_row_sum + k * float(self.x0[-1]) + float(self.in_row[:k].sum())
        sum_y = n * float(self.y[:-1].sum()) + k * y_last
        cx = (gpr * sum_x - short * x_last) / self.gpus
        cy = (gpr * sum_y - short * y_last) / self.gpus
        tol = self._tolerance(float(self.gpus), self.racks)
        sx, tx = _nearest_or_tie(self.rack_xs(), np.array([cx]), tol)
        sy, ty = _nearest_or_tie(self.rack_ys(), np.array([cy]), tol)
        if tx[0] or ty[0]:        # where rounding decides: as before, every rack
            idx = np.arange(self.racks)
            x, y = self.rack_xy(idx)
            g = self.rack_gpus(idx)
            sx = _nearest(self.rack_xs(), np.array([float(np.average(x, weights=g))]))
            sy = _nearest(self.rack_ys(), np.array([float(np.average(y, weights=g))]))
        return sx, sy

    def _prefix(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sums of the x and of the y of the racks before ``idx`` (closed form over rows)."""
        n = self.n
        if self._rpx is None:
            self._rpx = np.concatenate(([0.0], np.cumsum(n * self.x0 + float(self.in_row.sum()))))
            self._rpy = np.concatenate(([0.0], np.cumsum(n * self.y)))
            self._sin = np.concatenate(([0.0], np.cumsum(self.in_row)))
            self._x0p, self._yp = np.concatenate((self.x0, [0.0])), np.concatenate((self.y, [0.0]))
        r, q = np.divmod(idx, n)
        return self._rpx[r] + q * self._x0p[r] + self._sin[q], self._rpy[r] + q * self._yp[r]

    def _centres(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rack nearest the GPU-weighted centre of racks ``starts[j]`` to ``ends[j] - 1``: in closed
        form, and rack by rack as :func:`link_lengths_by_rack` sums where the two could differ."""
        gpr, R = float(self.gpr), self.racks
        short = gpr - self.last_rack_gpus
        m = ends - starts
        w = m * gpr
        w[-1] -= short            # the last group holds the last rack
        px_s, py_s = self._prefix(starts)
        px_e, py_e = self._prefix(ends)
        lx, ly = self.rack_xy(np.array([R - 1]))
        sum_x, sum_y = gpr * (px_e - px_s), gpr * (py_e - py_s)
        sum_x[-1] -= short * lx[0]
        sum_y[-1] -= short * ly[0]
        tol = self._tolerance(w, m)
        sx, tie_x = _nearest_or_tie(self.rack_xs(), sum_x / w, tol)
        sy, tie_y = _nearest_or_tie(self.rack_ys(), sum_y / w, tol)
        tie = tie_x | tie_y
        if tie.any():             # where rounding decides: those groups rack by rack, as before
            j = np.flatnonzero(tie)
            ex, ey = self._summed_centres(starts[j], ends[j])
            sx[j], sy[j] = _nearest(self.rack_xs(), ex), _nearest(self.rack_ys(), ey)
        return sx, sy

    def _summed_centres(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centres of the groups of racks ``starts[j]`` to ``ends[j] - 1`` summed rack by rack, in the
        order and with the operations of :func:`_group_centres`."""
        m = ends - starts
        label = np.repeat(np.arange(len(m)), m)
        idx = np.arange(int(m.sum())) - np.repeat(np.cumsum(m) - m, m) + np.repeat(starts, m)
        x, y = self.rack_xy(idx)
        g = self.rack_gpus(idx)
        w = np.bincount(label, weights=g, minlength=len(m))
        return (np.bincount(label, weights=g * x, minlength=len(m)) / w,
                np.bincount(label, weights=g * y, minlength=len(m)) / w)

    # --- a group's entries: (lower x, y, upper x, y, GPUs) ----------------------------------------
    def merged(self, lo, up) -> tuple[np.ndarray, ...]:
        """Both ends pieces: one entry per run of racks that reach the same two devices."""
        (ls, lx, ly), (us, ux, uy) = lo, up
        if len(ls) == 1 and len(us) == 1:
            starts, il, iu = ls, np.zeros(1, dtype=int), np.zeros(1, dtype=int)
        else:
            starts = _distinct(np.concatenate((ls, us)))
            il = np.searchsorted(ls, starts, side="right") - 1
            iu = np.searchsorted(us, starts, side="right") - 1
        return lx[il], ly[il], ux[iu], uy[iu], self.run_gpus(starts)

    def _row_offset(self, rule: str) -> float:
        """Where a row's end or middle device stands from the row's start (m)."""
        p = self.placement
        return (p.racks_per_row + 0.5 if rule == "row-end" else p.racks_per_row // 2 + 0.5) * p.rack_width_m

    def to_row_ends(self, up, rule: str) -> tuple[np.ndarray, ...]:
        """Racks to their row's end or middle: a rack's length depends only on where its row starts
        and its place in the row, so the full rows that start at the same x have the same lengths.
        One row stands for each distinct start, carrying the GPUs of all of them; the last row keeps
        its own (:func:`_row_pattern`)."""
        _, ux_row, _ = up
        n, last = self.n, self.n_rows - 1
        lx, ux, w = [], [], []
        if last:                 # the distinct starts of the full rows and how many rows start there
            x0 = np.sort(self.x0[:-1])
            at = np.flatnonzero(np.concatenate(([True], x0[1:] != x0[:-1])))
            starts, count = x0[at], np.diff(np.append(at, last))
            lx.append((starts[:, None] + self.in_row[None, :]).ravel())
            ux.append(np.repeat(starts + self._row_offset(rule), n))
            w.append(np.repeat(count * float(self.gpr), n))
        k = self.last_row_racks
        lx.append(self.x0[last] + self.in_row[:k])
        ux.append(np.full(k, ux_row[last]))
        wl = np.full(k, float(self.gpr))
        wl[-1] = self.last_rack_gpus
        w.append(wl)
        lx, ux = np.concatenate(lx), np.concatenate(ux)
        zero = np.zeros(len(lx))
        return lx, zero, ux, zero, np.concatenate(w)

    def per_rack(self, lo, up) -> tuple[np.ndarray, ...]:
        """Ends of which one is in every rack: an entry per rack."""
        idx = np.arange(self.racks)
        x, y = self.rack_xy(idx)
        g = self.rack_gpus(idx)
        ends = []
        for side in (lo, up):
            if side is None:
                ends.append((x, y))
            else:
                starts, px, py = side
                reps = np.diff(np.append(starts, self.racks))
                ends.append((np.repeat(px, reps), np.repeat(py, reps)))
        (lx, ly), (ux, uy) = ends
        return lx, ly, ux, uy, g


def _nearest_or_tie(values: np.ndarray, c: np.ndarray, tol) -> tuple[np.ndarray, np.ndarray]:
    """The element of sorted distinct ``values`` nearest each of ``c``, and whether ``c`` is within
    ``tol`` of the middle of its two nearest (where rounding decides, see :class:`_Rows`)."""
    if len(values) == 1:
        return np.full(len(c), values[0]), np.zeros(len(c), dtype=bool)
    k = np.minimum(np.maximum(values.searchsorted(c), 1), len(values) - 1)
    lo, hi = values[k - 1], values[k]
    d_lo, d_hi = np.abs(c - lo), np.abs(hi - c)
    return np.where(d_hi < d_lo, hi, lo), np.abs(d_hi - d_lo) <= 2 * tol


def link_lengths_by_rack(placement, gpus: int, groups) -> dict[str, LengthStats]:
    """The rack-by-rack computation of :func:`link_lengths` (same parameters, same result: every
    rack's position and its devices'), kept as the reference the faster one is tested against
    (``tests/test_build_speed_more.py``)."""
    lay = layout(placement, gpus)
    cache: dict[Location, tuple[np.ndarray, np.ndarray]] = {}

    def at(where: Location):
        if where not in cache:
            cache[where] = positions_m(placement, lay, where)
        return cache[where]

    out: dict[str, LengthStats] = {}
    for name, lower, upper in groups:
        (lx, ly), (ux, uy) = at(lower), at(upper)
        weights = lay.gpus
        if lower.rule == "in-rack" and upper.rule in ("row-end", "row-middle") and len(lay.first_rack) > 1:
            lx, ly, ux, uy, weights = _row_pattern(lay, lx, ly, ux, uy)
        elif lower.rule != "in-rack":
            lx, ly, ux, uy, weights = _runs(lay, lx, ly, ux, uy)
        if lower.compute_rack:
            out[name] = _mixed(placement, between_racks_m(placement, lx - ux, ly - uy), weights)
        else:
            out[name] = _routed(placement, lx - ux, ly - uy, weights)
    return out


def _runs(lay: Layout, *xy: np.ndarray) -> tuple[np.ndarray, ...]:
    """Consecutive racks that reach the same two devices as one entry carrying their GPUs: the same
    lengths, computed once per run (a row, or the part of a row in one pod)."""
    change = np.zeros(lay.racks, dtype=bool)
    change[0] = True
    for a in xy:
        change[1:] |= a[1:] != a[:-1]
    starts = np.flatnonzero(change)
    if len(starts) * 2 > lay.racks:
        return (*xy, lay.gpus)
    return (*(a[starts] for a in xy), np.add.reduceat(lay.gpus, starts))


def _row_pattern(lay: Layout, lx, ly, ux, uy) -> tuple[np.ndarray, ...]:
    """Racks to their row's end or middle: a rack's length depends only on where its row starts (the
    column of its hall and building) and its place in the row, so the full rows that start at the
    same x have the same lengths. One row stands for each distinct start (a few: columns of halls x
    columns of buildings), carrying the GPUs of all of them; the last row keeps its own. Exact: the
    same numbers as rack by rack."""
    n = lay.racks_per_row
    starts, first, count = np.unique(lay.rows_x0_m[:-1], return_index=True, return_counts=True)
    keep = np.r_[(lay.first_rack[first][:, None] + np.arange(n)[None, :]).ravel(),
                 np.arange(lay.first_rack[-1], lay.racks)]
    w = lay.gpus[keep].copy()
    w[:len(first) * n] *= np.repeat(count, n)
    return lx[keep], ly[keep], ux[keep], uy[keep], w


def _routed(placement, dx, dy, weights) -> LengthStats:
    """Switch-to-switch cables: always routed through the tray (switches in network racks)."""
    p = placement
    length = np.abs(dx) + np.abs(dy) + 2.0 * (p.rack_height_m / 2 + p.tray_height_m) + p.slack_m
    return LengthStats.from_samples(length, weights)


def _mixed(placement, lengths_per_rack, weights) -> LengthStats:
    """Per-rack lengths where a rack next to its switch uses the in-rack distribution."""
    s = in_rack_samples_m(placement)
    # np.isclose(lengths, max of s) for finite lengths: the same comparison without its overhead
    inside = np.abs(lengths_per_rack - float(s.max())) <= 1e-08 + 1e-05 * abs(float(s.max()))
    values = [lengths_per_rack[~inside]]
    w = [weights[~inside]]
    if inside.any():
        values.append(s)
        w.append(np.full(len(s), weights[inside].sum() / len(s)))
    return LengthStats.from_samples(np.concatenate(values), np.concatenate(w))
