"""Rich tables for the terminal: one column per technology."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:   # for the annotations only
    from lightfabric.compare import Comparison, TechnologyResult


def _fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def _mw(w: float) -> str:
    return f"{w / 1e6:,.2f}"


def _musd(usd: float) -> str:
    return f"{usd / 1e6:,.1f}"


Row = tuple[str, Callable[["TechnologyResult"], str]]


def _rows(baseline: TechnologyResult | None, comparison: Comparison) -> list[tuple[str, list[Row]]]:
    def vs(metric: Callable[[TechnologyResult], float]) -> Callable[[TechnologyResult], str]:
        def cell(r: TechnologyResult) -> str:
            if baseline is None or not baseline.feasible:
                return "-"
            return f"{metric(r) / metric(baseline) - 1:+.1%}" if r is not baseline else "baseline"
        return cell

    def group(name: str) -> Callable[[TechnologyResult], str]:
        def cell(r: TechnologyResult) -> str:
            g = next((g for g in r.design.link_groups if g.name == name), None)
            if g is None:
                return "-"
            how = "incumbent, " if g.chosen_by == "incumbent" else ""
            return f"{g.technology} ({how}{g.length_m:.1f} m)"
        return cell

    fabric = comparison.plan.fabric
    tier_names = "/".join(t.name for t in fabric.switch_tiers)
    return [
        ("Link groups: technology (longest link; incumbent where the column's cannot serve)",
         [(g.name, group(g.name)) for g in fabric.groups]),
        ("Topology", [
            ("tiers", lambda r: str(r.topology["tiers"])),
            ("switches", lambda r: _fmt_int(r.topology["switches"])),
            (f"  per tier ({tier_names})", lambda r: " / ".join(_fmt_int(x) for x in r.topology["switches_per_tier"])),
            ("links per tier", lambda r: " / ".join(_fmt_int(x) for x in r.topology["links_per_tier"])),
            ("ports used / spare", lambda r: f"{_fmt_int(r.topology['ports_used'])} / {_fmt_int(r.topology['ports_spare'])}"),
        ]),
        ("One switch port", [
            ("optics", lambda r: r.switch_port["part"]),
            ("power (W)", lambda r: f"{r.switch_port['power_w']:.2f}"),
            ("lasers", lambda r: f"{r.switch_port['lasers']:g}"),
            ("port optics at list price, with lasers (USD)", lambda r: f"{r.switch_port['cost_usd']:,.0f}"),
        ]),
        ("Bill of materials", [
            ("pluggable modules", lambda r: _fmt_int(r.bom["pluggable_modules"])),
            ("optical engines", lambda r: _fmt_int(r.bom["optical_engines"])),
            ("external laser modules", lambda r: _fmt_int(r.bom["external_laser_modules"])),
            ("lasers", lambda r: _fmt_int(r.bom["lasers"])),
            ("fiber cables", lambda r: _fmt_int(r.bom["fibers"])),
            ("fiber (km of cable)", lambda r: f"{r.bom['fiber_m'] / 1000:,.1f}"),
            ("copper cables", lambda r: _fmt_int(r.bom["copper_cables"])),
            ("scale-up switch chips", lambda r: _fmt_int(r.bom["scale_up_switch_chips"])),
            ("optical circuit switches", lambda r: _fmt_int(r.bom["ocs"])),
            ("NICs", lambda r: _fmt_int(r.bom["nics"])),
        ]),
        ("Power (MW)", [
            ("total", lambda r: _mw(r.power_w["total"])),
            ("  switch ASICs", lambda r: _mw(r.power_w["switch_asics"])),
            ("  switch systems", lambda r: _mw(r.power_w["switch_systems"])),
            ("  optics", lambda r: _mw(r.power_w["optics"])),
            ("  external lasers", lambda r: _mw(r.power_w["lasers"])),
            ("  NICs", lambda r: _mw(r.power_w["nics"])),
            ("per GPU (W)", lambda r: f"{r.power_per_gpu_w:,.1f}"),
            ("vs baseline", vs(lambda r: r.power_w["total"])),
        ]),
        ("Cost (M USD)", [
            ("capex", lambda r: _musd(r.capex_usd)),
            ("  switches", lambda r: _musd(r.capex_usd_by_category["switches"])),
            ("  optics", lambda r: _musd(r.capex_usd_by_category["optics"])),
            ("  external lasers", lambda r: _musd(r.capex_usd_by_category["lasers"])),
            ("  NICs", lambda r: _musd(r.capex_usd_by_category["nics"])),
            ("  fiber", lambda r: _musd(r.capex_usd_by_category["fiber"])),
            ("  copper cables", lambda r: _musd(r.capex_usd_by_category["cables"])),
            ("energy", lambda r: _musd(r.energy_usd)),
            ("capex + energy", lambda r: _musd(r.capex_energy_usd)),
            ("capex + energy vs baseline", vs(lambda r: r.capex_energy_usd)),
        ]),
    ]


def comparison_table(comparison: Comparison) -> Table:
    """A table with one column per technology; infeasible columns say so."""
    sc = comparison.scenario
    p = comparison.plan
    eco = sc.economics
    title = f"{escape(sc.name)}: {escape(p.headline())}"
    caption = (f"Energy over {eco.years:g} years at {eco.electricity_usd_per_kwh:g} USD/kWh, PUE {eco.pue:g}; "
               f"not discounted. The full TCO (maintenance, spares, GPU time lost, NPV): lightfabric economics. "
               f"Sources: lightfabric compare --sources")
    table = Table(title=title, caption=caption, show_lines=False, header_style="bold")
    table.add_column("metric", style="cyan")
    for r in comparison.results:
        table.add_column(r.technology, justify="right")
    baseline = comparison.results[0]
    for section, rows in _rows(baseline, comparison):
        table.add_row(Text(section, style="bold magenta"), *[""] * len(comparison.results))
        for label, cell in rows:
            table.add_row(label, *[cell(r) if r.feasible else ("infeasible" if label == rows[0][0] else "")
                                   for r in comparison.results])
    return table


def sources_table(comparison: Comparison) -> Table:
    """The catalog figures behind the comparison, with their sources."""
    table = Table(title="Assumptions: catalog figures used, with sources", show_lines=False, header_style="bold")
    for col in ("part", "field", "value", "kind", "source", "date"):
        table.add_column(col, overflow="fold")
    for a in comparison.assumptions:
        value = a["value"]
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        kind = a["kind"] + (f" ({a['confidence']})" if a.get("confidence") else "")
        source = a["source"] + (f" [derivation: {a['derivation']}]" if a.get("derivation") else "")
        part = a["part"] + (f" (your part: {a['user_file']})" if a.get("user_file") else "")
        table.add_row(part, a["field"], str(value), kind, source, a["date"] or "")
    return table
