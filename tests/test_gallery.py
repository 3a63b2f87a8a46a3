"""The gallery of routine 2025-2027 designs (docs/examples.md, issue 21): each builds, for the reason
the docs give."""

from math import ceil
from pathlib import Path

import pytest
import yaml

import lightfabric

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ("gb300-400k-3tier-th6", "b200-100k-quantum-x800-cx7", "h100-1k-400g-lpo", "gb300-131k-1600g-th6",
           "vera-rubin-nvl144-cx9-spectrum-x-photonics", "mi355x-tomahawk-6", "rubin-ultra-nvl576-optical-scale-up")


def _compare(name: str, **changes):
    doc = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text())
    for key, value in changes.items():
        section, field = key.split(".")
        doc.setdefault(section, {})[field] = value
    return lightfabric.compare(lightfabric.parse_scenario(yaml.safe_dump(doc), f"{name}.yaml"))


def _groups(result):
    return {g.spec.name: g for g in result.design.link_groups}


@pytest.mark.parametrize("name", GALLERY)
def test_every_gallery_design_builds_and_is_in_the_docs(name):
    c = _compare(name)
    assert any(r.feasible for r in c.results), [r.design.reasons[:1] for r in c.results]
    assert f"## {name}.yaml" in (ROOT / "docs" / "examples.md").read_text()


def test_400k_three_tier_on_a_two_dimensional_campus_and_in_one_row():
    c = _compare("gb300-400k-3tier-th6")
    r = c.result("pluggable-dsp")
    # radix 128 at 800G: 64 GPUs down per leaf
    assert r.topology["tiers"] == 3 and r.topology["switches_per_tier"][0] == ceil(399_888 / 64)
    assert c.result("cpo").feasible and c.result("cpo").power_w["total"] < r.power_w["total"]
    # the same campus laid out as one row of 29 halls: spine-core links pass 500 m and take 2 km optics
    row = _compare("gb300-400k-3tier-th6", **{"placement.hall_columns": 1})
    g = _groups(row.result("pluggable-dsp"))["spine-core"]
    assert g.spec.length_m > 500 and g.spec.length_m > 3 * _groups(r)["spine-core"].spec.length_m
    module = row.plan.catalog.get(g.lower_end.part_id)
    assert module.reach_m >= 2000


def test_b200_on_quantum_x800_with_connectx7_downshifts_and_names_it():
    c = _compare("b200-100k-quantum-x800-cx7")
    r = c.result("pluggable-dsp")
    assert r.feasible and c.plan.port.lane_rate_gbps == 100 and c.plan.port.count == 144
    assert any("taken to match connectx-7" in d for d in c.plan.defaults)
    # 72 cages for 144 ports: the switch ends are twin-port modules
    leaf_end = _groups(r)["leaf-spine"].lower_end
    assert leaf_end.parts_per_end == pytest.approx(0.5)


def test_h100_1k_builds_with_400g_lpo():
    c = _compare("h100-1k-400g-lpo")
    g = _groups(c.result("lpo"))["leaf-spine"]
    assert g.technology == "lpo" and c.plan.catalog.get(g.lower_end.part_id).technology == "lpo"


def test_vera_rubin_on_spectrum_x_photonics_and_mi355x_on_tomahawk_6():
    vr = _compare("vera-rubin-nvl144-cx9-spectrum-x-photonics").result("cpo")
    assert vr.feasible and _groups(vr)["leaf-spine"].lower_end.part_id.startswith("nvidia-photonics-oe")
    mi = _compare("mi355x-tomahawk-6")
    assert mi.result("lpo").feasible and mi.result("pluggable-dsp").topology["tiers"] == 2


def test_rubin_ultra_scale_up_goes_optical_across_racks():
    c = _compare("rubin-ultra-nvl576-optical-scale-up")
    oio = _groups(c.result("oio"))
    assert oio["scale-up"].technology == oio["scale-up-spine"].technology == "oio"
    # copper does not reach between the two racks of a domain: pluggables on the switch trays do
    cu = _groups(c.result("copper"))
    assert cu["scale-up"].technology == "copper" and cu["scale-up-spine"].chosen_by == "incumbent"
    assert any("passed over" in n for n in c.result("oio").design.notes)
