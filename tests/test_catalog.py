"""The catalog: required entries, provenance rules, consistency, overrides."""

import pytest

from lightfabric.catalog import CATALOG_SOURCE_KINDS, Catalog, PluggableModule, SwitchAsic
from lightfabric.catalog.models import Gpu
from lightfabric.errors import CatalogError

REQUIRED = {
    "gpu": ["h100", "b200", "gb300"],
    "switch": ["tomahawk-5", "tomahawk-6", "quantum-x800"],
    "nic": ["connectx-7", "connectx-8"],
    "laser-source": ["els-8"],
    "fiber": ["mpo16-sm-trunk"],
    "connector": ["mpo16-apc"],
    "ocs": ["palomar-ocs"],
    "copper-cable": ["dac-800g-osfp", "acc-800g-osfp", "aec-800g-osfp", "cpc-1.6t", "nvlink-copper-spine-link"],
    "fiber-part": ["fau-engine", "pmf-jumper-8", "fiber-shuffle-48"],
}


def test_required_entries_exist(catalog):
    for kind, ids in REQUIRED.items():
        for i in ids:
            assert catalog.get(i).kind == kind
    modules = catalog.of_kind(PluggableModule)
    assert {(m.technology, m.rate_gbps) for m in modules} >= {("pluggable-dsp", 800), ("pluggable-dsp", 1600),
                                                               ("lpo", 800), ("lro", 800), ("lro", 1600)}
    engines = [catalog.get(e) for e in catalog.ids("optical-engine")]
    assert {(e.technology, e.integration) for e in engines} >= {
        ("cpo", "substrate"), ("cpo", "interposer"), ("npo", "board"), ("oio", "chiplet")}
    assert all(e.capacity_gbps in (1600, 3200, 6400) for e in engines if e.technology != "oio")
    nvswitch = catalog.get("nvlink5-switch")
    assert nvswitch.protocol == "nvlink" and nvswitch.port_configs[0].count == 72


def test_every_figure_has_a_source_of_an_allowed_kind(catalog):
    for part in catalog:
        for field, value in part.figures().items():
            sources = part.sources_for(field)
            if part._is_default(field):
                continue
            assert sources, f"{part.id}.{field} has no source"
            for s in sources:
                assert s.kind in CATALOG_SOURCE_KINDS
                assert s.url or s.document
                if s.kind == "estimate":
                    assert s.derivation and len(s.derivation) > 20, f"{part.id}.{field}: estimate without derivation"


def test_switch_port_configurations(catalog):
    th6 = catalog.get("tomahawk-6")
    assert {(pc.count, pc.rate_gbps) for pc in th6.port_configs} >= {(64, 1600), (128, 800), (256, 400), (512, 200)}
    for sw in catalog.of_kind(SwitchAsic):
        for pc in sw.port_configs:
            # every port config uses the whole switch, or runs every SerDes slower (a down-shift:
            # Quantum-X800's XDR ports at NDR's 4 x 100G)
            full = pc.count * pc.rate_gbps == pytest.approx(sw.capacity_gbps)
            downshift = pc.lane_rate_gbps < sw.serdes_lane_rate_gbps and pc.count * pc.lanes_per_port == sw.serdes_lanes
            assert full or downshift, (sw.id, pc)
    assert catalog.get("tomahawk-5").capacity_gbps == 51200
    assert th6.capacity_gbps == 102400


def test_a_figure_without_source_is_refused():
    good = dict(id="x", name="X", tdp_w=700, scale_out_bandwidth_gbps=400, scale_up_bandwidth_gbps=7200,
                sources=[dict(title="A datasheet", url="https://example.org", date="2024", kind="datasheet",
                              fields=["tdp_w", "scale_out_bandwidth_gbps"])])
    with pytest.raises(ValueError, match="no source for field.*scale_up_bandwidth_gbps"):
        Gpu.model_validate(good)
    est = dict(good)
    est["sources"] = [dict(title="A guess", document="notes", date="2024", kind="estimate",
                           fields=["tdp_w", "scale_out_bandwidth_gbps", "scale_up_bandwidth_gbps"])]
    with pytest.raises(ValueError, match="must say how it was derived"):
        Gpu.model_validate(est)
    typo = dict(good)
    typo["sources"] = [dict(good["sources"][0], fields=["tdp_w", "scale_out_bandwidth_gbps", "scale_up_bandwidth_gbps",
                                                        "tdp_ww"])]
    with pytest.raises(ValueError, match="unknown field"):
        Gpu.model_validate(typo)


def test_overrides(catalog):
    c2 = catalog.with_overrides({"osfp-1.6t-dr8.power_w": 25.0})
    assert c2.get("osfp-1.6t-dr8").power_w == 25.0
    assert catalog.get("osfp-1.6t-dr8").power_w == 30.0
    assert [s.kind for s in c2.get("osfp-1.6t-dr8").sources_for("power_w")] == ["user-override"]
    with pytest.raises(CatalogError, match="did you mean 'power_w'"):
        catalog.with_overrides({"osfp-1.6t-dr8.powr_w": 25.0})
    with pytest.raises(CatalogError, match="did you mean 'osfp-800g-dr8'"):
        catalog.with_overrides({"osfp-800g-dr9.power_w": 25.0})
    with pytest.raises(CatalogError, match="greater than 0"):
        catalog.with_overrides({"connectx-8.power_w": -1})


def test_unknown_id_names_closest(catalog):
    with pytest.raises(CatalogError, match="did you mean 'tomahawk-5'"):
        catalog.get("tomahawk5", kind="switch", field="scale_out.switch")
    with pytest.raises(CatalogError, match="it is a nic, not a switch"):
        catalog.get("connectx-8", kind="switch")


def test_broken_reference_in_a_data_file_is_reported(tmp_path):
    (tmp_path / "references.yaml").write_text("a:\n  title: A source\n  url: https://x\n  date: '2024'\n  kind: datasheet\n")
    (tmp_path / "parts.yaml").write_text(
        "parts:\n  - id: g\n    kind: gpu\n    name: G\n    tdp_w: 1\n    scale_out_bandwidth_gbps: 1\n"
        "    scale_up_bandwidth_gbps: 1\n    sources:\n      - {ref: b, fields: [tdp_w]}\n")
    with pytest.raises(CatalogError, match="unknown reference 'b'"):
        Catalog.from_files(sorted(tmp_path.iterdir()))
