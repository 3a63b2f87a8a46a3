"""Issue 25 item 1: link lengths from the rows give the rack-by-rack lengths bit for bit.

`placement.link_lengths` computes positions per row, group centres in closed form and entries per
run of racks; `placement.lengths.link_lengths_by_rack` is the computation rack by rack it replaced.
Min, p50, p95 and max must be the same floats; the mean the same sum in another order (1e-12).
The placements, sizes and groups are drawn at random (seeded) over every pair of locations, with
groups of whole rows (their centre exactly between two racks: the tie the closed form hands back to
the rack-by-rack sum) and fractional group sizes.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from lightfabric.placement.lengths import (
    IN_RACK, ROW_END, ROW_MIDDLE, SITE_CENTRE, _nearest_or_tie, _Rows, amid, link_lengths, link_lengths_by_rack,
)
from lightfabric.scenario.models import Placement


def _stats(d: dict) -> dict:
    return {k: (v.min_m, v.mean_m, v.p50_m, v.p95_m, v.max_m) for k, v in d.items()}


def _same(a: dict, b: dict) -> list:
    bad = []
    for k, o in a.items():
        n = b[k]
        if not (o[0] == n[0] and o[2:] == n[2:] and abs(o[1] - n[1]) <= 1e-12 * abs(o[1])):
            bad.append((k, o, n))
    return bad


@pytest.mark.parametrize("seed", range(6))
def test_lengths_from_rows_equal_rack_by_rack(seed):
    rng = random.Random(seed)
    bad = []
    for _ in range(12):
        place = Placement(gpus_per_rack=rng.choice([4, 8, 16, 64, 72, 128]),
                          racks_per_row=rng.choice([1, 2, 5, 8, 10, 16, 20]),
                          rows_per_hall=rng.choice([1, 3, 5, 12]), halls_per_building=rng.choice([1, 2, 3, 32]),
                          rack_width_m=rng.choice([0.5, 0.6, 0.7, 1.1]), hall_columns=rng.choice([None, 1, 2, 3]))
        gpus = max(1, rng.choice([1, 7, 72, 512, 1000, 1152, 4096, 12345, 32768, 100_000]) + rng.choice([0, 1, -1, 5]))
        locs = [IN_RACK, ROW_END, ROW_MIDDLE, SITE_CENTRE,
                amid(rng.choice([64, 72, 128, 144, 512, 1000, 4608, 8192, 37.5, 2.5])),
                amid(rng.choice([72, 512, 1152, 4096, 8192]), compute_rack=rng.random() < 0.5), amid(gpus / 3)]
        groups = [(f"g{i}", a, b) for i, (a, b) in enumerate(itertools.product(locs, locs))]
        groups = rng.sample(groups, 10)
        bad += [(gpus, place, g) for g in _same(_stats(link_lengths_by_rack(place, gpus, groups)),
                                                _stats(link_lengths(place, gpus, groups)))]
    assert not bad, bad[:3]


def test_a_group_of_whole_rows_is_a_tie_summed_rack_by_rack():
    # 4 whole rows of 16 racks per group: the centre falls exactly between the 8th and 9th rack
    place = Placement(gpus_per_rack=8, racks_per_row=16, rows_per_hall=4)
    rows = _Rows(place, 8 * 16 * 4 * 5)
    starts = rows._group_starts(8.0 * 16 * 4)
    ends = list(starts[1:]) + [rows.racks]
    m = np.asarray(ends) - starts
    tol = rows._tolerance(m * 8.0, m)
    px_s, _ = rows._prefix(starts)
    px_e, _ = rows._prefix(np.asarray(ends))
    _, tie = _nearest_or_tie(rows.rack_xs(), 8.0 * (px_e - px_s) / (m * 8.0), tol)
    assert tie.all()
    groups = [("up", ROW_END, amid(8.0 * 16 * 4)), ("top", amid(8.0 * 16 * 4), SITE_CENTRE),
              ("nic", IN_RACK, amid(8.0 * 16 * 4))]
    gpus = 8 * 16 * 4 * 5
    assert not _same(_stats(link_lengths_by_rack(place, gpus, groups)), _stats(link_lengths(place, gpus, groups)))
