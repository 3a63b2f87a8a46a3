"""Issue 25 items 1 and 2: building a fabric at any size, and the sweep's slow path, give the results
stored before the speed work (tests/data/build_speed_reference.json, written by
tests/build_speed_cases.py from the code as it was).

Tolerances: a link group's min, p50, p95 and max length are lengths of racks, computed by the same
float operations as before, so they are compared exactly; the mean is the same weighted sum taken in
another order (per row instead of per rack, no sort), compared to a relative 1e-12 (the largest
difference seen is 8e-12 m); counts, parts, feasibility and reasons exactly; money and power (which
carry the mean length through fiber and cable prices) to a relative 1e-12; fiber metres, which the
bill of materials rounds to 0.1 m, to one rounding step (a mean that moves in its last bit can cross
a rounding boundary: 2,036,798.6 against 2,036,798.7 m in one case).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed_cases import DATA, run_cases, run_slow_sweep  # noqa: E402

REL = 1e-12
ROUNDED_M = 0.1 + 1e-9     # the bill of materials' fiber metres, rounded to 0.1 m


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(DATA.read_text())


@pytest.fixture(scope="module")
def now() -> dict:
    return run_cases()


def _close(a, b, rel=REL, abs_=0.0) -> bool:
    if a is None or b is None or isinstance(a, (str, bool)) or isinstance(b, (str, bool)):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def test_every_scenario_is_still_built(reference, now):
    # examples added since the reference was stored are built too, but have nothing to compare with
    assert set(reference["cases"]) <= set(now)
    assert len(now) >= 100 and any(k.startswith("th6-1000000") for k in now)


def test_link_lengths_are_unchanged(reference, now):
    bad = []
    for name, ref in reference["cases"].items():
        got = now[name]
        if "error" in ref:
            assert got == ref, name
            continue
        assert sorted(got["lengths"]) == sorted(ref["lengths"]), name
        for group, r in ref["lengths"].items():
            g = got["lengths"][group]
            ok = (g[5] == r[5] and _close(g[1], r[1]) and
                  all(g[i] == r[i] for i in (0, 2, 3, 4)))
            if not ok:
                bad.append((name, group, r, g))
    assert not bad, bad[:5]


def test_compare_totals_are_unchanged(reference, now):
    bad = []
    for name, ref in reference["cases"].items():
        if "error" in ref:
            continue
        for tech, r in ref["results"].items():
            g = now[name]["results"][tech]
            if (g["feasible"], g["reasons"]) != (r["feasible"], r["reasons"]):
                bad.append((name, tech, "feasible/reasons"))
                continue
            if not r["feasible"]:
                continue
            if g["groups"] != r["groups"]:
                bad.append((name, tech, "groups", r["groups"], g["groups"]))
            for key in ("capex_usd", "energy_usd", "capex_energy_usd"):
                if not _close(g[key], r[key]):
                    bad.append((name, tech, key, r[key], g[key]))
            for d in ("power_w", "bom"):
                for k, v in r[d].items():
                    if not (_close(g[d][k], v) or (k == "fiber_m" and abs(g[d][k] - v) <= ROUNDED_M)):
                        bad.append((name, tech, d, k, v, g[d][k]))
    assert not bad, bad[:5]


def test_the_slow_sweep_path_gives_the_stored_rows(reference, tmp_path):
    ref = reference["slow_sweep"]
    got = run_slow_sweep(tmp_path)
    assert sorted(got) == sorted(ref)
    assert len(ref["point"]) == 192 and sum(ref["feasible"]) == 148
    for col, values in ref.items():
        assert len(got[col]) == len(values), col
        bad = [(i, a, b) for i, (a, b) in enumerate(zip(values, got[col]))
               if not (_close(b, a) or (col == "fiber_m" and abs(b - a) <= ROUNDED_M))]
        assert not bad, (col, bad[:5])
