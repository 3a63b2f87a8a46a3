"""The command line, driven end to end through its installed entry point."""

import csv
from pathlib import Path
import io
import json
import subprocess
import sys

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The entry point installed beside the interpreter running the tests (a lightfabric elsewhere on
# PATH may be another install); without one, the module.
_BESIDE = Path(sys.executable).parent / "lightfabric"
EXE = str(_BESIDE) if _BESIDE.exists() else None


def lf_process(*args, cwd=None):
    """The installed entry point in a new process: what a user runs (its start-up, its exit codes)."""
    cmd = [EXE, *args] if EXE else [sys.executable, "-m", "lightfabric.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": "/tmp"})


def lf(*args, cwd=None):
    """The same command run in this process by typer's runner, as ``lf_process`` would run it (a new
    interpreter per run costs more than most commands' work). An exception that is not an exit fails
    the test, as a traceback would. Returns returncode, stdout and stderr."""
    import os

    from typer.testing import CliRunner

    from lightfabric.cli import app
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        r = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    finally:
        os.chdir(old)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return subprocess.CompletedProcess(list(args), r.exit_code, r.stdout, r.stderr)


lf_here = lf


def test_compare_table_default():
    p = lf("compare")  # in this process; the entry point's own process: test_version_and_bad_option
    assert p.returncode == 0, p.stderr
    for word in ("pluggable-dsp", "lpo", "cpo", "Power (MW)", "TCO", "switches"):
        assert word in p.stdout


def test_compare_json_contract():
    p = lf("compare", "--format", "json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["scenario"] == "default-32k-gb300"
    assert [r["technology"] for r in d["results"]] == ["pluggable-dsp", "lpo", "cpo"]
    for r in d["results"]:
        assert r["feasible"] is True and r["reasons"] == []
        assert {"tiers", "switches", "switches_per_tier", "links_per_tier"} <= set(r["topology"])
        assert {"rate_gbps", "power_w", "lasers", "cost_usd"} <= set(r["switch_port"])
        assert {"switches", "pluggable_modules", "optical_engines", "external_laser_modules", "lasers",
                "fibers"} <= set(r["bom"])
        assert {"total", "switch_asics", "optics", "nics"} <= set(r["power_w"])
        for key in ("power_per_gpu_w", "capex_usd", "energy_usd", "capex_energy_usd"):
            assert r[key] > 0
        assert r["power_w"]["total"] == pytest.approx(sum(v for k, v in r["power_w"].items() if k != "total"), rel=1e-6)
        assert r["capex_energy_usd"] == pytest.approx(r["capex_usd"] + r["energy_usd"], abs=0.02)
    cpo = d["results"][2]
    assert cpo["bom"]["optical_engines"] > 0 and cpo["bom"]["external_laser_modules"] > 0
    # every figure traces to a source: each part used has sourced rows in the assumptions
    parts = {line["part"] for r in d["results"] for line in r["bom_lines"]}
    assert parts <= {a["part"] for a in d["assumptions"]}
    assert all(a["source"] and a["kind"] for a in d["assumptions"])


def test_compare_csv():
    p = lf("compare", "-f", "csv")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert [r["technology"] for r in rows] == ["pluggable-dsp", "lpo", "cpo"]
    assert float(rows[0]["power_w.total"]) > float(rows[2]["power_w.total"]) > 0


def test_compare_sources_table():
    p = lf("compare", "--sources")
    assert p.returncode == 0
    assert "Assumptions" in p.stdout and "datasheet" in p.stdout and "estimate" in p.stdout


def test_infeasible_technology_is_reported_not_fatal(tmp_path):
    p = lf("compare", "examples/tomahawk6-32k-b200.yaml", "-f", "json", cwd=_root())
    assert p.returncode == 0, p.stderr
    lpo = json.loads(p.stdout)["results"][1]
    assert lpo["feasible"] is False and "linear" in lpo["reasons"][0]
    t = lf("compare", "examples/tomahawk6-32k-b200.yaml", cwd=_root())
    assert "lpo is infeasible" in t.stdout


def _root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]


BAD_INPUTS = [
    ("malformed.yaml", "name: x\ncluster: {gpus: 8, gpu: b200\n", "malformed YAML"),
    ("unknown_key.yaml", "name: x\nclustr: {gpus: 8, gpu: b200}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     "clustr: unknown key (did you mean 'cluster'?)"),
    ("unknown_part.yaml", "name: x\ncluster: {gpus: 8, gpu: b200}\nscale_out: {switch: tomahawk5, port_rate_gbps: 800}\n",
     "scale_out.switch: got 'tomahawk5' (unknown)"),
    ("negative.yaml", "name: x\ncluster: {gpus: -4, gpu: b200}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     "cluster.gpus: got -4; allowed: a whole number from 1 to 100,000,000"),
    ("zero.yaml", "name: x\ncluster: {gpus: 0, gpu: b200}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     "cluster.gpus: got 0"),
    ("too_large.yaml", "name: x\ncluster: {gpus: 100000, gpu: gb300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n",
     "at most 65,536 GPUs"),
    ("bad_rate.yaml", "name: x\ncluster: {gpus: 64, gpu: gb300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 1600}\n",
     "scale_out.port_rate_gbps: got 1600"),
    ("bad_tech.yaml", "name: x\ncluster: {gpus: 64, gpu: gb300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n"
                      "technologies: [cpo, lpx]\n", "technologies.1: got 'lpx' (did you mean 'lpo'?)"),
    ("bad_override.yaml", "name: x\ncluster: {gpus: 64, gpu: gb300}\nscale_out: {switch: tomahawk-5, port_rate_gbps: 800}\n"
                          "overrides: {osfp-800g-dr8.watts: 3}\n", "overrides.osfp-800g-dr8.watts"),
]


@pytest.mark.parametrize("name,text,expected", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_exits_2_with_one_clear_message(tmp_path, name, text, expected):
    f = tmp_path / name
    f.write_text(text)
    for fmt in ("table", "json"):
        p = lf("compare", str(f), "--format", fmt)
        assert p.returncode == 2, (p.stdout, p.stderr)
        err = " ".join(p.stderr.split())
        assert expected in err, err
        assert "Traceback" not in p.stderr and p.stdout == ""


def test_missing_scenario_file():
    p = lf_process("compare", "/nonexistent.yaml")
    assert p.returncode == 2 and "not found" in p.stderr and "Traceback" not in p.stderr


def test_catalog_list_and_show():
    p = lf("catalog", "list")
    assert p.returncode == 0
    for i in ("h100", "b200", "gb300", "tomahawk-5", "tomahawk-6", "quantum-x800", "connectx-7", "connectx-8",
              "osfp-800g-dr8", "osfp-1.6t-dr8", "osfp-800g-lpo-dr8", "bailly-oe-6.4t", "els-8", "mpo16-sm-trunk"):
        assert i in p.stdout
    s = lf("catalog", "show", "osfp-800g-dr8")
    assert s.returncode == 0 and "power_w" in s.stdout and "datasheet" in s.stdout
    j = json.loads(lf("catalog", "show", "bailly-oe-6.4t", "-f", "json").stdout)
    assert j["kind"] == "optical-engine" and any(src["kind"] == "estimate" and src["derivation"] for src in j["sources"])
    bad = lf("catalog", "show", "osfp-800g-dr9")
    assert bad.returncode == 2 and "did you mean 'osfp-800g-dr8'" in " ".join(bad.stderr.split())
    k = lf("catalog", "list", "--kind", "swich")
    assert k.returncode == 2 and "switch" in k.stderr


def test_scenario_init_check_and_compare(tmp_path):
    f = tmp_path / "s.yaml"
    p = lf("scenario", "init", str(f))
    assert p.returncode == 0 and f.exists() and "#" in f.read_text()
    again = lf("scenario", "init", str(f))
    assert again.returncode == 2 and "--force" in again.stderr
    assert lf("scenario", "check", str(f)).returncode == 0
    c = lf("compare", str(f), "-f", "json")
    assert c.returncode == 0 and len(json.loads(c.stdout)["results"]) == 3


def test_version_and_bad_option():
    assert lf_process("--version").stdout.startswith("lightfabric ")
    p = lf_process("compare", "--format", "xml")
    assert p.returncode == 2 and "Traceback" not in p.stderr


# --- link and laser (issue 3) -----------------------------------------------------------------------
def test_link_cpo_json_contract():
    p = lf("link", "--technology", "cpo", "--length-m", "500", "--lane-rate-gbps", "200", "--modulation", "pam4",
           "--format", "json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for key in ("elements", "received_oma_dbm", "sensitivity_dbm", "margin_db", "ber", "feasible", "reasons"):
        assert key in d
    assert all({"name", "loss_db", "power_dbm"} <= set(e) for e in d["elements"])
    # the last element's OMA is the received OMA, and the margin is what the budget says
    assert d["elements"][-1]["oma_dbm"] == pytest.approx(d["received_oma_dbm"], abs=1e-3)
    assert d["margin_db"] == pytest.approx(d["received_oma_dbm"] - d["penalties_db"] - d["sensitivity_dbm"], abs=2e-3)
    assert d["feasible"] and d["reasons"] == [] and d["ber"] < 2.4e-4


def test_link_copper_224g():
    ok = json.loads(lf("link", "--technology", "copper", "--length-m", "1", "--lane-rate-gbps", "224", "-f", "json").stdout)
    bad = json.loads(lf("link", "--technology", "copper", "--length-m", "1.5", "--lane-rate-gbps", "224", "-f", "json").stdout)
    assert ok["feasible"] and not bad["feasible"] and "reach" in bad["reasons"][0]
    assert bad["ber"] is None and bad["details"]["nyquist_ghz"] == pytest.approx(53.125)


def test_link_table_and_laser_json():
    p = lf("link", "--technology", "pluggable-dsp", "--length-m", "500")
    assert p.returncode == 0 and "margin" in p.stdout and "eml-1310" in p.stdout
    d = json.loads(lf("laser", "--technology", "cpo", "--lanes-per-laser", "8", "--temperature-c", "70", "-f", "json").stdout)
    for key in ("lane_laser_power_mw", "lasers_per_port", "laser_electrical_power_w", "junction_temperature_c", "fit_per_port"):
        assert d[key] is not None
    assert d["lanes_per_laser"] == 8 and d["lasers_per_port"] == 1
    assert d["junction_temperature_c"] > 70


@pytest.mark.parametrize("args,needle", [
    (("link", "--technology", "copper", "--length-m", "1", "--laser-power-mw", "3"), "--laser-power-mw"),
    (("link", "--technology", "copper", "--length-m", "1", "--lanes-per-laser", "4"), "--lanes-per-laser"),
    (("link", "--technology", "cpo", "--length-m", "1", "--cable", "twinax-26awg"), "--cable"),
    (("link", "--technology", "lpo", "--length-m", "1", "--lanes-per-laser", "4"), "--lanes-per-laser"),
    (("link", "--technology", "cpo", "--length-m", "-3"), "--length-m"),
    (("link", "--technology", "cpo", "--length-m", "3", "--lane-rate-gbps", "400"), "--lane-rate-gbps"),
    (("link", "--technology", "cpo", "--length-m", "3", "--modulation", "nrz"), "--modulation"),
    (("link", "--technology", "cpx", "--length-m", "3"), "cpo"),
    (("laser", "--technology", "copper"), "--technology"),
    (("laser", "--technology", "cpo", "--temperature-c", "900"), "--temperature-c"),
])
def test_link_and_laser_refuse_bad_options(args, needle):
    p = lf(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert needle in p.stderr and "Traceback" not in p.stderr


def test_density_json_and_table():
    p = lf("density", "--format", "json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)["technologies"]
    assert set(d) == {"pluggable-dsp", "lro", "lpo", "copper", "npo", "cpo", "oio"}
    for t in d.values():
        assert t["max_switch_capacity_tbps"] > 0 and t["ports_per_rack_unit"] > 0
    p = lf("density")
    assert p.returncode == 0 and "faceplate" in p.stdout


def test_every_example_compares_from_the_cli():
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        p = lf_here("compare", str(path), "--format", "json")
        assert p.returncode == 0, (path, p.stderr)
        d = json.loads(p.stdout)
        assert any(r["feasible"] for r in d["results"]), path
        for r in d["results"]:
            assert r["feasible"] or r["reasons"], (path, r["technology"])
