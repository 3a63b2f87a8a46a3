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


SORT_ALL_BELOW = 512      # below this many lengths a weighted quantile sorts them all with their weights
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


def layout(placement, gpus: int) -> Layout:
    """Place ``ceil(gpus / gpus_per_rack)`` racks row by row, hall by hall.

    Positions are computed once per row (rows, halls and buildings by arithmetic) and repeated over
    the row's racks: the same numbers as rack by rack, in time proportional to the rows.
    """
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
    i = np.arange(racks)
    rack_row, pos = i // p.racks_per_row, i % p.racks_per_row
    in_row = (np.arange(p.racks_per_row) + 0.5) * p.rack_width_m
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


def _rack_xs(lay: Layout) -> np.ndarray:
    """The distinct x of the racks: the last row's, and every distinct start of the other rows plus
    the positions in a row (the same sums as the racks' own)."""
    parts = [lay.x_m[lay.first_rack[-1]:]]
    if len(lay.rows_x0_m) > 1:
        parts.append((np.unique(lay.rows_x0_m[:-1])[:, None] + lay.in_row_m[None, :]).ravel())
    return np.unique(np.concatenate(parts))


def _snap(lay: Layout, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each centre to the rack position closest to it (switches stand in racks)."""
    return _nearest(_rack_xs(lay), cx), _nearest(np.unique(lay.rows_y_m), cy)


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


def link_lengths(placement, gpus: int, groups) -> dict[str, LengthStats]:
    """Length distribution of every link group of a cluster of ``gpus`` GPUs.

    Parameters
    ----------
    placement : the scenario's ``placement`` (racks, rows, halls, trays).
    groups : iterable of ``(name, lower, upper)``: a link group and the :class:`Location` of the
        devices at its two ends.

    A group whose lower end sits in a compute rack (GPU, NIC, first scale-up tier) uses the in-rack
    distribution for the racks that hold its upper device too; switch-to-switch groups are routed
    through the tray. Lengths are weighted by the GPUs behind each rack.
    """
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
    inside = np.isclose(lengths_per_rack, in_rack_max_m(placement))
    values = [lengths_per_rack[~inside]]
    w = [weights[~inside]]
    if inside.any():
        values.append(s)
        w.append(np.full(len(s), weights[inside].sum() / len(s)))
    return LengthStats.from_samples(np.concatenate(values), np.concatenate(w))
