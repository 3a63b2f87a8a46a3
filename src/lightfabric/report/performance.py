"""Rich tables for ``lightfabric collective`` and ``lightfabric step``, and their CSV rows (one per design)."""

from __future__ import annotations

import re

from rich.markup import escape
from rich.table import Table

from lightfabric.report.side_by_side import side_by_side


def _us(x) -> str:
    return "-" if x is None else f"{x * 1e6:,.1f}"


def collective_table(report: dict) -> Table:
    how = f"simulated, {report['routing']} routing" if report["simulate"] else "closed form"
    t, row, _ = side_by_side(
        report["results"],
        title=f"{escape(report['scenario'])}: {report['op']} ({report['algorithm']}) of {report['size_bytes']:.3g} bytes "
              f"on {report['gpus']:,} GPUs ({how})",
        caption="algbw = size / time; busbw = algbw x 2(n-1)/n (all-reduce) or (n-1)/n (NCCL tests). "
                "Models: docs/performance.md; every phase: --format json")

    row("time (us)", lambda r: _us(r["time_s"]))
    row("algbw (Gb/s)", lambda r: f"{r['algbw_gbps']:,.1f}")
    row("busbw (Gb/s)", lambda r: f"{r['busbw_gbps']:,.1f}")
    if report["simulate"]:
        row("closed form (us)", lambda r: _us(r["closed_form"]["time_s"]))
        row("max link utilization", lambda r: f"{r['max_link_utilization']:.2f}")
        row("failed links", lambda r: str(r["simulated"]["failed_links"]))
    row("phases", lambda r: f"{sum(p['repeat'] for p in r['phases']):,}")
    row("longest path latency (ns)", lambda r: f"{_longest_path_s(r) * 1e9:,.0f}")
    row("scale-out tiers", lambda r: str(r["topology"].get("tiers", "-")))
    row("scale-up domain (GPUs)", lambda r: str(r["topology"]["domain_gpus"] or "-"))
    if any("slice" in r.get("topology", {}) for r in report["results"]):
        row("torus slice (chips)", lambda r: str(r["topology"].get("slice", "-")))
    return t


def step_table(report: dict) -> Table:
    m = report["model"]
    t, row, feasible = side_by_side(
        report["results"],
        title=f"{escape(report['scenario'])}: one training step of {escape(m['name'])} ({report['plan']}; "
              f"{report['gpu']} at {report['bf16_dense_tflops']:g} TFLOPS x {m['mfu']:g} MFU)",
        caption="seconds; exposed = on the critical path (data-parallel all-reduce overlaps the backward pass). "
                "Models: docs/performance.md")

    row("step time", lambda r: f"{r['step_time_s']:.3f}")
    row("compute", lambda r: f"{r['compute_s']:.3f}")
    row("pipeline bubble", lambda r: f"{r['bubble_s']:.3f}")
    row("exposed communication", lambda r: f"{r['exposed_comm_total_s']:.3f} ({r['exposed_share'] * 100:.0f} %)")
    row("  on scale-up", lambda r: f"{r['exposed_comm_s']['scale-up']:.3f}")
    row("  on scale-out", lambda r: f"{r['exposed_comm_s']['scale-out']:.3f}")
    names = []
    for r in feasible:
        for c in r["collectives"]:
            if c["collective"] not in names:
                names.append(c["collective"])
    for name in names:
        def cell(r, name=name):
            c = next((c for c in r["collectives"] if c["collective"] == name), None)
            return "-" if c is None else f"{c['time_s']:.3f} ({c['network']})"
        row(f"  {name}", cell)
    row("tokens / s", lambda r: f"{r['tokens_per_s']:,.0f}")
    row("scale-up domain (GPUs)", lambda r: str(r["domain_gpus"] or "-"))
    return t


def _longest_path_s(r: dict) -> float:
    return max(p.get("alpha_s", p.get("latency_s", 0.0)) for p in r["phases"])


def collective_rows(report: dict) -> list[dict]:
    """One flat row per design: time, bandwidths and the fabric's figures, units in the column names."""
    rows = []
    for r in report["results"]:
        row = {"technology": r["technology"], "feasible": r["feasible"], "op": report["op"],
               "algorithm": report["algorithm"], "gpus": report["gpus"], "size_bytes": report["size_bytes"]}
        if r["feasible"]:
            row |= {"method": r["method"], "time_s": r["time_s"], "algbw_gbps": r["algbw_gbps"],
                    "busbw_gbps": r["busbw_gbps"]}
            if report["simulate"]:
                row |= {"closed_form_time_s": r["closed_form"]["time_s"],
                        "max_link_utilization": r["max_link_utilization"],
                        "failed_links": r["simulated"]["failed_links"]}
            row |= {"phases": sum(p["repeat"] for p in r["phases"]),
                    "longest_path_latency_ns": _longest_path_s(r) * 1e9,
                    "scale_out_tiers": r["topology"].get("tiers"), "domain_gpus": r["topology"]["domain_gpus"]}
        rows.append(row | {"reasons": r["reasons"]})
    return rows


def _slug(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()


def step_rows(report: dict) -> list[dict]:
    """One flat row per design: the step and its parts in seconds, each collective's time, tokens per second."""
    rows = []
    for r in report["results"]:
        row = {"technology": r["technology"], "feasible": r["feasible"], "plan": report["plan"]}
        if r["feasible"]:
            row |= {"step_time_s": r["step_time_s"], "compute_s": r["compute_s"], "bubble_s": r["bubble_s"],
                    "exposed_comm_s": r["exposed_comm_total_s"], "exposed_share": r["exposed_share"],
                    **{f"exposed_comm_{_slug(k)}_s": v for k, v in r["exposed_comm_s"].items()},
                    **{f"{_slug(c['collective'])}_time_s": c["time_s"] for c in r["collectives"]},
                    "tokens_per_s": r["tokens_per_s"], "domain_gpus": r["domain_gpus"]}
        rows.append(row | {"reasons": r["reasons"]})
    return rows
