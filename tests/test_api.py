"""The Python API that notebooks use."""

import pandas as pd
import pytest

import lightfabric


def test_load_compare_dict_and_frame():
    scenario = lightfabric.load_scenario()
    comparison = lightfabric.compare(scenario)
    d = comparison.to_dict()
    assert d["scenario"] == scenario.name and len(d["results"]) == 3
    frame = comparison.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == ["pluggable-dsp", "lpo", "cpo"]
    assert frame.loc["cpo", "power_w.total"] == pytest.approx(comparison.result("cpo").power_w["total"], rel=1e-9)
    assert (frame["capex_energy_usd"] > 0).all()


def test_parse_scenario_from_text():
    s = lightfabric.parse_scenario("name: t\ncluster: {gpus: 64, gpu: h100}\n"
                                   "scale_out: {switch: tomahawk-5, port_rate_gbps: 400}\n")
    r = lightfabric.compare(s).result("pluggable-dsp")
    assert r.topology["tiers"] == 1 and r.bom["nics"] == 64
