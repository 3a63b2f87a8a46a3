"""Rich tables for ``lightfabric reliability``: technologies side by side, then where failures come from."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from lightfabric.report.side_by_side import side_by_side


def _g(x, fmt="{:,.3g}") -> str:
    return "-" if x is None else fmt.format(x)


def reliability_table(report: dict) -> Table:
    """One column per technology: failures, downtime, the job's interruptions and goodput."""
    t, row, feasible = side_by_side(
        report["results"],
        title=f"Reliability: {escape(report['scenario'])} ({report['gpus']:,} GPUs; job of {report['job_gpus']:,} GPUs; "
              f"Monte Carlo {report['trials']} x {report['horizon_days']:g} days, seed {report['seed']})",
        caption="Models and sources: docs/reliability.md; every figure: --format json")

    row("hard failures / day", lambda r: _g(r["failures_per_day_total"]))
    for cat in ("optics", "lasers", "switches", "nics", "cables"):
        if any(cat in r["failures_per_day_by_category"] for r in feasible):
            row(f"  of which {cat}", lambda r, c=cat: _g(r["failures_per_day_by_category"].get(c, 0.0)))
    row("transient outages / day", lambda r: _g(r["flaps_per_day"]))
    row("switch-port optics FIT", lambda r: _g(r["port_fit"]["fit"], "{:,.0f}"))
    groups = sorted({g for r in feasible for g in r["link_fit"]})
    for g in groups:
        row(f"{g} link FIT", lambda r, g=g: _g(r["link_fit"].get(g), "{:,.0f}"))
    row("GPUs down, mean", lambda r: _g(r["gpus_down_mean"]))
    row("GPUs down, 95th pct (MC)", lambda r: _g(r["monte_carlo"]["gpus_down_p95"], "{:,.0f}"))
    row("GPUs down, 99th pct (MC)", lambda r: _g(r["monte_carlo"]["gpus_down_p99"], "{:,.0f}"))
    row("bisection availability", lambda r: f"{r['bisection_availability'] * 100:.4f} %")
    row("job interruptions / day", lambda r: _g(r["job_interruptions_per_day"]))
    row("  Monte Carlo 95 % CI", lambda r: "{:.3g} to {:.3g}".format(*r["monte_carlo"]["job_interruptions_per_day_ci95"]))
    row("time lost / interruption (h)", lambda r: _g(r["job"]["network"]["time_lost_per_interruption_h"]))
    row("checkpoint interval (h, Daly)", lambda r: _g(r["job"]["network"]["checkpoint_interval_h"]))
    row("goodput, network only", lambda r: f"{r['goodput'] * 100:.2f} %")
    row("goodput, all causes", lambda r: f"{r['job']['all_causes']['goodput'] * 100:.2f} %")
    return t


def units_table(result: dict, top: int = 8) -> Table:
    """The units of one design that cost the most GPU-hours, with their repair and blast radius."""
    t = Table(title=f"{result['technology']}: where the downtime comes from (top {top} by GPU-hours lost)",
              header_style="bold")
    for col in ("unit", "part", "count", "FIT", "failures/day", "repair unit", "MTTR (h)",
                "GPUs out waiting", "GPUs out replacing", "GPU-h / day"):
        t.add_column(col, overflow="fold", justify="left" if col in ("unit", "part", "repair unit") else "right")

    def gpu_h(u):
        fru = result["mttr_h"][u["fru"]]
        b = u["blast_radius_gpus"]
        return u["failures_per_day"] * (fru["wait_h"] * b["waiting"] + fru["replace_h"] * b["replacing"])

    for u in sorted(result["units"], key=lambda u: -gpu_h(u))[:top]:
        t.add_row(u["unit"], u["part"], f"{u['count']:,.0f}", _g(u["fit"], "{:,.0f}"), _g(u["failures_per_day"]),
                  u["fru"], _g(u["mttr_h"]), _g(u["blast_radius_gpus"]["waiting"]),
                  _g(u["blast_radius_gpus"]["replacing"]), _g(gpu_h(u)))
    return t
