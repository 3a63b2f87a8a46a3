"""Rich tables for ``lightfabric economics``, ``valuechain`` and ``sensitivity``."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from lightfabric.catalog import SEGMENTS
from lightfabric.report.side_by_side import side_by_side


def _m(x) -> str:
    """Millions of USD."""
    return "-" if x is None else f"{x / 1e6:,.1f}"


def _pct(x) -> str:
    return "-" if x is None else f"{x * 100:.1f} %"


def economics_table(report: dict) -> Table:
    """One column per technology: capex, energy, maintenance, downtime, TCO and NPV."""
    eco = report["economics"]
    t, row, feasible = side_by_side(
        report["results"],
        title=f"Economics: {escape(report['scenario'])} ({report['gpus']:,} GPUs; {eco['years']:g} years; "
              f"{eco['electricity_usd_per_kwh']:g} USD/kWh, PUE {eco['pue']:g}; "
              f"GPU-hour {eco['gpu_hour_usd']:g} USD; discount rate {eco['discount_rate'] * 100:g} %)",
        caption="M USD. TCO = capex + energy + maintenance + downtime over the years, undiscounted; NPV "
                "discounts the yearly costs. Downtime is the network's marginal cost: the GPU time of the job mix "
                "with every cause of interruption, less that without the network's, plus GPUs idle for a network "
                "repair. Models and sources: docs/economics.md; every figure: --format json\n"
                + "\n".join(escape(line) for line in assumption_lines(report)))
    base = feasible[0] if feasible else None

    row("capex", lambda r: _m(r["capex_usd"]))
    cats = [c for c in ("switches", "optics", "lasers", "nics", "fiber", "cables", "packaging_yield")
            if any(r["capex_usd_by_category"].get(c) for r in feasible)]
    for c in cats:
        row(f"  {c.replace('_', ' ')}", lambda r, c=c: _m(r["capex_usd_by_category"].get(c, 0.0)))
    row("energy", lambda r: _m(r["energy_usd"]))
    row(f"maintenance ({report['repair_policy']['name']})", lambda r: _m(r["maintenance_usd"]))
    row("  spares stock (year 0)", lambda r: _m(r["spares_usd"]))
    row("  parts / year", lambda r: _m(r["maintenance"]["parts_usd_per_year"]))
    row("  labour / year", lambda r: _m(r["maintenance"]["labour_usd_per_year"]))
    row("  repairs / year", lambda r: f"{r['maintenance']['repairs_per_year']:,.0f}")
    row("downtime (the network's marginal cost)", lambda r: _m(r["downtime_usd"]))
    row("  GPU-hours lost / year", lambda r: f"{r['downtime']['gpu_hours_per_year'] / 1e6:,.2f} M")
    row("  of the jobs' GPU time", lambda r: _pct(r["downtime"]["network_share_of_job_time"]))
    row("  if one job spanned the cluster", lambda r: _pct(r["reliability"]["single_job_comparison"]
                                                          ["network_share_of_job_time"]))
    row("  job goodput, all causes", lambda r: _pct(r["reliability"]["goodput"]))
    row("TCO", lambda r: _m(r["tco_usd"]))
    row("TCO vs baseline", lambda r: "baseline" if r is base else f"{(r['tco_usd'] / base['tco_usd'] - 1) * 100:+.1f} %")
    row("NPV of costs", lambda r: _m(r["npv_usd"]))
    row("TCO per GPU (USD)", lambda r: f"{r['per_gpu']['tco_usd']:,.0f}")
    row("NPV per GPU (USD)", lambda r: f"{r['per_gpu']['npv_usd']:,.0f}")
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
                      "the catalog (the yields its prices carry); price per port adds the cost change / (1 - vendor "
                      "gross margin) to the list price")
    for col in ("maturity factor", "engine yield", "package yield", "cost of good packages per device (USD)",
                "optics price per port (USD)"):
        t.add_column(col, justify="right")
    for m in x["maturity"]:
        t.add_row(f"{m['maturity_factor']:g}", _pct(m["engine_yield"]), _pct(m["package_yield"]),
                  f"{m['good_cost_usd']:,.0f}", f"{m['price_per_port_usd']:,.0f}")
    if pkg:
        t.add_section()
        t.add_row("scenario", _pct(x["engine_cost"]["yield"]), _pct(pkg["package_yield"]), f"{x['good_cost_usd']:,.0f}",
                  f"premium {x['price_delta_usd_per_device']:,.0f} per device")
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
