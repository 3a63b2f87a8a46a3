"""The HTML report: one self-contained file with every figure, the tables, the infeasible designs and
the assumptions with their sources.

:func:`gather` runs every analysis of a scenario and returns their plain results; :func:`render`
turns those into HTML. plotly's JavaScript is embedded once, so the file opens with no network.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Callable

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from rich.table import Table
from rich.text import Text

from lightfabric import __version__, plots
from lightfabric.compare import compare
from lightfabric.density import density_report
from lightfabric.economics import economics as run_economics
from lightfabric.economics import sensitivity_report, value_chain
from lightfabric.errors import LightfabricError, WorkTooLarge
from lightfabric.netsim.run import collective_sweep
from lightfabric.physics.chains import OPTICAL_CHAINS, LinkOptionError, laser_report
from lightfabric.reliability import assess
from lightfabric.report.economics import break_even_table, economics_table, tornado_table, valuechain_table
from lightfabric.report.reliability import reliability_table
from lightfabric.report.table import comparison_table
from lightfabric.scenario.models import Scenario
from lightfabric.technologies.base import budget_of_check

# The sections gather() fills, in order; each is a result dict, or {"error": message} when the
# scenario does not allow it (a sensitivity needs two feasible designs, say).
SECTIONS = ("comparison", "links", "lasers", "reliability", "economics", "valuechain", "sensitivity",
            "collectives", "density")
COLLECTIVE_ALGORITHMS = ("ring", "tree")


def _links(comparison) -> dict:
    """The budget of each feasible optical design's least-margin single-mode link, as its physical
    check computed it (a multimode SR link is checked against the IEEE channel budget, which has no
    element-by-element waterfall, so it is left out here and named in its group's check)."""
    out = []
    for r in comparison.results:
        if not r.feasible:
            continue
        checks = [c for c in r.design.link_checks if c.get("margin_db") is not None and c.get("chain") in OPTICAL_CHAINS]
        if not checks:
            continue
        worst = min(checks, key=lambda c: c["margin_db"])
        link = budget_of_check(comparison.plan.catalog, comparison.plan.scenario.physical, worst)
        out.append({**link.to_dict(), "technology": worst["technology"], "group": worst["group"],
                    "design": r.technology, "check_margin_db": worst["margin_db"]})
    return {"links": out}


def gather(scenario: Scenario, *, trials: int = 200, horizon_days: float = 180.0, seed: int = 0,
           progress: Callable[[str, int, int], None] | None = None, max_failure_events: float | None = None) -> dict:
    """Every analysis the report shows, as plain results keyed by :data:`SECTIONS`.

    ``progress(section, done, total)`` is called as each section finishes; ``max_failure_events``
    bounds the reliability section's Monte Carlo (a server's limit: it raises, it is not a section error).
    """
    comparison = compare(scenario)
    catalog = comparison.plan.catalog  # the scenario's overrides applied, as the designs used it
    out: dict = {"scenario": scenario, "comparison_object": comparison}
    lane = comparison.plan.port.lane_rate_gbps
    steps: dict[str, Callable[[], dict]] = {
        "comparison": comparison.to_dict,
        "links": lambda: _links(comparison),
        "lasers": lambda: {"lasers": [laser_report(catalog, t, lane_rate_gbps=lane,
                                                   design_margin_db=scenario.physical.design_margin_db)
                                      for t in OPTICAL_CHAINS]},
        "reliability": lambda: assess(scenario, trials=trials, horizon_days=horizon_days, seed=seed,
                                      max_failure_events=max_failure_events),
        "economics": lambda: run_economics(scenario),
        "valuechain": lambda: value_chain(scenario),
        "sensitivity": lambda: sensitivity_report(scenario),
        "collectives": lambda: {"sweeps": [collective_sweep(scenario, algorithm=a) for a in COLLECTIVE_ALGORITHMS]},
        "density": lambda: density_report(catalog),
    }
    for i, name in enumerate(SECTIONS):
        try:
            out[name] = steps[name]()
        except WorkTooLarge:
            raise
        except (LightfabricError, LinkOptionError) as e:
            out[name] = {"error": str(e)}
        if progress is not None:
            progress("report", i + 1, len(SECTIONS))
    return out


# --- winners ---------------------------------------------------------------------------------

def _winners(results: dict) -> list[dict]:
    """For each headline metric, the value of every feasible design and the best of them."""
    rows = []

    def add(metric: str, unit: str, values: dict[str, float], best=min, fmt="{:,.2f}"):
        values = {k: v for k, v in values.items() if v is not None}
        if len(values) < 1:
            return
        top = best(values.values())
        winners = [k for k, v in values.items() if abs(v - top) <= 1e-6 * max(abs(top), 1e-12)]
        rows.append({"metric": metric, "unit": unit, "values": values, "winners": winners, "fmt": fmt,
                     "best": "highest" if best is max else "lowest"})

    comp = results.get("comparison", {})
    ok = [r for r in comp.get("results", []) if r["feasible"]]
    add("fabric power", "MW", {r["technology"]: r["power_w"]["total"] / 1e6 for r in ok})
    add("power per GPU", "W", {r["technology"]: r["power_per_gpu_w"] for r in ok}, fmt="{:,.1f}")
    add("capex", "M USD", {r["technology"]: r["capex_usd"] / 1e6 for r in ok}, fmt="{:,.1f}")
    add("capex + energy", "M USD", {r["technology"]: r["capex_energy_usd"] / 1e6 for r in ok}, fmt="{:,.1f}")
    eco = [r for r in results.get("economics", {}).get("results", []) if r["feasible"]]
    add("total cost of ownership", "M USD", {r["technology"]: r["tco_usd"] / 1e6 for r in eco}, fmt="{:,.1f}")
    add("net present cost", "M USD", {r["technology"]: r["npv_usd"] / 1e6 for r in eco}, fmt="{:,.1f}")
    rel = [r for r in results.get("reliability", {}).get("results", []) if r["feasible"]]
    add("failures per day", "", {r["technology"]: r["failures_per_day_total"] for r in rel}, fmt="{:,.2f}")
    add("GPUs down (mean)", "", {r["technology"]: r["gpus_down_mean"] for r in rel}, fmt="{:,.2f}")
    add("job goodput", "%", {r["technology"]: 100 * r["goodput"] for r in rel}, best=max, fmt="{:,.2f}")
    sweeps = results.get("collectives", {}).get("sweeps", [])
    if sweeps:
        sizes = next((t["sizes_bytes"] for t in sweeps[0]["results"] if t["feasible"]), None)
        if sizes:
            i = min(range(len(sizes)), key=lambda k: abs(sizes[k] - 1e9))
            best_time = {}
            for sw in sweeps:
                for t in sw["results"]:
                    if t["feasible"]:
                        best_time[t["technology"]] = min(best_time.get(t["technology"], float("inf")), t["time_s"][i] * 1e3)
            add(f"all-reduce of {sizes[i] / 1e9:.2f} GB (best of {', '.join(COLLECTIVE_ALGORITHMS)})", "ms", best_time,
                fmt="{:,.1f}")
    return rows


# --- HTML pieces -----------------------------------------------------------------------------

def _cell(x) -> str:
    if isinstance(x, Text):
        return html.escape(x.plain)
    return html.escape(str(x)) if x is not None else ""


def table_html(table: Table) -> str:
    """A rich table (the same one the terminal shows) as an HTML table."""
    cols = table.columns
    cells = [list(c.cells) for c in cols]
    head = "".join(f"<th>{_cell(c.header)}</th>" for c in cols)
    body = []
    for i in range(len(table.rows)):
        tds = "".join(f"<td class='{'l' if j == 0 else 'r'}'>{_cell(cells[j][i])}</td>" for j in range(len(cols)))
        body.append(f"<tr>{tds}</tr>")
    title = f"<caption>{_cell(table.title)}</caption>" if table.title else ""
    foot = f"<p class='note'>{_cell(table.caption)}</p>" if table.caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}"


def _figure(fig: go.Figure, fig_id: str) -> str:
    return f"<div class='figure' data-figure='{fig_id}'>" + fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"fig-{fig_id}", config={"displaylogo": False}) + "</div>"


def figures(results: dict) -> dict[str, go.Figure]:
    """Every figure the results allow, keyed by a stable id (the report's and the web app's)."""
    figs: dict[str, go.Figure] = {}

    def ok(name):
        return name in results and "error" not in results[name]

    if ok("comparison") and any(r["feasible"] for r in results["comparison"]["results"]):
        figs["power"] = plots.power_breakdown(results["comparison"])
        figs["bom"] = plots.bill_of_materials(results["comparison"])
    if ok("economics") and any(r["feasible"] for r in results["economics"]["results"]):
        figs["tco"] = plots.capex_tco(results["economics"])
    if ok("links"):
        for link in results["links"]["links"]:
            figs[f"link-{link['design']}"] = plots.link_budget_waterfall(link)
    if ok("lasers"):
        figs["lasers"] = plots.laser_power_per_lane(results["lasers"]["lasers"])
    if ok("reliability") and any(r["feasible"] for r in results["reliability"]["results"]):
        figs["failures"] = plots.failures_per_day(results["reliability"])
        figs["gpus-down"] = plots.gpus_down_distribution(results["reliability"])
    if ok("valuechain") and results["valuechain"]["results"]:
        figs["valuechain"] = plots.value_chain(results["valuechain"])
    if ok("sensitivity"):
        figs["tornado"] = plots.tornado(results["sensitivity"])
    if ok("collectives"):
        figs["collectives"] = plots.collective_time_vs_size(results["collectives"]["sweeps"])
    if ok("density"):
        figs["density"] = plots.bandwidth_density(results["density"])
    return figs


CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0 auto;max-width:1200px;padding:0 24px 48px;color:#222}
h1{margin-top:28px} h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:40px}
table{border-collapse:collapse;margin:12px 0;font-size:13px} caption{text-align:left;font-weight:bold;padding:6px 0}
th,td{border-bottom:1px solid #e4e4e4;padding:3px 8px;vertical-align:top} th{background:#f4f6f8;text-align:left}
td.r{text-align:right} td.l{text-align:left} .win{font-weight:bold;background:#e6f4ea}
.note{color:#555;font-size:12px} .bad{color:#b00020} .figure{margin:18px 0;border:1px solid #eee}
nav a{margin-right:12px} .src{font-size:12px} .src td{max-width:520px}
"""


def _summary_html(rows: list[dict], techs: list[str]) -> str:
    head = "<tr><th>metric</th>" + "".join(f"<th>{html.escape(t)}</th>" for t in techs) + "<th>best</th></tr>"
    body = []
    for row in rows:
        cells = []
        for t in techs:
            v = row["values"].get(t)
            text = "-" if v is None else row["fmt"].format(v)
            cells.append(f"<td class='r{' win' if t in row['winners'] else ''}'>{text}</td>")
        unit = f" ({row['unit']})" if row["unit"] else ""
        body.append(f"<tr><td class='l'>{html.escape(row['metric'] + unit)}</td>{''.join(cells)}"
                    f"<td class='l' data-winner='{html.escape(' '.join(row['winners']))}'>"
                    f"{html.escape(', '.join(row['winners']))} <span class='note'>({row['best']}"
                    f"{', tie' if len(row['winners']) > 1 else ''})</span></td></tr>")
    return f"<table id='winners'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _infeasible_html(results: dict) -> str:
    items = []
    for r in results.get("comparison", {}).get("results", []):
        for reason in r["reasons"]:
            items.append(f"<li><b>{html.escape(r['technology'])}</b> is infeasible: {html.escape(reason)}</li>")
        for note in r["notes"]:
            items.append(f"<li class='note'><b>{html.escape(r['technology'])}</b>: {html.escape(note)}</li>")
    for name in SECTIONS:
        if "error" in results.get(name, {}):
            items.append(f"<li class='bad'>{name} not computed: {html.escape(results[name]['error'])}</li>")
    if not items:
        return "<p>Every design is feasible.</p>"
    return f"<ul id='infeasible'>{''.join(items)}</ul>"


def _sources_html(assumptions: list[dict]) -> str:
    """Every catalog figure used, with its source linked where it has an address."""
    rows = []
    for a in assumptions:
        value = ", ".join(map(str, a["value"])) if isinstance(a["value"], list) else str(a["value"])
        where = a.get("where") or ""
        title = html.escape(a["source"])
        if re.match(r"^https?://", where):
            title = f"<a href='{html.escape(where)}' rel='noopener noreferrer'>{title}</a>"
        elif where:
            title += f" <span class='note'>({html.escape(where)})</span>"
        kind = a["kind"] + (f" ({a['confidence']})" if a.get("confidence") else "")
        rows.append(f"<tr><td>{html.escape(a['part'])}</td><td>{html.escape(a['field'])}</td><td class='r'>"
                    f"{html.escape(value)}</td><td>{html.escape(kind)}</td><td>{title}</td>"
                    f"<td>{html.escape(a.get('derivation') or '')}</td><td>{html.escape(a.get('date') or '')}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("part", "field", "value", "kind", "source", "derivation", "date"))
    return f"<table id='sources'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render(results: dict, *, generated: str | None = None) -> str:
    """The report as one HTML document (plotly.js inline; no external reference)."""
    sc: Scenario = results["scenario"]
    comparison = results["comparison_object"]
    techs = [r.technology for r in comparison.results]
    figs = figures(results)
    when = generated or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    p = comparison.plan
    parts = [
        f"<h1>lightfabric report: {html.escape(sc.name)}</h1>",
        f"<p>{html.escape(sc.description or '')}</p>",
        f"<p class='note'>{html.escape(p.headline())}; technologies "
        f"{', '.join(techs)}. Generated by lightfabric {__version__} on {when}.</p>",
        "<nav><a href='#summary'>Summary</a><a href='#figures'>Figures</a><a href='#tables'>Tables</a>"
        "<a href='#assumptions'>Assumptions and sources</a></nav>",
        "<h2 id='summary'>Summary: the best design on each metric</h2>",
        _summary_html(_winners(results), techs),
        "<h3>Infeasible designs and notes</h3>", _infeasible_html(results),
        "<h2 id='figures'>Figures</h2>",
        *[_figure(fig, fid) for fid, fig in figs.items()],
        "<h2 id='tables'>Tables</h2>", table_html(comparison_table(comparison)),
    ]
    for name, make in (("economics", economics_table), ("reliability", reliability_table),
                       ("valuechain", valuechain_table)):
        if "error" not in results.get(name, {"error": ""}):
            parts.append(table_html(make(results[name])))
    if "error" not in results.get("sensitivity", {"error": ""}):
        parts.append(table_html(tornado_table(results["sensitivity"])))
        if results["sensitivity"]["tornado"].get("versus"):
            parts.append(table_html(break_even_table(results["sensitivity"])))
    parts += ["<h2 id='assumptions'>Assumptions and sources</h2>",
              "<p>Scenario economics: " + html.escape(", ".join(f"{k} = {v}" for k, v in sc.economics.model_dump().items()))
              + ". Every catalog figure the designs use, with its source and kind:</p>",
              f"<div class='src'>{_sources_html(results['comparison']['assumptions'])}</div>"]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>lightfabric report: {html.escape(sc.name)}</title><style>{CSS}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
            + "\n".join(parts) + "</body></html>")
