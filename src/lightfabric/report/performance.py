"""Rich tables for ``lightfabric collective`` and ``lightfabric step``."""

from __future__ import annotations

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
    row("longest path latency (ns)", lambda r: f"{max(p.get('alpha_s', p.get('latency_s', 0.0)) for p in r['phases']) * 1e9:,.0f}")
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
