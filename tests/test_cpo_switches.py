"""A co-packaged-optics switch (catalog co_packaged_optics) has no cages: only a co-packaged
technology serves its ports; every other technology is infeasible on its links with that reason."""

import pytest

from lightfabric import Catalog
from lightfabric.compare import compare
from lightfabric.scenario.models import Scenario


def _scenario(switch: str, technologies: list[str]) -> Scenario:
    return Scenario.model_validate({"name": "cpo-switch", "cluster": {"gpus": 2048, "gpu": "gb300"},
                                    "scale_out": {"switch": switch, "port_rate_gbps": 800, "nic": "connectx-8"},
                                    "technologies": technologies})


def test_the_catalog_marks_the_cpo_switches():
    cat = Catalog.default()
    marked = {p.id for p in cat if p.kind == "switch" and p.co_packaged_optics}
    assert marked == {"spectrum-x-photonics-sn6810", "spectrum-x-photonics-sn6800", "quantum-x800-photonics"}


@pytest.mark.parametrize("tech", ["pluggable-dsp", "lpo", "lro", "npo"])
def test_no_module_or_near_packaged_engine_on_a_cpo_switch(tech):
    r = compare(_scenario("spectrum-x-photonics-sn6810", [tech, "cpo"]))
    other = r.result(tech)
    assert not other.feasible
    assert any("co-packaged-optics switch" in x and "no cages" in x for x in other.reasons)
    assert r.result("cpo").feasible


def test_the_same_technologies_stand_on_a_switch_with_cages():
    r = compare(_scenario("tomahawk-6", ["pluggable-dsp", "cpo"]))
    assert r.result("pluggable-dsp").feasible and r.result("cpo").feasible
