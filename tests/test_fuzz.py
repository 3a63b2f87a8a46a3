"""Fuzz the two files a user writes (issue 19): whatever a scenario or a sweep file holds, lightfabric
answers with a result (exit 0, valid JSON) or one message naming the field (exit 2), never a
traceback, an internal error or a hang. Hypothesis draws hostile values into real files; the number
of examples is bounded so that CI stays fast (the schemathesis fuzz of the API is test_web_fuzz.py)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from lightfabric.errors import LightfabricError
from lightfabric.scenario.loader import default_scenario_path, parse_scenario
from lightfabric.sweep.evaluate import evaluate_partition
from lightfabric.sweep.spec import load_sweep, size

from test_cli import lf

BASE = yaml.safe_load(default_scenario_path().read_text())
PATHS = [("name",), ("cluster", "gpus"), ("cluster", "gpu"), ("cluster", "gpus_per_server"), ("scale_out", "switch"),
         ("scale_out", "port_rate_gbps"), ("scale_out", "planes"), ("scale_out", "tiers"), ("scale_out", "topology"),
         ("scale_out", "oversubscription"), ("scale_out", "nics_per_gpu"), ("scale_out", "leaf_host_ports"),
         ("placement", "gpus_per_rack"), ("placement", "hall_gap_m"), ("placement", "leaf_location"),
         ("economics", "pue"), ("economics", "years"), ("economics", "electricity_usd_per_kwh"),
         ("reliability", "job_gpus"), ("physical", "design_margin_db"), ("physical", "ocs_passes"),
         ("technologies",), ("technology",), ("technology", "nic_leaf"), ("scale_up",), ("overrides",)]
HOSTILE = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(), st.text(max_size=30),
    st.sampled_from(["[/x]", "[bold]b[/bold]", "auto", "fat-tree", "rail-only", "cpo", "ocs", "gb300", "1e308",
                     "tomahawk-6", "0", "-1", "top-of-rack", "𝓁𝒾𝑔𝒽𝓉"]),
    st.lists(st.sampled_from(["cpo", "lpo", "ocs", "copper", "nope", 3]), max_size=4),
    st.dictionaries(st.sampled_from(["domain_gpus", "bandwidth_per_gpu_gbps", "switch", "osfp-800g-dr8.power_w",
                                     "leaf-spine", "nic_leaf", "x"]),
                    st.one_of(st.integers(-5, 10**6), st.floats(allow_nan=True), st.sampled_from(["nvlink5-switch",
                                                                                                  "cpo", True])),
                    max_size=3))
# CI runs a fixed, small set; LIGHTFABRIC_FUZZ_EXAMPLES=2000 runs a longer, random one
EXAMPLES = int(os.environ.get("LIGHTFABRIC_FUZZ_EXAMPLES", "60"))
RANDOM = "LIGHTFABRIC_FUZZ_EXAMPLES" in os.environ
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _set(data: dict, path: tuple, value) -> None:
    node = data
    for k in path[:-1]:
        if not isinstance(node.get(k), dict):
            node[k] = {}
        node = node[k]
    node[path[-1]] = value


def _answers_or_names_the_field(p) -> None:
    assert p.returncode in (0, 2), (p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr
    if p.returncode == 0:
        json.loads(p.stdout, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(f"{c} in JSON")))
    else:
        assert p.stderr.startswith("error:") and len(p.stderr) < 20_000


@SETTINGS
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), HOSTILE), min_size=1, max_size=3))
def test_hostile_scenarios_get_a_result_or_one_message(tmp_path_factory, changes):
    data = json.loads(json.dumps(BASE))
    for path, value in changes:
        _set(data, path, value)
    f = tmp_path_factory.mktemp("fuzz") / "s.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True))
    _answers_or_names_the_field(lf("compare", str(f), "--format", "json"))


YAML_ALPHABET = st.sampled_from(list("abcdefgnpsuy0123456789 \n:-,.[]{}&*!|>'\"#%@`?\t\\") +
                                ["name", "cluster", "gpus", "scale_out", "<<", "&a", "*a", "!!python/object:x",
                                 "!!binary", ".inf", ".nan", "0x1f", "1e400", "~"])


@settings(max_examples=5 * EXAMPLES, deadline=None, derandomize=not RANDOM, database=None)
@given(pieces=st.lists(YAML_ALPHABET, max_size=80))
def test_random_yaml_text_is_a_scenario_error_or_a_scenario(pieces):
    text = "".join(pieces)
    try:
        parse_scenario(text, "fuzz.yaml")
    except LightfabricError as e:
        assert str(e)
    except RecursionError:  # pragma: no cover - the loader bounds nesting
        raise AssertionError("nesting reached the interpreter's limit")


AXES = st.sampled_from(["cluster.gpus", "scale_out.oversubscription", "scale_out.tiers", "scale_out.switch",
                        "scale_out.topology", "economics.pue", "economics.years", "economics.discount_rate",
                        "placement.leaf_location", "technologies", "overrides.osfp-800g-dr8.price_usd",
                        "overrides.bailly-oe-6.4t.price_usd"])
AXIS_FORMS = st.one_of(
    st.lists(st.one_of(st.integers(-10, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                       st.sampled_from(["auto", 2, 3, "rail-only", "tomahawk-6"])), min_size=1, max_size=4),
    st.builds(lambda a, b, n: {"linspace": [a, b, n]}, st.floats(allow_nan=True), st.floats(allow_nan=True),
              st.integers(-3, 20)),
    st.builds(lambda a, b, s: {"range": [a, b, s]}, st.integers(-100, 10**5), st.integers(-100, 10**5),
              st.one_of(st.integers(-10, 10**4), st.floats(allow_nan=True))),
    st.builds(lambda lo, hi, lg, i: {"low": lo, "high": hi, "log": lg, "integer": i},
              st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True),
              st.booleans(), st.booleans()))
CONSTRAINT = st.lists(st.sampled_from(["cluster.gpus", "economics.pue", "1", "0", "2.5", "'a'", "+", "-", "*", "/",
                                       "**", "//", "%", "<", ">=", "==", "and", "or", "not", "(", ")", "9**9**9",
                                       "1/0"]), max_size=9).map(" ".join)


@SETTINGS
@given(axes=st.dictionaries(AXES, AXIS_FORMS, min_size=1, max_size=3),
       method=st.sampled_from(["grid", "random", "lhs"]), points=st.integers(1, 30),
       constraints=st.lists(CONSTRAINT, max_size=2))
def test_hostile_sweeps_check_and_run_or_name_the_field(tmp_path_factory, axes, method, points, constraints):
    body = {"base": "default", "sample": {"method": method} | ({} if method == "grid" else {"points": points}),
            "axes": axes, "constraints": constraints}
    f: Path = tmp_path_factory.mktemp("sweep") / "s.yaml"
    f.write_text(yaml.safe_dump(body, allow_unicode=True))
    p = lf("sweep", "check", str(f))
    assert p.returncode in (0, 2), (p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr
    if p.returncode != 0:
        return
    sweep = load_sweep(f)
    n = size(sweep.spec)
    cols = evaluate_partition(sweep.spec, sweep.base, 0, min(n, 3))      # what run evaluates first
    for name, col in cols.items():
        if col.dtype.kind == "f":
            assert not any(math.isinf(x) for x in col), name
