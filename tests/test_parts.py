"""Issue 21: the user's own parts, parts by availability, defaults from the GPU's platform, and a
scenario check that says when nothing can be built."""

import json
from pathlib import Path

import pytest
import yaml

from lightfabric import Catalog, load_scenario, parse_scenario
from lightfabric.compare import compare

from test_cli import lf

ROOT = Path(__file__).resolve().parents[1]

MY_MODULE = {
    "id": "my-800g-dr8", "kind": "module", "name": "Our own 800G DR8", "technology": "pluggable-dsp",
    "form_factor": "OSFP", "rate_gbps": 800, "host_lanes": 8, "host_lane_rate_gbps": 100, "optical_lanes": 8,
    "optical_lane_rate_gbps": 100, "interface": "DR", "reach_m": 500, "power_w": 13.0, "lasers": 8,
    "price_usd": 700,
    "sources": [{"ref": "our-datasheet",
                 "fields": ["technology", "form_factor", "rate_gbps", "host_lanes", "host_lane_rate_gbps",
                            "optical_lanes", "optical_lane_rate_gbps", "interface", "reach_m", "power_w", "lasers",
                            "price_usd"]}],
}
REFS = {"our-datasheet": {"title": "Our module's datasheet, rev B", "document": "internal datasheet",
                          "date": "2026-05", "kind": "datasheet", "confidence": "high"}}


def write_catalog(tmp_path, parts, refs=REFS, name="my-parts.yaml"):
    f = tmp_path / name
    f.write_text(yaml.safe_dump({"references": refs, "parts": parts}))
    return f


def test_a_users_part_is_validated_used_and_marked_as_theirs(tmp_path):
    write_catalog(tmp_path, [MY_MODULE])
    doc = yaml.safe_load(open(ROOT / "src/lightfabric/scenario/default.yaml"))
    doc["catalog"] = ["my-parts.yaml"]                 # beside the scenario file
    doc["technologies"] = ["pluggable-dsp"]
    sc_file = tmp_path / "s.yaml"
    sc_file.write_text(yaml.safe_dump(doc))
    c = compare(load_scenario(sc_file))
    assert "my-800g-dr8" in c.plan.catalog and c.plan.catalog.user["my-800g-dr8"].endswith("my-parts.yaml")
    # the cheaper module of the same kind is the one the rule picks, and the output says it is the user's
    r = c.result("pluggable-dsp")
    assert any(line.part_id == "my-800g-dr8" for line in r.design.bom)
    rows = [a for a in c.assumptions if a["part"] == "my-800g-dr8"]
    assert rows and all(a["user_file"].endswith("my-parts.yaml") for a in rows)
    p = lf("compare", sc_file, "--sources")
    assert p.returncode == 0 and "your part" in p.stdout and "your catalog:" in p.stdout


def test_the_catalog_option_adds_a_file_to_any_command(tmp_path):
    f = write_catalog(tmp_path, [MY_MODULE])
    j = json.loads(lf("compare", "--catalog", f, "--format", "json").stdout)
    assert j["inputs"]["user_catalog_files"] == [str(f.resolve())]
    assert lf("economics", "--catalog", f, "--format", "json").returncode == 0


@pytest.mark.parametrize("change,needle", [
    (lambda m: m["sources"][0]["fields"].remove("power_w"), "no source for field(s) ['power_w']"),
    (lambda m: m.update(id="osfp-800g-dr8"), "already in the built-in catalog"),
    (lambda m: m["sources"][0].update(ref="nowhere"), "unknown reference 'nowhere'"),
    (lambda m: m.update(power_w=-3), "power_w"),
])
def test_catalog_check_refuses_what_the_built_in_catalog_refuses(tmp_path, change, needle):
    m = json.loads(json.dumps(MY_MODULE))
    change(m)
    f = write_catalog(tmp_path, [m])
    p = lf("catalog", "check", f)
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr
    ok = write_catalog(tmp_path, [MY_MODULE], name="ok.yaml")
    p = lf("catalog", "check", ok)
    assert p.returncode == 0 and "my-800g-dr8 (module)" in p.stdout


def test_an_estimate_without_its_derivation_is_refused(tmp_path):
    refs = {"guess": {"title": "Our guess", "document": "notes", "date": "2026", "kind": "estimate"}}
    m = dict(MY_MODULE, sources=[{**MY_MODULE["sources"][0], "ref": "guess"}])
    p = lf("catalog", "check", write_catalog(tmp_path, [m], refs=refs))
    assert p.returncode == 2 and "derivation" in p.stderr


def test_a_missing_catalog_file_names_the_field(tmp_path):
    doc = yaml.safe_load(open(ROOT / "src/lightfabric/scenario/default.yaml"))
    doc["catalog"] = ["nowhere.yaml"]
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(doc))
    p = lf("compare", f)
    assert p.returncode == 2 and "catalog[0]" in p.stderr and "not found" in p.stderr


def test_parts_by_availability(tmp_path):
    out = lf("catalog", "list", "--kind", "switch", "--available-by", "2024-06").stdout
    assert "tomahawk-5" in out and "tomahawk-6 " not in out.replace("tomahawk-6-100g", "")
    later = lf("catalog", "list", "--kind", "switch", "--available-by", "2026-06").stdout
    assert "tomahawk-6" in later
    bad = lf("catalog", "list", "--available-by", "June")
    assert bad.returncode == 2 and "--available-by" in bad.stderr and "YYYY-MM" in bad.stderr


def test_every_gpu_switch_nic_module_engine_and_ocs_says_when_it_ships(catalog):
    for p in catalog:
        if p.kind in ("gpu", "switch", "nic", "module", "optical-engine", "ocs"):
            assert p.available is not None, p.id
            assert p.sources_for("available"), p.id


def test_platform_defaults_come_from_the_gpu_and_are_named():
    text = """
name: t
cluster: {gpus: 4608, gpu: gb300}
scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: 14400}
scale_out: {switch: quantum-x800, port_rate_gbps: 800}
"""
    c = compare(parse_scenario(text))
    assert c.plan.scenario.cluster.gpus_per_server == 4
    assert c.plan.scenario.scale_up.switch == "nvlink5-switch"
    assert any("gpus_per_server: 4" in d for d in c.plan.defaults)
    assert any("scale_up.switch: nvlink5-switch" in d for d in c.plan.defaults)
    # a value the scenario gives is its own
    c2 = compare(parse_scenario(text.replace("gpu: gb300}", "gpu: gb300, gpus_per_server: 8}")))
    assert c2.plan.scenario.cluster.gpus_per_server == 8 and not any("gpus_per_server" in d for d in c2.plan.defaults)


def test_scenario_check_warns_when_nothing_can_be_built(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("name: x\ncluster: {gpus: 4096, gpu: h100}\nscale_out: {switch: tomahawk-6, port_rate_gbps: 800}\n"
                 "technologies: [lpo]\n")
    p = lf("scenario", "check", f)
    assert p.returncode == 0
    assert "warning: no design of x is feasible" in p.stderr and "lpo:" in p.stderr


def test_the_web_api_reads_no_catalog_files():
    from fastapi.testclient import TestClient

    from lightfabric.web.app import create_app
    doc = yaml.safe_load(open(ROOT / "src/lightfabric/scenario/default.yaml"))
    doc["catalog"] = ["/etc/passwd"]
    r = TestClient(create_app()).post("/api/compare", json={"scenario": doc})
    assert r.status_code == 422 and "reads no files" in r.text


# --- the structure of NVIDIA's boxes --------------------------------------------------------------

QX = ROOT / "examples" / "quantum-x800-16k-gb300.yaml"


def test_quantum_x800_cages_hold_twin_port_modules():
    """NVIDIA: the Q3400 has 72 OSFP cages for 144 ports of 800G; a cage holds a twin-port 2 x 800G module.
    Modules = one per two switch ports used + one per NIC (ConnectX-8 at 800G)."""
    c = compare(load_scenario(QX))
    r = c.result("pluggable-dsp")
    ports_used = r.topology["ports_used"]
    nics = c.plan.scenario.cluster.gpus
    assert r.bom["pluggable_modules"] == ports_used // 2 + nics
    groups = {g["name"]: g for g in r.to_dict()["link_groups"]}
    assert groups["leaf-spine"]["lower_end"] == "osfp-1.6t-2xdr4"


def test_quantum_x_photonics_is_four_packages_of_eighteen_engines():
    from lightfabric.economics import economics
    eco = economics(load_scenario(QX))
    cpo = next(r for r in eco["results"] if r["technology"] == "cpo")
    tiers = [t for t in cpo["packaging"]["tiers"] if t["engine"] == "nvidia-photonics-oe-1.6t"]
    assert tiers and all(t["engines_per_device"] == 72 and t["packages_per_device"] == 4
                         and t["engines_per_package"] == 18 for t in tiers)
    # one fiber array unit per engine: 72 per box
    cat = Catalog.default()
    assert cat.get("nvidia-photonics-oe-1.6t").fiber_array_units * 72 == 72


def test_sensitivity_varies_every_weak_price_a_design_uses_by_default():
    from lightfabric.economics.evaluate import prepare
    from lightfabric.economics.sensitivity import inputs, price_is_weak
    prepared = prepare(load_scenario())
    varied = {i.key: i for i in inputs(prepared)}
    cat = prepared.comparison.plan.catalog
    weak = set()
    for r in prepared.comparison.results:
        for line in (r.design.bom if r.feasible else []):
            part = cat.get(line.part_id)
            field = "system_price_usd" if part.kind == "switch" else "price_usd"
            if line.count and hasattr(part, field) and price_is_weak(part, field):
                weak.add(f"{part.id}.{field}")
    assert weak and weak <= set(varied)
    engine = varied["bailly-oe-6.4t.price_usd"]      # an engine price from one analyst note
    assert engine.low == pytest.approx(0.5 * engine.base) and engine.high == pytest.approx(1.5 * engine.base)
    assert "low-confidence" in engine.range_note


def test_a_campus_is_laid_out_in_two_dimensions_by_hand():
    from lightfabric.placement.lengths import layout
    from lightfabric.scenario.models import Placement
    p = Placement()                                    # 16 racks x 12 rows per hall, 72 GPUs a rack
    hall_racks = 16 * 12
    lay = layout(p, 29 * hall_racks * 72)              # 29 halls in one building: a 6 x 5 grid
    hall_w, hall_d, pitch = 16 * 0.6 + 20, 12 * (1.2 + 1.2) + 20, 1.2 + 1.2
    assert lay.x_m.max() == pytest.approx(5 * hall_w + 15.5 * 0.6)
    assert lay.y_m.max() == pytest.approx(4 * hall_d + 11 * pitch)
    # hall 7 (0-based) stands in column 1 of the grid's second row
    first = 7 * hall_racks
    assert (lay.x_m[first], lay.y_m[first]) == pytest.approx((hall_w + 0.3, hall_d))
    # four halls a building: eight buildings in a 3 x 3 grid, 150 m apart
    small = layout(Placement(halls_per_building=4), 29 * hall_racks * 72)
    building_w, building_d = 2 * hall_w + 150, 2 * hall_d + 150
    first = 7 * 4 * hall_racks                         # building 7: column 1, row 2
    assert (small.x_m[first], small.y_m[first]) == pytest.approx((building_w + 0.3, 2 * building_d))
    # one row, as before this release: 29 halls in a line
    line = layout(Placement(hall_columns=1), 29 * hall_racks * 72)
    assert line.y_m.max() == pytest.approx(28 * hall_d + 11 * pitch) and line.x_m.max() == pytest.approx(15.5 * 0.6)


def test_an_ethernet_scale_up_switch_counts_as_a_scale_up_chip():
    # MI450 Helios: UALink over Ethernet on Tomahawk Ultra chips (the GPU's platform default); its chips
    # are scale-up chips, not scale-out switches
    sc = parse_scenario("""
name: mi450-helios
cluster: {gpus: 1152, gpu: mi450}
scale_up: {domain_gpus: 72, bandwidth_per_gpu_gbps: 28800}
scale_out: {switch: tomahawk-6, port_rate_gbps: 800}
technologies: [pluggable-dsp]
""", "t.yaml")
    c = compare(sc)
    r = c.result("pluggable-dsp")
    chips = next(line.count for line in r.design.bom if line.role == "scale-up switch chips")
    assert c.plan.scale_up_switch.protocol == "ethernet"
    assert r.bom["scale_up_switch_chips"] == chips > 0
    assert r.bom["switches"] == r.topology["switches"]
