"""Figures published for a scenario's cluster, shown beside the tool's (issue 23: the Llama 3 example
now shows Meta's count it is compared against)."""

from __future__ import annotations

import json

from lightfabric import parse_scenario
from lightfabric.reliability import assess

from test_cli import lf

LLAMA = "examples/h100-16k-llama3-like.yaml"


def test_the_llama_example_shows_metas_count_beside_the_tools():
    r = lf("reliability", LLAMA, "--trials", "4", "--horizon-days", "5", "--format", "json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    (p,) = report["published"]
    assert p["value"] == 0.648 and (p["low"], p["high"]) == (0.452, 0.902) and "Llama 3" in p["source"]
    for row in report["results"]:
        if not row["feasible"]:
            continue
        by_cat = row["job"]["interruptions_per_day_by_category"]
        by_hand = sum(by_cat.get(k, 0.0) for k in ("switches", "optics", "cables"))
        assert abs(p["tool"][row["technology"]] - by_hand) < 1e-9
        assert p["within_range"][row["technology"]] == (0.452 <= by_hand <= 0.902)
    table = lf("reliability", LLAMA, "--trials", "4", "--horizon-days", "5")
    assert "published 0.648" in table.stdout and "The Llama 3 Herd of Models" in table.stdout


def test_a_published_figure_with_a_wrong_path_names_the_field(tmp_path):
    text = open(LLAMA).read().replace("job.interruptions_per_day_by_category.cables", "job.no_such_figure")
    sc = parse_scenario(text, "llama.yaml")
    try:
        assess(sc, trials=2, horizon_days=1)
    except Exception as e:  # noqa: BLE001 - the error's kind and words are what is tested
        assert type(e).__name__ == "LightfabricError" and "published[0].figure" in str(e) and "job.no_such_figure" in str(e)
    else:
        raise AssertionError("a wrong path was accepted")
    path = tmp_path / "llama.yaml"
    path.write_text(text)
    r = lf("reliability", str(path), "--trials", "2", "--horizon-days", "1")
    assert r.returncode == 2 and "published[0].figure" in r.stderr
