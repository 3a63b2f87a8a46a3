"""POST /api/design: the search behind the web page's Design tab, with the server's limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from lightfabric.web.app import create_app
from lightfabric.web.limits import Limits

SMALL = {"gpus": 1024, "gpu": "gb300", "switches": ["tomahawk-5"], "topologies": ["fat-tree"],
         "constraints": ["bisection >= 1"]}


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def test_the_best_design_and_its_scenario(client):
    r = client.post("/api/design", json=SMALL)
    assert r.status_code == 200, r.text
    body = r.json()
    best = body["result"]["best"]
    assert best["switch"] == "tomahawk-5" and best["bisection"] == 1.0
    # the scenario object compares to the same figures
    c = client.post("/api/compare", json={"scenario": body["scenario"]})
    assert c.status_code == 200, c.text
    res = c.json()["result"]["results"][0]
    assert res["power_w"]["total"] / 1e6 == pytest.approx(best["network_power_mw"], rel=1e-9)


@pytest.mark.parametrize("change,loc", [
    ({"constraints": ["speed >= 3"]}, "constraints"),
    ({"gpu": "gb3000"}, "gpu"),
    ({"base": "../../etc/passwd"}, "base"),
    ({"gpus": 0}, "gpus"),
])
def test_bad_questions_are_refused_naming_the_field(client, change, loc):
    r = client.post("/api/design", json={**SMALL, **change})
    assert r.status_code == 422, r.text
    assert loc in r.text


def test_a_search_beyond_the_server_bound_is_refused():
    small = TestClient(create_app(Limits(max_design_evaluations=1)))
    r = small.post("/api/design", json={**SMALL, "constraints": [], "objective": "goodput"})
    assert r.status_code == 413, r.text
    assert "at most 1" in r.text
