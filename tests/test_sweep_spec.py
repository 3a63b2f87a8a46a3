"""The sweep file and its design space: every grid point exactly once, chunks that agree with the
whole, Latin-hypercube strata, safe constraints, and errors that name the field."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from lightfabric.errors import LightfabricError
from lightfabric.sweep import chunk, keep, parse_sweep, size

GRID = {"base": "default", "axes": {
    "cluster.gpus": [8192, 16384, 32768],
    "scale_out.port_rate_gbps": {"values": [400, 800]},
    "economics.electricity_usd_per_kwh": {"linspace": [0.04, 0.2, 5]},
    "technologies": [["cpo"], ["lpo"]],
}}


def test_grid_is_the_product_in_order():
    spec = parse_sweep({"axes": {k: v for k, v in GRID["axes"].items() if k != "technologies"}})
    assert size(spec) == 3 * 2 * 5
    cols = chunk(spec, 0, size(spec))
    got = list(zip(cols["cluster.gpus"], cols["scale_out.port_rate_gbps"], cols["economics.electricity_usd_per_kwh"]))
    want = list(itertools.product([8192, 16384, 32768], [400, 800], np.linspace(0.04, 0.2, 5)))
    assert np.allclose(np.array(got, dtype=float), np.array(want, dtype=float), rtol=0, atol=1e-12)


@given(st.integers(0, 30), st.integers(0, 30))
def test_chunks_agree_with_the_whole(a, b):
    spec = parse_sweep({"axes": {k: v for k, v in GRID["axes"].items() if k != "technologies"}})
    lo, hi = sorted((a, b))
    whole = chunk(spec, 0, size(spec))
    part = chunk(spec, lo, hi)
    for name in whole:
        assert list(part[name]) == list(whole[name][lo:hi])


def test_range_axis_is_numpy_arange():
    spec = parse_sweep({"axes": {"scale_out.oversubscription": {"range": [1, 3, 0.5]}}})
    assert list(chunk(spec, 0, size(spec))["scale_out.oversubscription"]) == [1.0, 1.5, 2.0, 2.5]


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 200), st.integers(0, 1000))
def test_latin_hypercube_has_one_point_per_stratum(n, seed):
    spec = parse_sweep({"seed": seed, "sample": {"method": "lhs", "points": n},
                        "axes": {"scale_out.oversubscription": {"low": 1, "high": 3},
                                 "economics.pue": {"low": 1.1, "high": 1.6}}})
    cols = chunk(spec, 0, n)
    for name, (lo, hi) in (("scale_out.oversubscription", (1, 3)), ("economics.pue", (1.1, 1.6))):
        strata = np.floor((cols[name] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))  # each of the n equal slices holds exactly one point
    again = chunk(spec, n // 2, n)
    assert np.array_equal(again["economics.pue"], cols["economics.pue"][n // 2:])


def test_random_sample_is_seeded_and_in_range():
    body = {"seed": 7, "sample": {"method": "random", "points": 1000},
            "axes": {"cluster.gpus": {"low": 1024, "high": 65536, "log": True, "integer": True},
                     "scale_out.switch": ["tomahawk-5", "tomahawk-6"]}}
    a, b = chunk(parse_sweep(body), 0, 1000), chunk(parse_sweep(body), 0, 1000)
    assert np.array_equal(a["cluster.gpus"], b["cluster.gpus"])
    assert a["cluster.gpus"].min() >= 1024 and a["cluster.gpus"].max() <= 65536
    assert a["cluster.gpus"].dtype.kind == "i"
    # log-uniform: about half the points below the geometric mean
    assert 0.45 < np.mean(a["cluster.gpus"] < np.sqrt(1024 * 65536)) < 0.55
    assert set(a["scale_out.switch"]) == {"tomahawk-5", "tomahawk-6"}


def test_constraints_drop_points():
    spec = parse_sweep({**GRID, "constraints": ["cluster.gpus <= 16384 and scale_out.port_rate_gbps == 800",
                                                 "not economics.electricity_usd_per_kwh > 0.12"]})
    cols = chunk(spec, 0, size(spec))
    mask = keep(spec, cols)
    expected = [(g <= 16384 and r == 800 and not e > 0.12) for g, r, e in
                zip(cols["cluster.gpus"], cols["scale_out.port_rate_gbps"], cols["economics.electricity_usd_per_kwh"])]
    assert list(mask) == expected and 0 < mask.sum() < len(mask)


@pytest.mark.parametrize("body, words", [
    ({"axes": {"cluster.gpuz": [1, 2]}}, ["cluster.gpuz", "did you mean", "'gpus'"]),
    ({"axes": {"cluster": [1, 2]}}, ["section", "gpus"]),
    ({"axes": {"cluster.gpus.x": [1]}}, ["no fields below"]),
    ({"axes": {"cluster.gpus": {"low": 1, "high": 5}}}, ["random or lhs"]),
    ({"axes": {"cluster.gpus": [1]}, "sample": {"method": "lhs"}}, ["sample.points is required"]),
    ({"axes": {"cluster.gpus": {"linspace": [1, 5, 0]}}}, ["number of values"]),
    ({"axes": {"cluster.gpus": {"range": [5, 1, 1]}}}, ["step"]),
    ({"axes": {"cluster.gpus": [1]}, "constraints": ["__import__('os').system('x')"]}, ["not allowed"]),
    ({"axes": {"cluster.gpus": [1]}, "constraints": ["cluster.gpus < "]}, ["not an expression"]),
    ({"axes": {"cluster.gpus": [1]}, "constraints": ["scale_out.tiers < 3"]}, ["not an axis"]),
    ({"axes": {}}, ["axes"]),
    ({"axes": {"cluster.gpus": [1]}, "bogus": 1}, ["bogus"]),
])
def test_bad_sweep_files_name_the_field(body, words):
    with pytest.raises(LightfabricError) as e:
        parse_sweep(body, filename="s.yaml")
    for w in words:
        assert w in str(e.value), str(e.value)
    assert str(e.value).startswith("s.yaml: ")


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5000), st.integers(0, 2**63))
def test_the_keyed_permutation_is_a_bijection(n, key):
    from lightfabric.sweep.spec import permute
    out = permute(np.arange(n, dtype=np.uint64), n, key)
    assert sorted(out.tolist()) == list(range(n))


def test_counter_based_uniforms_are_uniform_and_independent_of_the_chunk():
    from scipy.stats import kstest

    from lightfabric.sweep.spec import uniforms
    u = uniforms(5, 2, np.arange(200_000, dtype=np.uint64))
    assert 0.0 <= u.min() and u.max() < 1.0
    assert kstest(u, "uniform").pvalue > 0.001
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01   # neighbours uncorrelated
    other = uniforms(5, 3, np.arange(200_000, dtype=np.uint64))
    assert abs(np.corrcoef(u, other)[0, 1]) < 0.01         # streams (axes) uncorrelated
    assert np.array_equal(uniforms(5, 2, np.arange(1000, 1100, dtype=np.uint64)), u[1000:1100])


def test_catalog_figures_are_axes_and_unknown_ones_are_named():
    spec = parse_sweep({"axes": {"overrides.osfp-800g-dr8.price_usd": [800, 900]}})
    assert list(chunk(spec, 0, 2)["overrides.osfp-800g-dr8.price_usd"]) == [800, 900]
    for axis, words in (("overrides.osfp-800g-dr9.price_usd", ["osfp-800g-dr9", "did you mean"]),
                        ("overrides.osfp-800g-dr8.prize_usd", ["prize_usd", "price_usd"]),
                        ("overrides.osfp", ["PART_ID.FIELD"])):
        with pytest.raises(LightfabricError) as e:
            parse_sweep({"axes": {axis: [1.0]}})
        for w in words:
            assert w in str(e.value), str(e.value)
