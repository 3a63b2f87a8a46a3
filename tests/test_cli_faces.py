"""The command line's faces (issue 23): tables that fit the terminal, CSV output, progress callbacks,
and the example scenarios and models found by name from any directory."""

from __future__ import annotations

import csv
import fnmatch
import importlib
import io
import json
import re
import subprocess
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from test_cli import lf

from lightfabric.compare import compare
from lightfabric.economics import economics as run_economics
from lightfabric.economics import sensitivity_report
from lightfabric.examples_index import example_models, example_path, example_scenarios, examples_dir, model_path
from lightfabric.errors import LightfabricError
from lightfabric.reliability import assess
from lightfabric.report.economics import economics_table, packaging_table
from lightfabric.report.html import SECTIONS, gather
from lightfabric.report.reliability import reliability_table, units_table
from lightfabric.report.side_by_side import header_text
from lightfabric.report.table import comparison_table
from lightfabric.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "src" / "lightfabric" / "scenario" / "default.yaml"
LLAMA = ROOT / "examples" / "h100-16k-llama3-like.yaml"
SMALL = ROOT / "examples" / "h100-1k-400g-lpo.yaml"
TRIALS = ("--trials", "20", "--horizon-days", "30")


def lf_at(columns: int, *args):
    """A command run in this process with the terminal ``columns`` wide."""
    from typer.testing import CliRunner

    from lightfabric.cli import app
    r = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return subprocess.CompletedProcess(list(args), r.exit_code, r.stdout, r.stderr)


# 1. tables fit the terminal ------------------------------------------------------------------------

def _tables(command: str, scenario: Path) -> list:
    """The rich tables the command prints for ``scenario``, built from the library's results."""
    sc = load_scenario(scenario)
    if command == "compare":
        return [comparison_table(compare(sc))]
    if command == "reliability":
        report = json.loads(lf("reliability", scenario, *TRIALS, "--format", "json").stdout)
        return [reliability_table(report)] + [units_table(r) for r in report["results"] if r["feasible"]]
    report = run_economics(sc)
    return [economics_table(report)] + [t for r in report["results"] if r["feasible"]
                                        if (t := packaging_table(r)) is not None]


@lru_cache(maxsize=None)
def _headers(command: str, scenario: Path) -> tuple[str, ...]:
    return tuple(dict.fromkeys(header_text(c) for t in _tables(command, scenario) for c in t.columns))


def _header_lines(text: str) -> list[str]:
    """The lines of every table's header (from its top border to the line under the header)."""
    out, inside = [], False
    for line in text.splitlines():
        if line.startswith("┏"):
            inside = True
        elif line.startswith("┡"):
            inside = False
        elif inside:
            out.append(line)
    return out


def _left_out(text: str) -> tuple[list[str], str]:
    """The columns the "left out:" notes name, and the notes' text (wrapped lines joined)."""
    notes = " ".join(" ".join(re.findall(r"^left out:.*?wide;.*?\)$", text, flags=re.M | re.S)).split())
    names = [n for m in re.findall(r"left out: (.*?) \(the terminal is", notes) for n in m.split(", ")]
    return names, notes


@pytest.mark.parametrize("columns", [100, 80])
@pytest.mark.parametrize("scenario", [DEFAULT, LLAMA], ids=["default", "h100-16k-llama3-like"])
@pytest.mark.parametrize("command", ["compare", "reliability", "economics"])
def test_tables_fit_the_terminal(command, scenario, columns):
    p = lf_at(columns, command, scenario, *(TRIALS if command == "reliability" else ()))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns, max(lines, key=len)
    assert "…" not in p.stdout  # no cell or header cut short
    heads, (dropped, notes) = _header_lines(p.stdout), _left_out(p.stdout)
    assert heads
    for header in _headers(command, scenario):
        shown = all(any(word in line for line in heads) for word in header.split())
        assert shown or " ".join(header.split()) in dropped, \
            f"column {header!r} neither shown whole nor named as left out at {columns}"
    if dropped:
        assert "--format json" in notes and f"{columns} columns" in notes
        assert set(dropped) <= set(_headers(command, scenario))


def test_wide_terminal_leaves_nothing_out_and_narrow_names_what_it_drops():
    wide = lf_at(200, "reliability", LLAMA, *TRIALS)
    assert wide.returncode == 0 and "left out:" not in wide.stdout
    for header in _headers("reliability", LLAMA):
        assert all(any(w in line for line in _header_lines(wide.stdout)) for w in header.split())
    narrow = lf_at(80, "reliability", LLAMA, *TRIALS)
    dropped, notes = _left_out(narrow.stdout)
    assert dropped, "an 80-column terminal cannot hold the 11 columns of the units table"
    assert "unit" not in dropped and "metric" not in dropped  # the first column always stays
    heads = _header_lines(narrow.stdout)
    for header in dropped:  # a column left out is not shown
        assert not any(re.search(rf"┃ *{re.escape(header)} *┃", line) for line in heads)


@pytest.mark.parametrize("columns", [100, 80])
def test_compare_cells_keep_their_words(columns):
    """Part ids and technology names (one "word" each) are never broken or cut in the table."""
    data = json.loads(lf("compare", LLAMA, "--format", "json").stdout)
    text = lf_at(columns, "compare", LLAMA).stdout
    shown = [r for r in data["results"] if any(r["technology"] in line for line in _header_lines(text))]
    assert shown
    for r in shown:
        if r["feasible"]:
            assert r["switch_port"]["part"] in text


# 2. --format csv -------------------------------------------------------------------------------------

def _csv(p) -> list[dict]:
    assert p.returncode == 0, p.stderr
    return list(csv.DictReader(io.StringIO(p.stdout)))


@pytest.mark.parametrize("args", [("--technology", "cpo", "--length-m", "500", "--lane-rate-gbps", "200"),
                                  ("--technology", "copper", "--length-m", "1.5", "--lane-rate-gbps", "224")])
def test_link_csv_matches_json(args):
    j = json.loads(lf("link", *args, "--format", "json").stdout)
    rows = _csv(lf("link", *args, "--format", "csv"))
    assert [r["element"] for r in rows] == [e["name"] for e in j["elements"]] + ["margin"]
    for row, e in zip(rows, j["elements"]):
        assert float(row["loss_db"]) == pytest.approx(e["loss_db"])
    assert float(rows[-1]["margin_db"]) == pytest.approx(j["margin_db"])
    assert rows[-1]["feasible"] == str(j["feasible"])


def test_laser_csv_matches_json():
    args = ("--technology", "cpo", "--lanes-per-laser", "8", "--temperature-c", "70")
    j = json.loads(lf("laser", *args, "--format", "json").stdout)
    rows = {r["quantity"]: r["value"] for r in _csv(lf("laser", *args, "--format", "csv"))}
    assert float(rows["laser_power_mw"]) == pytest.approx(j["laser_power_mw"])
    assert float(rows["junction_temperature_c"]) == pytest.approx(j["junction_temperature_c"])
    jc = json.loads(lf("laser", "--compare", "--format", "json").stdout)
    rc = _csv(lf("laser", "--compare", "--format", "csv"))
    assert [r["transmitter"] for r in rc] == [r["transmitter"] for r in jc["rows"]]
    assert [float(r["power_w"]) for r in rc] == pytest.approx([r["power_w"] for r in jc["rows"]])


def test_reliability_csv_matches_json():
    args = ("reliability", SMALL, *TRIALS)
    j = json.loads(lf(*args, "--format", "json").stdout)
    rows = _csv(lf(*args, "--format", "csv"))
    assert [r["technology"] for r in rows] == [r["technology"] for r in j["results"]]
    for row, r in zip(rows, j["results"]):
        assert float(row["failures_per_day"]) == pytest.approx(r["failures_per_day_total"])
        assert float(row["goodput"]) == pytest.approx(r["goodput"])
        assert float(row["gpus_down_p99"]) == pytest.approx(r["monte_carlo"]["gpus_down_p99"])


def test_collective_csv_matches_json():
    args = ("collective", SMALL, "--op", "all-reduce", "--size-bytes", "1e8")
    j = json.loads(lf(*args, "--format", "json").stdout)
    rows = _csv(lf(*args, "--format", "csv"))
    assert [r["technology"] for r in rows] == [r["technology"] for r in j["results"]]
    for row, r in zip(rows, j["results"]):
        assert float(row["time_s"]) == pytest.approx(r["time_s"], rel=1e-9)
        assert float(row["busbw_gbps"]) == pytest.approx(r["busbw_gbps"], rel=1e-9)


def test_step_csv_matches_json():
    args = ("step", SMALL, "--model", "dense-405b", "--plan", "tp=8,pp=4")
    j = json.loads(lf(*args, "--format", "json").stdout)
    rows = _csv(lf(*args, "--format", "csv"))
    assert [r["technology"] for r in rows] == [r["technology"] for r in j["results"]]
    for row, r in zip(rows, j["results"]):
        assert float(row["step_time_s"]) == pytest.approx(r["step_time_s"], rel=1e-9)
        for c in r["collectives"]:
            col = re.sub(r"[^0-9a-z]+", "_", c["collective"].lower()).strip("_") + "_time_s"
            assert float(row[col]) == pytest.approx(c["time_s"], rel=1e-9)


def test_csv_still_refused_where_there_is_none():
    p = lf("economics", "--format", "csv")
    assert p.returncode == 2 and "--format: got 'csv'" in p.stderr and "table or json" in p.stderr


# 3. progress of long work ----------------------------------------------------------------------------

def _recorder():
    calls: dict[str, list[tuple[int, int]]] = {}

    def progress(key, done, total):
        calls.setdefault(key, []).append((done, total))
    return calls, progress


def _increasing(calls: dict[str, list[tuple[int, int]]]) -> None:
    assert calls
    for key, seen in calls.items():
        done = [d for d, _ in seen]
        assert done == sorted(set(done)) and done[0] > 0, key
        assert all(d <= t for d, t in seen), key


def test_monte_carlo_reports_progress_per_design():
    calls, progress = _recorder()
    report = assess(load_scenario(SMALL), trials=130, horizon_days=10, progress=progress)
    _increasing(calls)
    assert set(calls) == {r["technology"] for r in report["results"] if r["feasible"]}
    assert all(seen[-1] == (130, 130) and len(seen) > 1 for seen in calls.values())


def test_sensitivity_reports_progress():
    calls, progress = _recorder()
    report = sensitivity_report(load_scenario(SMALL), progress=progress)
    _increasing(calls)
    assert calls["tornado"][-1] == (len(report["tornado"]["rows"]),) * 2


def test_report_reports_progress_per_section():
    calls, progress = _recorder()
    gather(load_scenario(SMALL), trials=20, horizon_days=10, progress=progress)
    _increasing(calls)
    assert calls["report"][-1] == (len(SECTIONS), len(SECTIONS))


@pytest.mark.parametrize("command,target", [("reliability", "lightfabric.reliability.assess"),
                                            ("sensitivity", "lightfabric.economics.sensitivity_report"),
                                            ("report", "lightfabric.report.html.gather")])
def test_commands_hand_a_progress_callback(command, target, monkeypatch, tmp_path):
    """Each long command passes a progress callback (the bar it drives shows only on a terminal)."""
    seen = {}

    def fake(*args, **kwargs):
        seen["progress"] = kwargs.get("progress")
        raise LightfabricError("stop here")
    module, name = target.rsplit(".", 1)
    # by the module object: the package "lightfabric" may name a function after a subpackage
    monkeypatch.setattr(importlib.import_module(module), name, fake)
    extra = ("-o", tmp_path / "r.html") if command == "report" else ()
    p = lf(command, *extra)
    assert p.returncode == 2 and "stop here" in p.stderr
    assert callable(seen["progress"])


# 4. examples found by name from anywhere -----------------------------------------------------------

def test_examples_are_package_data():
    assert examples_dir().parent.name == "lightfabric" and examples_dir().is_dir()
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["lightfabric"]
    files = [p.relative_to(examples_dir().parent).as_posix() for p in examples_dir().rglob("*.yaml")]
    assert {"examples/models/moe-1t.yaml", "examples/sweeps/economics-grid.yaml"} <= set(files)
    for f in files:
        assert any(fnmatch.fnmatch(f, g) and f.count("/") == g.count("/") for g in globs), f


def test_resolver_names_and_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert model_path("moe-1t") == example_models()["moe-1t"]
    assert model_path("examples/models/dense-405b.yaml") == example_models()["dense-405b"]
    assert example_path("jupiter-direct-connect-64k") == example_scenarios()["jupiter-direct-connect-64k"]
    own = tmp_path / "moe-1t.yaml"
    own.write_text("x: 1")
    assert model_path(own) == own  # an existing file wins over the example of the same name
    with pytest.raises(LightfabricError, match=r"--model: got 'moe-2t'.*did you mean 'moe-1t'.*dense-405b"):
        model_path("moe-2t")


def test_step_without_model_outside_the_repository(tmp_path):
    p = lf("step", LLAMA.resolve(), "--format", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    want = yaml.safe_load(example_models()["moe-1t"].read_text())
    assert json.loads(p.stdout)["model"]["name"] == want["name"]
    p = lf("step", LLAMA.resolve(), "--model", "dense-405b", "--plan", "tp=8,pp=4", "--format", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    want = yaml.safe_load(example_models()["dense-405b"].read_text())
    assert json.loads(p.stdout)["model"]["layers"] == want["layers"]


def test_scenario_argument_takes_an_example_name(tmp_path):
    p = lf("compare", "h100-16k-llama3-like", "--format", "json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["scenario"] == yaml.safe_load(LLAMA.read_text())["name"]
    p = lf("scenario", "check", "jupiter-direct-connect-64k", cwd=tmp_path)
    assert p.returncode == 0, p.stderr


def test_unknown_scenario_lists_the_examples(tmp_path):
    p = lf("compare", "h100-16k-llama3", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    message = " ".join(p.stderr.split())
    assert "'h100-16k-llama3'" in message and "did you mean 'h100-16k-llama3-like'" in message
    assert all(name in message for name in example_scenarios())
    p = lf("step", "--model", "nope", cwd=tmp_path)
    assert p.returncode == 2 and "--model" in p.stderr and "moe-1t" in p.stderr


def test_readme_python_example_runs_from_elsewhere(tmp_path):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"From Python:\s*```python\n(.*?)```", readme, flags=re.S).group(1)
    code += "\nassert len(comparison.to_dict()['results']) > 0\n"
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
