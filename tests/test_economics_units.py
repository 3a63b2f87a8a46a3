"""Issue 23: every row of the economics table names its unit, and "optics cost per port" has one
definition, with one label and one number in ``compare`` and ``economics``.

The tables are checked as a user reads them: rendered with rich (``Console(record=True, width=200)``)
and parsed back into (label, cells) rows. Figures are checked against the JSON of the command line
(a second path: the report through ``json_ready``) and against hand sums of catalog prices.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console

import lightfabric
from lightfabric import Catalog
from lightfabric.compare import compare
from lightfabric.economics import economics
from lightfabric.economics.copackaging import PORT_OPTICS_LIST_LABEL, PORT_OPTICS_PREMIUM_LABEL
from lightfabric.report.economics import economics_table, packaging_table
from lightfabric.report.table import comparison_table

from test_cli import lf

DEFAULT = lightfabric.scenario.loader.default_scenario_path()


def example(name: str) -> Path:
    """An example scenario: the checkout's examples/ or, where they are installed with the package, there."""
    for folder in (DEFAULT.parents[3] / "examples", Path(lightfabric.__file__).parent / "examples"):
        if (folder / f"{name}.yaml").exists():
            return folder / f"{name}.yaml"
    raise FileNotFoundError(name)


SCENARIOS = {"default": DEFAULT, "h100-16k-llama3-like": example("h100-16k-llama3-like")}

# The units a row of the economics table may carry, in parentheses at the end of its label.
UNITS = {"M USD", "USD", "%", "M USD / year", "repairs / year", "M GPU-h / year"}
UNIT_AT_END = re.compile(r"\(([^()]*)\)\s*$")

# Rows in M USD and the JSON figure (USD) each shows, by the label's start (indentation stripped).
M_USD_ROWS = {
    "capex": lambda r: r["capex_usd"],
    "energy": lambda r: r["energy_usd"],
    "maintenance": lambda r: r["maintenance_usd"],
    "spares stock": lambda r: r["spares_usd"],
    "parts": lambda r: r["maintenance"]["parts_usd_per_year"],
    "labour": lambda r: r["maintenance"]["labour_usd_per_year"],
    "downtime": lambda r: r["downtime_usd"],
    "TCO": lambda r: r["tco_usd"],
    "NPV of costs": lambda r: r["npv_usd"],
    **{c: (lambda r, c=c: r["capex_usd_by_category"].get(c.replace(" ", "_"), 0.0))
       for c in ("switches", "optics", "lasers", "nics", "fiber", "cables", "packaging yield")},
}


def rendered_rows(table) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The header cells and the (label, cells) of every body row of ``table`` as rich renders it at
    200 columns (rows whose label wraps would show up as extra rows with an empty label)."""
    console = Console(record=True, width=200)
    console.print(table)
    lines = [ln for ln in console.export_text().splitlines() if ln.startswith(("┃", "│"))]
    split = [[c.strip() for c in ln.strip("┃│").split("┃" if ln.startswith("┃") else "│")] for ln in lines]
    header = [c for ln, cells in zip(lines, split) if ln.startswith("┃") for c in cells]
    body = [(cells[0], cells[1:]) for ln, cells in zip(lines, split) if ln.startswith("│")]
    return header, body


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def run(request):
    """(report, table rows, the CLI's JSON) for one scenario."""
    path = SCENARIOS[request.param]
    report = economics(lightfabric.load_scenario(path))
    _, rows = rendered_rows(economics_table(report))
    p = lf("economics", str(path), "--format", "json")
    assert p.returncode == 0, p.stderr
    return report, rows, json.loads(p.stdout)


def test_every_economics_row_names_its_unit_or_is_a_heading(run):
    _, rows, _ = run
    assert len(rows) >= 20
    headings = 0
    for label, cells in rows:
        assert label, f"a wrapped or unlabelled row: {cells}"
        if not any(cells):
            headings += 1                      # a section heading: no figures
            assert not UNIT_AT_END.search(label)
            continue
        m = UNIT_AT_END.search(label)
        assert m, f"row {label!r} has no unit in parentheses"
        assert m.group(1) in UNITS, f"row {label!r}: {m.group(1)!r} is not a unit"
    assert headings == 1                       # "One switch port"


def test_figures_in_m_usd_are_the_json_usd_figures_over_a_million(run):
    _, rows, j = run
    checked = set()
    for label, cells in rows:
        if not label.endswith("(M USD)") and not label.endswith("(M USD / year)"):
            continue
        key = next(k for k in sorted(M_USD_ROWS, key=len, reverse=True) if label.strip().startswith(k))
        feasible = [r for r in j["results"] if r["feasible"]]
        assert len(cells) == len(feasible)
        for cell, r in zip(cells, feasible):
            usd = M_USD_ROWS[key](r)
            assert cell == f"{usd / 1e6:,.1f}", (label, r["technology"])
            assert float(cell.replace(",", "")) == pytest.approx(usd / 1e6, abs=0.05 + 1e-9)
        checked.add(key)
    assert {"capex", "energy", "maintenance", "spares stock", "parts", "labour", "downtime", "TCO",
            "NPV of costs", "switches", "optics"} <= checked


def test_tco_row_is_the_sum_of_its_parts_as_shown(run):
    """TCO = capex + energy + maintenance + downtime: the shown parts add up to the shown TCO (within
    the rounding of four figures of 0.1)."""
    _, rows, _ = run
    by = {label.strip().split(",")[0].split(" (")[0]: cells for label, cells in rows}
    for i in range(len(by["TCO"])):
        parts = sum(float(by[k][i].replace(",", "")) for k in ("capex", "energy", "maintenance", "downtime"))
        assert parts == pytest.approx(float(by["TCO"][i].replace(",", "")), abs=0.2 + 1e-9)


def test_other_units_match_the_json(run):
    _, rows, j = run
    feasible = [r for r in j["results"] if r["feasible"]]
    by = {label.strip(): cells for label, cells in rows}
    for cell, r in zip(by["GPU time lost (M GPU-h / year)"], feasible):
        assert cell == f"{r['downtime']['gpu_hours_per_year'] / 1e6:,.2f}"
    for cell, r in zip(by["share of the jobs' GPU time (%)"], feasible):
        assert cell == f"{r['downtime']['network_share_of_job_time'] * 100:.1f}"
    for cell, r in zip(by["repairs (repairs / year)"], feasible):
        assert cell == f"{r['maintenance']['repairs_per_year']:,.0f}"
    for cell, r in zip(by["TCO per GPU (USD)"], feasible):
        assert cell == f"{r['tco_usd'] / j['gpus']:,.0f}"


# 2. optics cost per port: one definition -------------------------------------------------------------

@pytest.fixture(scope="module")
def default_cpo():
    """compare and economics of the default scenario: results, JSON and rendered tables."""
    sc = lightfabric.load_scenario(DEFAULT)
    cmp = compare(sc)
    report = economics(sc)
    pc = lf("compare", "--format", "json")
    pe = lf("economics", "--format", "json")
    assert pc.returncode == 0 and pe.returncode == 0, (pc.stderr, pe.stderr)
    return cmp, report, json.loads(pc.stdout), json.loads(pe.stdout)


def hand_port_optics_usd(catalog: Catalog, engine_id: str, port_gbps: float) -> float:
    """Port optics at list price, with lasers, summed by hand from the catalog: the port's share of
    the engine's price plus its lasers at the laser source's price per laser."""
    engine = catalog.get(engine_id)
    els = catalog.get(engine.laser_source)
    share = port_gbps / engine.capacity_gbps
    lasers = port_gbps / engine.lane_rate_gbps / engine.lanes_per_laser
    return share * engine.price_usd + lasers * els.price_usd / els.lasers


def test_port_optics_has_one_label_and_one_number_in_compare_and_economics(default_cpo):
    cmp, report, jc, je = default_cpo
    _, compare_rows = rendered_rows(comparison_table(cmp))
    _, eco_rows = rendered_rows(economics_table(report))
    techs = [r.technology for r in cmp.results if r.feasible]
    shown_compare = dict(zip(techs, dict(compare_rows)[PORT_OPTICS_LIST_LABEL]))
    shown_eco = dict(zip(techs, dict(eco_rows)[PORT_OPTICS_LIST_LABEL]))
    assert shown_compare == shown_eco
    assert shown_eco["cpo"] == "600"

    cpo_c = next(r for r in jc["results"] if r["technology"] == "cpo")
    cpo_e = next(r for r in je["results"] if r["technology"] == "cpo")
    assert cpo_c["switch_port"]["cost_usd"] == cpo_e["port_optics_list_usd"] == 600.0
    assert all(t["port_optics_list_usd"] == 600.0 for t in cpo_e["packaging"]["tiers"])
    assert "lasers" in je["definitions"]["port_optics_list_usd"]

    # the hand sum from the catalog: 2,912 USD / 8 ports of a 6.4T Bailly engine at 800G + one laser of
    # an 8-laser ELS at 1,888 USD = 364 + 236
    cat = Catalog.default()
    assert cpo_c["switch_port"]["part"] == "bailly-oe-6.4t"
    assert hand_port_optics_usd(cat, "bailly-oe-6.4t", 800.0) == pytest.approx(2912 / 8 + 1888 / 8) == 600.0

    # a second path, the bill of materials: every CPO switch port's engines and laser sources, over the
    # ports they serve (every port of every switch is used in the default scenario)
    bom = cpo_c["bom_lines"]
    usd = sum(x["count"] * sum(x["cost_usd_each"].values()) for x in bom if x["part"] in ("bailly-oe-6.4t", "els-8"))
    assert cpo_c["topology"]["ports_spare"] == 0
    assert usd / cpo_c["topology"]["ports_used"] == pytest.approx(600.0)


def test_port_optics_with_yield_premium_adds_the_premium_per_port(default_cpo):
    """The maturity curve's per-port figure is the list figure plus the device's premium over its
    ports: 600 at the catalog's yields (f = 1), and at f = 3 the 11,228 USD premium per 64-port leaf."""
    _, report, _, je = default_cpo
    tier = next(r for r in je["results"] if r["technology"] == "cpo")["packaging"]["tiers"][0]
    ports = tier["ports_per_device"]
    assert ports == 64
    for m in tier["maturity"]:
        assert m["port_optics_with_yield_premium_usd"] == pytest.approx(600.0 + m["premium_usd_per_device"] / ports)
    at = {m["maturity_factor"]: m for m in tier["maturity"]}
    assert at[1.0]["premium_usd_per_device"] == pytest.approx(0.0, abs=1e-6)
    gm = tier["vendor_gross_margin"]
    premium3 = (at[3.0]["good_cost_usd"] - at[1.0]["good_cost_usd"]) / (1 - gm)
    assert at[3.0]["premium_usd_per_device"] == pytest.approx(premium3)
    assert at[3.0]["port_optics_with_yield_premium_usd"] == pytest.approx(600 + premium3 / 64)

    cpo = next(r for r in report["results"] if r["technology"] == "cpo")
    header, rows = rendered_rows(packaging_table(cpo))
    assert PORT_OPTICS_PREMIUM_LABEL in " ".join(header) or all(
        w in " ".join(header) for w in PORT_OPTICS_PREMIUM_LABEL.split())
    by_f = {label: cells for label, cells in rows}
    assert by_f["1"][-1] == "600"
    assert by_f["3"][-1] == f"{600 + premium3 / 64:,.0f}"
