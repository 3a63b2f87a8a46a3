"""Rich tables for ``lightfabric reliability`` (technologies side by side, then where failures come
from) and its CSV rows (one per design)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from lightfabric.report.side_by_side import FitTable, side_by_side


def _g(x, fmt="{:,.3g}") -> str:
    return "-" if x is None else fmt.format(x)


def reliability_table(report: dict) -> Table:
    """One column per technology: failures, downtime, the jobs' interruptions and goodput."""
    from lightfabric.report.economics import assumption_lines
    t, row, feasible = side_by_side(
        report["results"],
        title=f"Reliability: {escape(report['scenario'])} ({report['gpus']:,} GPUs; "
              f"Monte Carlo {report['trials']} x {report['horizon_days']:g} days, seed {report['seed']})",
        caption="Models and sources: docs/reliability.md; every figure: --format json\n"
                + "\n".join(escape(line) for line in assumption_lines(report))
                + "".join(f"\npublished: {escape(p['source'])}" for p in report.get("published", [])))

    row("hard failures / day", lambda r: _g(r["failures_per_day_total"]))
    for cat in ("optics", "lasers", "switches", "nics", "cables"):
        if any(cat in r["failures_per_day_by_category"] for r in feasible):
            row(f"  of which {cat}", lambda r, c=cat: _g(r["failures_per_day_by_category"].get(c, 0.0)))
    row(f"swaps / day ({report['repair_policy']['name']})", lambda r: _g(r["swaps_per_day"]))
    row("transient outages / day", lambda r: _g(r["flaps_per_day"]))
    row("switch-port optics FIT", lambda r: _g(r["port_fit"]["fit"], "{:,.0f}"))
    if any((r["port_fit"].get("field_calibration") or {}) for r in feasible):
        row("  field bound (95 %, engine FIT)", lambda r: _g((r["port_fit"].get("field_calibration") or {})
                                                            .get("fit_upper_95"), "< {:,.0f}"))
    groups = sorted({g for r in feasible for g in r["link_fit"]})
    for g in groups:
        row(f"{g} link FIT", lambda r, g=g: _g(r["link_fit"].get(g), "{:,.0f}"))
    row("GPUs down, mean", lambda r: _g(r["gpus_down_mean"]))
    row("GPUs down, 95th pct (MC)", lambda r: _g(r["monte_carlo"]["gpus_down_p95"], "{:,.0f}"))
    row("GPUs down, 99th pct (MC)", lambda r: _g(r["monte_carlo"]["gpus_down_p99"], "{:,.0f}"))
    row("bisection availability", lambda r: f"{r['bisection_availability'] * 100:.4f} %")
    row("bandwidth kept, one uplink down", lambda r: "not measured (nothing degrades)"
        if r["degraded_bandwidth"]["retained"] is None else f"{r['degraded_bandwidth']['retained'] * 100:.1f} %")
    if any(r.get("circuit_failures") for r in report["results"] if r.get("feasible")):
        def kept(r, failure):
            cf = r.get("circuit_failures")
            if not cf:
                return "-"
            f = cf[failure]
            return (f"{f['circuits_lost']:,} circuits; uniform {f['uniform']['kept_before'] * 100:.1f} -> "
                    f"{f['uniform']['kept_after'] * 100:.1f} %, permutation {f['permutation']['kept_before'] * 100:.1f} "
                    f"-> {f['permutation']['kept_after'] * 100:.1f} %")
        row("one OCS unit dark: traffic kept, dark -> re-allocated", lambda r: kept(r, "one_ocs_unit"))
        row("one circuit dark: traffic kept, dark -> re-allocated", lambda r: kept(r, "one_circuit"))
    row("job interruptions / day (all jobs)", lambda r: _g(r["job_interruptions_per_day"]))
    row("largest job: interruptions / day", lambda r: _g(r["job"]["interruptions_per_day"]))
    row("  Monte Carlo 95 % CI", lambda r: "{:.3g} to {:.3g}".format(*r["monte_carlo"]["job_interruptions_per_day_ci95"]))
    row("  checkpoint interval (h, Daly, all causes)", lambda r: _g(r["job"]["all_causes"]["checkpoint_interval_h"]))
    row("jobs' GPU time the network takes", lambda r: f"{r['network_share_of_job_time'] * 100:.2f} %")
    row("  if one job spanned the cluster", lambda r: f"{r['single_job_comparison']['network_share_of_job_time'] * 100:.2f} %")
    row("job goodput, all causes", lambda r: f"{r['goodput'] * 100:.2f} %")
    for p in report.get("published", []):
        published = f"{p['value']:.3g}" + (f", {p['low']:.3g}-{p['high']:.3g}" if p["low"] is not None else "")
        def beside(r, p=p):
            if r["technology"] not in p["tool"]:
                return "-"
            within = p["within_range"][r["technology"]]
            mark = "" if within is None else (" (in range)" if within else " (outside)")
            return f"{p['tool'][r['technology']]:.3g}{mark}"
        row(f"{escape(p['label'])}{' (' + escape(p['unit']) + ')' if p['unit'] else ''}: published {published}",
            beside)
    return t


# The columns of the units table a narrow terminal loses first: the unit and its GPU-hours stay.
UNITS_DROP_FIRST = ("count", "FIT", "dark (h)", "repair unit", "part", "GPUs out replacing", "GPUs out waiting",
                    "effect")


def units_table(result: dict, top: int = 8) -> Table:
    """The units of one design that cost the most GPU-hours, with their repair and blast radius."""
    t = FitTable(title=f"{result['technology']}: where the downtime comes from (top {top} by GPU-hours lost)",
                 header_style="bold", drop_first=UNITS_DROP_FIRST)
    for col in ("unit", "part", "count", "FIT", "failures/day", "effect", "repair unit", "dark (h)",
                "GPUs out waiting", "GPUs out replacing", "GPU-h / day"):
        t.add_column(col, justify="left" if col in ("unit", "part", "repair unit", "effect") else "right")

    def gpu_h(u):
        b = u["blast_radius_gpus"]
        return u["failures_per_day"] * (u["wait_h"] * b["waiting"] + u["swaps_per_failure"] * u["replace_h"] * b["replacing"])

    for u in sorted(result["units"], key=lambda u: -gpu_h(u))[:top]:
        t.add_row(u["unit"], u["part"], f"{u['count']:,.0f}", _g(u["fit"], "{:,.0f}"), _g(u["failures_per_day"]),
                  u["effect"], u["fru"], _g(u["dark_h"]), _g(u["blast_radius_gpus"]["waiting"]),
                  _g(u["blast_radius_gpus"]["replacing"]), _g(gpu_h(u)))
    return t


def reliability_rows(report: dict) -> list[dict]:
    """One flat row per design, the table's figures with their units in the column names."""
    feasible = [r for r in report["results"] if r["feasible"]]
    cats = list(dict.fromkeys(c for r in feasible for c in r["failures_per_day_by_category"]))
    groups = list(dict.fromkeys(g for r in feasible for g in r["link_fit"]))
    rows = []
    for r in report["results"]:
        row = {"technology": r["technology"], "feasible": r["feasible"], "reasons": r["reasons"]}
        if r["feasible"]:
            mc, job = r["monte_carlo"], r["job"]
            row |= {"failures_per_day": r["failures_per_day_total"],
                    **{f"failures_per_day_{c}": r["failures_per_day_by_category"].get(c, 0.0) for c in cats},
                    "swaps_per_day": r["swaps_per_day"], "transient_outages_per_day": r["flaps_per_day"],
                    "port_fit": r["port_fit"]["fit"],
                    **{f"link_fit_{g}": r["link_fit"].get(g) for g in groups},
                    "gpus_down_mean": r["gpus_down_mean"], "gpus_down_p95": mc["gpus_down_p95"],
                    "gpus_down_p99": mc["gpus_down_p99"], "bisection_availability": r["bisection_availability"],
                    "bandwidth_kept_one_uplink_down": r["degraded_bandwidth"]["retained"],
                    "job_interruptions_per_day": r["job_interruptions_per_day"],
                    "largest_job_interruptions_per_day": job["interruptions_per_day"],
                    "largest_job_interruptions_per_day_ci95_low": mc["job_interruptions_per_day_ci95"][0],
                    "largest_job_interruptions_per_day_ci95_high": mc["job_interruptions_per_day_ci95"][1],
                    "checkpoint_interval_h": job["all_causes"]["checkpoint_interval_h"],
                    "network_share_of_job_time": r["network_share_of_job_time"],
                    "network_share_of_job_time_one_job": r["single_job_comparison"]["network_share_of_job_time"],
                    "goodput": r["goodput"]}
        rows.append(row)
    return rows
