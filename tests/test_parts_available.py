"""parts.available_by: a scenario restricted to the hardware shipping by a month, in every command,
and the scenario file of `lightfabric design --available-by` carrying it."""

from __future__ import annotations

import json

import pytest

import lightfabric
from lightfabric.catalog import Catalog
from lightfabric.errors import CatalogError
from tests.test_cli import lf


def _scenario(by: str | None, switch: str = "tomahawk-5", gpu: str = "h100"):
    body = {"name": "by-date", "cluster": {"gpus": 4096, "gpu": gpu},
            "scale_out": {"switch": switch, "port_rate_gbps": 400}, "technologies": ["pluggable-dsp", "lpo", "cpo"]}
    if by:
        body["parts"] = {"available_by": by}
    return lightfabric.Scenario.model_validate(body)


def test_no_part_of_a_design_ships_after_the_month():
    cat = Catalog.default()
    c = lightfabric.compare(_scenario("2024-01"))
    for r in c.results:
        for g in (r.design.link_groups if r.feasible else []):
            for part in (g.lower_end.part_id, g.upper_end.part_id if g.upper_end else None, g.medium.id):
                a = cat.get(part).available if part else None
                assert a is None or (a.status == "shipping" and a.date <= "2024-01"), part
    # the CPO engines of 2025 are not there yet: named as infeasible, not silently dropped
    assert not c.result("cpo").feasible and c.result("pluggable-dsp").feasible
    assert lightfabric.compare(_scenario(None)).result("cpo").feasible


def test_a_named_part_not_shipping_by_then_is_refused_naming_the_field():
    with pytest.raises(CatalogError) as e:
        lightfabric.compare(_scenario("2024-01", switch="tomahawk-6"))
    assert "scale_out.switch" in str(e.value) and "shipping 2025-06" in str(e.value)
    # a default taken from the GPU's platform too (GB300's ConnectX-8 ships in 2025-07)
    with pytest.raises(CatalogError) as e:
        lightfabric.compare(_scenario("2025-06", gpu="gb300"))
    assert "scale_out.nic" in str(e.value) and "connectx-8" in str(e.value)


def test_the_designed_scenario_reproduces_with_its_date(tmp_path):
    out = tmp_path / "best.yaml"
    r = lf("design", "--gpus", 4096, "--gpu", "h100", "--available-by", "2024-01", "--topology", "fat-tree",
           "--switch", "tomahawk-5", "-c", "bisection >= 1", "-o", out, "--format", "json")
    assert r.returncode == 0, r.stderr
    best = json.loads(r.stdout)["best"]
    assert "available_by: 2024-01" in out.read_text()
    c = lf("compare", out, "--format", "json")
    assert c.returncode == 0, c.stderr
    res = json.loads(c.stdout)
    assert res["inputs"]["parts"]["available_by"] == "2024-01"
    assert res["results"][0]["power_w"]["total"] / 1e6 == pytest.approx(best["network_power_mw"], rel=1e-9)
    t = lf("compare", out)
    assert "only hardware shipping by 2024-01" in t.stdout


def test_the_filter_is_made_once_per_catalog_and_month():
    from lightfabric.catalog.availability import available_by
    cat = Catalog.default()
    a, b = available_by(cat, "2025-06"), available_by(cat, "2025-06")
    assert a.catalog is b.catalog and len(a.catalog) < len(cat)     # every compare of a dated scenario reuses it
    again = available_by(a.catalog, "2025-06")
    assert again.catalog is a.catalog and not again.dropped          # filtering the filtered catalog drops nothing
    assert available_by(cat, "2025-06", include_sampling=True).catalog is not a.catalog


def test_a_month_that_is_not_a_month_names_the_form(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\ncluster: {gpus: 1024, gpu: h100}\nparts: {available_by: '2025-13'}\n"
                    "scale_out: {switch: tomahawk-5, port_rate_gbps: 400}\n")
    r = lf("compare", path)
    assert r.returncode == 2
    assert "parts.available_by: got '2025-13'" in r.stderr and "YYYY-MM" in r.stderr
