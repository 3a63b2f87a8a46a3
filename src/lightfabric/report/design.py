"""Rich tables of a design search (:func:`lightfabric.optimize.report.design_report`)."""

from __future__ import annotations

from rich.table import Table

SHOWN = (("tco_usd", "TCO M USD", 1e-6, "{:,.1f}"), ("capex_usd", "capex M USD", 1e-6, "{:,.1f}"),
         ("network_power_mw", "power MW", 1.0, "{:,.2f}"), ("goodput", "goodput", 1.0, "{:.4f}"),
         ("bisection", "bisection", 1.0, "{:.3f}"), ("switches", "switches", 1.0, "{:,.0f}"))


def _fmt(row: dict, key: str, scale: float, fmt: str) -> str:
    v = row.get(key)
    return "-" if v is None or v != v else fmt.format(v * scale)


def _structure(row: dict) -> str:
    return (f"{row['topology']}, {row['switch']} {row['port_rate_gbps']:g}G, {row['tiers']} tier(s), "
            f"{row['planes']} plane(s), 1:{row['oversubscription']:g}" + (", OCS spine" if row["ocs_spine"] else ""))


def _tech(row: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in row["technology"].items())


def best_table(report: dict) -> Table:
    row = report["best"]
    t = Table(title="The best design", header_style="bold")
    t.add_column("structure", overflow="fold")
    t.add_column("technology per link class", overflow="fold")
    for key, label, scale, fmt in SHOWN:
        t.add_column(label, justify="right")
    t.add_row(_structure(row), _tech(row), *(_fmt(row, k, s, f) for k, _, s, f in SHOWN))
    return t


def runner_up_table(report: dict) -> Table:
    t = Table(title="Runner-ups: the best of each other topology and switch, and cheaper designs a constraint "
                    "ruled out", header_style="bold")
    t.add_column("structure", overflow="fold")
    t.add_column("technology", overflow="fold")
    obj = report["objective"]["metric"]
    key = next((s for s in SHOWN if s[0] == obj), SHOWN[0])
    t.add_column(key[1], justify="right")
    t.add_column("why it lost", overflow="fold")
    for row in report["runner_ups"]:
        t.add_row(_structure(row), _tech(row), _fmt(row, key[0], key[2], key[3]), row["why_not_best"])
    return t


def front_tables(report: dict) -> list[Table]:
    out = []
    obj = report["objective"]["metric"]
    for f in report["fronts"]:
        if not f["designs"]:
            continue
        t = Table(title=f"Front: {obj} against {f['metric']} (over {f['over']})", header_style="bold")
        t.add_column("structure", overflow="fold")
        t.add_column("technology", overflow="fold")
        t.add_column(obj, justify="right")
        t.add_column(f["metric"], justify="right")
        for row in f["designs"]:
            t.add_row(_structure(row), _tech(row), f"{row[obj]:,.6g}", f"{row[f['metric']]:,.6g}")
        out.append(t)
    return out


def search_line(report: dict) -> str:
    s = report["search"]
    rate = s.get("designs_per_second")
    return (f"{s['designs_considered']:,} designs considered in {s['structures']:,} structures "
            f"({s['structures_rejected']:,} structures not buildable); {s['infeasible_technology']:,} infeasible "
            f"(a technology cannot serve a link class), {s['ruled_out_by_bound']:,} ruled out by a constraint's bound, "
            f"{s['pruned_by_bound']:,} pruned by the objective's bound, {s['evaluated']:,} evaluated exactly "
            f"({s['designs_meeting_constraints']:,} meet every constraint); {s['seconds']:.1f} s"
            + (f", {rate:,.0f} designs/s" if rate else ""))
