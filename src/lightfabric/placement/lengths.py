"""A simple physical model of the hall: racks in rows, rows in halls, cables in overhead trays.

Racks of ``gpus_per_rack`` GPUs stand side by side in rows of ``racks_per_row``; rows are
``rack_depth_m + aisle_width_m`` apart; halls of ``rows_per_hall`` rows are ``hall_gap_m`` apart.
A cable between racks rises from its device to a tray above the racks and runs along the row
and across rows (Manhattan routing, as in structured data-center cabling), then drops again:

    length = |dx| + |dy| + 2 * (rack_height_m / 2 + tray_height_m) + slack_m

(the device taken at mid-height). A cable inside a rack runs from a device to the switch at
mid-height: ``|z - rack_height_m / 2| + in_rack_slack_m`` with devices spread evenly over the rack.

Where the switches stand:

* scale-up switches in the domain's middle rack (NVL72: in the rack; larger domains: a first
  tier in every rack and a second tier in the domain's middle rack);
* leaves at the top of each rack, at the end or middle of each row, or, for a rail-optimized
  fabric, in the middle of the racks of each rail group;
* spines of a two-tier fabric, and cores of a three-tier fabric, at the centre of the site;
  spines of a three-tier fabric at the centre of their pod.

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
    pitch = p.rack_depth_m + p.aisle_width_m
    hall_span = p.rows_per_hall * pitch + p.hall_gap_m
    x = (pos + 0.5) * p.rack_width_m
    y = hall * hall_span + row_in_hall * pitch
    per_rack = np.full(racks, p.gpus_per_rack, dtype=float)
    per_rack[-1] = gpus - p.gpus_per_rack * (racks - 1)
    return Layout(x, y, per_rack, row)


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


def _in_rack_stats(placement) -> LengthStats:
    s = in_rack_samples_m(placement)
    return LengthStats.from_samples(s, np.ones_like(s))


def _group_centres(lay: Layout, gpus_per_group: float) -> tuple[np.ndarray, np.ndarray]:
    """Each rack's group centre when consecutive racks form groups of ``gpus_per_group`` GPUs."""
    start = np.cumsum(lay.gpus) - lay.gpus
    group = (start // max(gpus_per_group, 1)).astype(int)
    n = group.max() + 1
    w = np.bincount(group, weights=lay.gpus, minlength=n)
    cx = np.bincount(group, weights=lay.gpus * lay.x_m, minlength=n) / w
    cy = np.bincount(group, weights=lay.gpus * lay.y_m, minlength=n) / w
    return cx[group], cy[group]


def _snap(lay: Layout, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each centre to the rack position closest to it (switches stand in racks)."""
    xs, ys = np.unique(lay.x_m), np.unique(lay.y_m)
    sx = xs[np.abs(cx[:, None] - xs[None, :]).argmin(axis=1)]
    sy = ys[np.abs(cy[:, None] - ys[None, :]).argmin(axis=1)]
    return sx, sy


def link_lengths(placement, gpus: int, *, domain_gpus: int | None = None, scale_up_tiers: int = 1,
                 leaf_gpus: float, pod_gpus: float | None, tiers: int,
                 rail_group_gpus: float | None = None) -> dict[str, LengthStats]:
    """Length distribution of every link group of a cluster.

    Parameters
    ----------
    leaf_gpus : GPUs behind one leaf (its host ports over the host ports per GPU).
    pod_gpus : GPUs behind one pod of a three-tier fabric (None for fewer tiers).
    rail_group_gpus : GPUs of one rail group (rail-optimized fabrics): the leaves of the group
        stand in its middle rack.
    """
    p = placement
    lay = layout(p, gpus)
    out: dict[str, LengthStats] = {}
    in_rack = _in_rack_stats(p)

    if domain_gpus is not None:
        cx, cy = _snap(lay, *_group_centres(lay, domain_gpus))
        cross = between_racks_m(p, lay.x_m - cx, lay.y_m - cy)
        if scale_up_tiers == 1:
            if domain_gpus <= p.gpus_per_rack:
                out["scale-up"] = in_rack
            else:
                out["scale-up"] = _mixed(p, cross, lay.gpus)
        else:
            out["scale-up"] = in_rack
            out["scale-up-spine"] = _mixed(p, cross, lay.gpus)

    # host-leaf
    if rail_group_gpus is not None:
        lx, ly = _snap(lay, *_group_centres(lay, rail_group_gpus))
    elif p.leaf_location == "top-of-rack":
        lx, ly = lay.x_m, lay.y_m
    elif p.leaf_location == "end-of-row":
        lx, ly = np.full(lay.racks, (p.racks_per_row + 0.5) * p.rack_width_m), lay.y_m
    else:
        lx, ly = np.full(lay.racks, (p.racks_per_row // 2 + 0.5) * p.rack_width_m), lay.y_m
    host = between_racks_m(p, lay.x_m - lx, lay.y_m - ly)
    out["host-leaf"] = _mixed(p, host, lay.gpus)

    if tiers >= 2:
        site_x = float(np.average(lay.x_m, weights=lay.gpus))
        site_y = float(np.average(lay.y_m, weights=lay.gpus))
        sx, sy = _snap(lay, np.array([site_x]), np.array([site_y]))
        if tiers == 2:
            out["leaf-spine"] = _routed(p, lx - sx[0], ly - sy[0], lay.gpus)
        else:
            px, py = _snap(lay, *_group_centres(lay, pod_gpus or gpus))
            out["leaf-spine"] = _routed(p, lx - px, ly - py, lay.gpus)
            out["spine-core"] = _routed(p, px - sx[0], py - sy[0], lay.gpus)
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
