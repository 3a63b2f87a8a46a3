"""Rich tables for ``lightfabric economics``, ``valuechain`` and ``sensitivity``."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from lightfabric.catalog import SEGMENTS
from lightfabric.economics.copackaging import (
    PORT_OPTICS_DEFINITION, PORT_OPTICS_LIST_LABEL, PORT_OPTICS_PREMIUM_LABEL,
)
from lightfabric.report.side_by_side import side_by_side


def _m(x) -> str:
    """Millions of USD, one decimal: the unit is in the row label ("M USD")."""
    return "-" if x is None else f"{x / 1e6:,.1f}"


def _pct_number(x) -> str:
    """A share as a number of per cent, one decimal: the row label carries the unit ("(%)")."""
    return "-" if x is None else f"{x * 100:.1f}"


def _usd(x) -> str:
    """Whole USD: the unit is in the row label ("(USD)")."""
    return "-" if x is None else f"{x:,.0f}"


CAPEX_CATEGORIES = ("switches", "optics", "lasers", "nics", "fiber", "cables", "packaging_yield")


def economics_table(report: dict) -> Table:
    """One column per technology: capex, energy, maintenance, downtime, TCO and NPV, each row with its unit
    in its label; section headings (no figures) group the port optics."""
    eco = report["economics"]
    t, row, feasible = side_by_side(
        report["results"],
        title=f"Economics: {escape(report['scenario'])} ({report['gpus']:,} GPUs; {eco['years']:g} years; "
              f"{eco['electricity_usd_per_kwh']:g} USD/kWh, PUE {eco['pue']:g}; "
              f"GPU-hour {eco['gpu_hour_usd']:g} USD; discount rate {eco['discount_rate'] * 100:g} %)",
        caption="Each row's unit is in its label. TCO = capex + energy + maintenance + downtime over the years, "
                "undiscounted; NPV discounts the yearly costs. Downtime is the network's marginal cost: the GPU "
                "time of the job mix with every cause of interruption, less that without the network's, plus GPUs "
                "idle for a network repair. "
                + escape(PORT_OPTICS_DEFINITION) + ". Models and sources: docs/economics.md; every figure: "
                "--format json\n"
                + "\n".join(escape(line) for line in assumption_lines(report)))
    base = feasible[0] if feasible else None
    years = f"{eco['years']:g} years"

    row("capex (M USD)", lambda r: _m(r["capex_usd"]))
    cats = [c for c in CAPEX_CATEGORIES if any(r["capex_usd_by_category"].get(c) for r in feasible)]
    for c in cats:
        row(f"  {c.replace('_', ' ')} (M USD)", lambda r, c=c: _m(r["capex_usd_by_category"].get(c, 0.0)))
    row(f"energy, {years} (M USD)", lambda r: _m(r["energy_usd"]))
    row(f"maintenance, {report['repair_policy']['name']}, {years} (M USD)", lambda r: _m(r["maintenance_usd"]))
    row("  spares stock, year 0 (M USD)", lambda r: _m(r["spares_usd"]))
    row("  parts (M USD / year)", lambda r: _m(r["maintenance"]["parts_usd_per_year"]))
    row("  labour (M USD / year)", lambda r: _m(r["maintenance"]["labour_usd_per_year"]))
    row("  repairs (repairs / year)", lambda r: f"{r['maintenance']['repairs_per_year']:,.0f}")
    row(f"downtime, the network's marginal cost, {years} (M USD)", lambda r: _m(r["downtime_usd"]))
    row("  GPU time lost (M GPU-h / year)", lambda r: f"{r['downtime']['gpu_hours_per_year'] / 1e6:,.2f}")
    row("  share of the jobs' GPU time (%)", lambda r: _pct_number(r["downtime"]["network_share_of_job_time"]))
    row("  the same if one job spanned the cluster (%)",
        lambda r: _pct_number(r["reliability"]["single_job_comparison"]["network_share_of_job_time"]))
    row("  job goodput, all causes (%)", lambda r: _pct_number(r["reliability"]["goodput"]))
    row(f"TCO, {years} (M USD)", lambda r: _m(r["tco_usd"]))
    row("TCO vs baseline (%)",
        lambda r: "baseline" if r is base else f"{(r['tco_usd'] / base['tco_usd'] - 1) * 100:+.1f}")
    row(f"NPV of costs, {years} (M USD)", lambda r: _m(r["npv_usd"]))
    row("TCO per GPU (USD)", lambda r: f"{r['per_gpu']['tco_usd']:,.0f}")
    row("NPV per GPU (USD)", lambda r: f"{r['per_gpu']['npv_usd']:,.0f}")
    row("One switch port", lambda r: "")
    row(PORT_OPTICS_LIST_LABEL, lambda r: _usd(r.get("port_optics_list_usd")))
    return t


def assumption_lines(report: dict) -> list[str]:
    """The reliability choices behind the downtime and maintenance, named (and whether each is the default)."""
    mix = report["job_mix"]
    sizes = ", ".join(f"{j['gpus']:,} GPUs {j['share']:.0%}" for j in mix["jobs"])
    out = [f"job mix: {mix['name']} ({sizes} of the GPU-hours; placement {mix['placement']}): {mix['source']}"]
    pol = report["repair_policy"]
    window = f", every {pol['window_days']:g} days" if "window_days" in pol else ""
    out.append(f"repair policy: {pol['name']}{window}{' (the default)' if pol['default'] else ''}; set "
               f"reliability.repair_policy: swap-now, maintenance-window or swap-sub-assembly")
    fe = report.get("failure_effects", {})
    degrade = [role.replace("_", " ") for role, v in fe.items() if v["effect"] == "degrade"]
    interrupt = [role.replace("_", " ") for role, v in fe.items() if v["effect"] == "interrupt"]
    out.append(f"failures that interrupt jobs: {', '.join(interrupt) or 'none'}; that degrade bandwidth: "
               f"{', '.join(degrade) or 'none'} (reliability.failure_effects)")
    return out


def packaging_table(result: dict) -> Table | None:
    """Yield and cost of the co-packaged engines of one design as the yields mature."""
    tiers = [x for x in result["packaging"]["tiers"] if "maturity" in x]
    if not tiers:
        return None
    x = tiers[0]
    pkg = x["package"]
    per = (f"{x['engines_per_package']} x {x['engine']} per package, {x['packages_per_device']} packages per "
           f"{x['tier']} device" if x.get("packages_per_device", 1) > 1
           else f"{x['engines_per_device']} x {x['engine']} per {x['tier']} device")
    what = (f"{per}, flows {x['engine_flow']}"
            f"{' + ' + x['co_package_flow'] if x['co_package_flow'] else ''}")
    t = Table(title=f"{result['technology']}: packaging yield and cost as yields mature ({what})", header_style="bold",
              caption="maturity factor f scales every defect level: yield y -> 1 - (1 - y) f, D0 -> f D0; f = 1 is "
                      "the catalog (the yields its prices carry). Premium: the change in the cost of the good "
                      "packages / (1 - vendor gross margin). "
                      f"{PORT_OPTICS_PREMIUM_LABEL.removesuffix(' (USD)')} = {PORT_OPTICS_LIST_LABEL.removesuffix(' (USD)')} "
                      f"({_usd(x.get('port_optics_list_usd'))} USD; docs/economics.md) + the premium / "
                      f"{x['ports_per_device']:g} ports per device")
    for col in ("maturity factor f", "engine yield (%)", "package yield (%)", "cost of good packages per device (USD)",
                "packaging-yield premium per device (USD)", PORT_OPTICS_PREMIUM_LABEL):
        t.add_column(col, justify="right")
    for m in x["maturity"]:
        t.add_row(f"{m['maturity_factor']:g}", _pct_number(m["engine_yield"]), _pct_number(m["package_yield"]),
                  f"{m['good_cost_usd']:,.0f}", _usd(m["premium_usd_per_device"]),
                  _usd(m["port_optics_with_yield_premium_usd"]))
    if pkg:
        t.add_section()
        t.add_row("scenario", _pct_number(x["engine_cost"]["yield"]), _pct_number(pkg["package_yield"]),
                  f"{x['good_cost_usd']:,.0f}", _usd(x["price_delta_usd_per_device"]),
                  _usd(x["port_optics_with_yield_premium_usd"]))
    return t


def valuechain_table(report: dict) -> Table:
    """Dollars and share per segment, one column per technology, and the shift from the baseline."""
    res = report["results"]
    t = Table(title=f"Where the money goes: {escape(report['scenario'])} (capital spending by industry segment, M USD and share)",
              header_style="bold",
              caption="Splits of each part's price: catalog value-share entries (docs/economics.md). Shift: change "
                      f"against {report['baseline']}")
    t.add_column("segment", overflow="fold")
    for r in res:
        t.add_column(r["technology"], justify="right")
    for r in res[1:]:
        t.add_column(f"shift {r['technology']}", justify="right")
    for seg in SEGMENTS:
        if not any(r["segments"][seg]["usd"] for r in res):
            continue
        cells = [f"{r['segments'][seg]['usd'] / 1e6:,.1f} ({r['segments'][seg]['share'] * 100:.1f} %)" for r in res]
        cells += [f"{r['shift'][seg]['usd'] / 1e6:+,.1f} ({r['shift'][seg]['share_points']:+.1f} pt)" for r in res[1:]]
        t.add_row(seg, *cells)
    t.add_section()
    t.add_row("total", *[f"{r['total_usd'] / 1e6:,.1f}" for r in res],
              *[f"{(r['total_usd'] - res[0]['total_usd']) / 1e6:+,.1f}" for r in res[1:]])
    return t


def tornado_table(report: dict) -> Table:
    """Inputs by how much they move the metric (or the difference between two technologies)."""
    tor = report["tornado"]
    versus = tor["versus"]
    metric = tor["metric"].replace("_usd", "").upper()
    if versus:
        title = (f"Sensitivity: {metric} of {versus[0]} minus {versus[1]} (M USD; now "
                 f"{tor['base_difference'] / 1e6:+,.1f}), inputs by swing")
    else:
        title = f"Sensitivity: {metric} (M USD), inputs by swing"
    t = Table(title=f"{escape(report['scenario'])}: {title}", header_style="bold",
              caption="each input at its low and high value, the others as in the scenario; ranges: docs/economics.md")
    for col in ("input", "now", "low", "high", "range"):
        t.add_column(col, overflow="fold", justify="left" if col in ("input", "range") else "right")
    techs = list(tor["base"])
    if versus:
        for col in ("at low", "at high", "swing"):
            t.add_column(col, justify="right")
    else:
        for tech in techs:
            t.add_column(f"{tech} low / high", justify="right")
    for r in tor["rows"]:
        cells = [r["label"], f"{r['base']:,.6g}", f"{r['low']:,.6g}", f"{r['high']:,.6g}", r["range"]]
        if versus:
            cells += [f"{r['difference_at_low'] / 1e6:+,.1f}", f"{r['difference_at_high'] / 1e6:+,.1f}",
                      f"{r['difference_swing'] / 1e6:,.1f}"]
        else:
            cells += [f"{r['at_low'][x] / 1e6:,.1f} / {r['at_high'][x] / 1e6:,.1f}" for x in techs]
        t.add_row(*cells)
    return t


def break_even_table(report: dict) -> Table:
    versus = report["tornado"]["versus"]
    metric = report["tornado"]["metric"].replace("_usd", "").upper()
    t = Table(title=f"Break-even: where {versus[0]} and {versus[1]} have the same {metric}", header_style="bold",
              caption="found with Brent's method; both sides evaluated at the value found")
    for col in ("variable", "now", "break-even", f"{versus[0]} there (M USD)", f"{versus[1]} there (M USD)", "note"):
        t.add_column(col, overflow="fold", justify="left" if col in ("variable", "note") else "right")
    for r in report["break_even"]:
        if r["break_even"] is None:
            t.add_row(r["label"], f"{r['current']:,.4g}", "none", "-", "-", r["note"])
        else:
            at = r["at_break_even"]
            t.add_row(r["label"], f"{r['current']:,.4g}", f"{r['break_even']:,.4g}", f"{at[versus[0]] / 1e6:,.2f}",
                      f"{at[versus[1]] / 1e6:,.2f}", "")
    return t
