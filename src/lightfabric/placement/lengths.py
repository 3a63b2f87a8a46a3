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

from dataclasses import dataclass
from math import ceil

import numpy as np

IN_RACK_SAMPLES = 16


@dataclass(frozen=True)
class LengthStats:
    """The length distribution of a link group (m)."""

    min_m: float
    mean_m: float
    p50_m: float
    p95_m: float
    max_m: float
    source: str                       # "placement" or "fixed"
    values_m: tuple[float, ...] = ()  # distinct lengths
    weights: tuple[float, ...] = ()   # share of links at each

    @classmethod
    def fixed(cls, length_m: float) -> "LengthStats":
        return cls(length_m, length_m, length_m, length_m, length_m, "fixed", (length_m,), (1.0,))

    @classmethod
    def from_samples(cls, values_m, weights) -> "LengthStats":
        v = np.asarray(values_m, dtype=float)
        w = np.asarray(weights, dtype=float)
        keep = w > 0
        v, w = v[keep], w[keep]
        order = np.argsort(v)
        v, w = v[order], w[order] / w.sum()
        cdf = np.cumsum(w)

        def q(p: float) -> float:
            return float(v[min(np.searchsorted(cdf, p - 1e-12), len(v) - 1)])

        uniq, inv = np.unique(np.round(v, 2), return_inverse=True)
        uw = np.bincount(inv, weights=w)
        return cls(float(v[0]), float(np.dot(v, w)), q(0.5), q(0.95), float(v[-1]), "placement",
                   tuple(float(x) for x in uniq), tuple(float(x) for x in uw))

    def as_dict(self) -> dict:
        return {"min_m": round(self.min_m, 2), "mean_m": round(self.mean_m, 2), "p50_m": round(self.p50_m, 2),
                "p95_m": round(self.p95_m, 2), "max_m": round(self.max_m, 2), "source": self.source}


@dataclass(frozen=True)
class Layout:
    """Rack centres (m) and the GPUs in each rack."""

    x_m: np.ndarray
    y_m: np.ndarray
    gpus: np.ndarray
    row: np.ndarray
    row_x0_m: np.ndarray     # where each rack's row starts along x (halls side by side)

    @property
    def racks(self) -> int:
        return len(self.x_m)


def layout(placement, gpus: int) -> Layout:
    """Place ``ceil(gpus / gpus_per_rack)`` racks row by row, hall by hall."""
    p = placement
    racks = ceil(gpus / p.gpus_per_rack)
    i = np.arange(racks)
    row, pos = i // p.racks_per_row, i % p.racks_per_row
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
    x0 = (building % bcols) * building_w + (hall_in_building % cols) * hall_w
    y = (building // bcols) * building_d + (hall_in_building // cols) * hall_d + row_in_hall * pitch
    x = x0 + (pos + 0.5) * p.rack_width_m
    per_rack = np.full(racks, p.gpus_per_rack, dtype=float)
    per_rack[-1] = gpus - p.gpus_per_rack * (racks - 1)
    return Layout(x, y.astype(float), per_rack, row, x0.astype(float))


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


def _group_centres(lay: Layout, gpus_per_group: float) -> tuple[np.ndarray, np.ndarray]:
    """Each rack's group centre when consecutive racks form groups of ``gpus_per_group`` GPUs."""
    start = np.cumsum(lay.gpus) - lay.gpus
    group = (start // max(gpus_per_group, 1)).astype(int)
    n = group.max() + 1
    w = np.bincount(group, weights=lay.gpus, minlength=n)
    # a group number no rack starts in (a group wider than several racks) has no weight and is never read
    cx = np.divide(np.bincount(group, weights=lay.gpus * lay.x_m, minlength=n), w, out=np.zeros(n), where=w > 0)
    cy = np.divide(np.bincount(group, weights=lay.gpus * lay.y_m, minlength=n), w, out=np.zeros(n), where=w > 0)
    return cx[group], cy[group]


def _snap(lay: Layout, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each centre to the rack position closest to it (switches stand in racks)."""
    xs, ys = np.unique(lay.x_m), np.unique(lay.y_m)
    sx = xs[np.abs(cx[:, None] - xs[None, :]).argmin(axis=1)]
    sy = ys[np.abs(cy[:, None] - ys[None, :]).argmin(axis=1)]
    return sx, sy


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
    if where.rule == "amid":
        return _snap(lay, *_group_centres(lay, where.gpus_per_device))
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
        if lower.compute_rack:
            out[name] = _mixed(placement, between_racks_m(placement, lx - ux, ly - uy), lay.gpus)
        else:
            out[name] = _routed(placement, lx - ux, ly - uy, lay.gpus)
    return out


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
