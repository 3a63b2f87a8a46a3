"""``lightfabric catalog``: the parts and the sources of their figures."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from lightfabric.catalog import Catalog
from lightfabric.cli_common import Format, fail, print_table, say, wide_console
from lightfabric.errors import LightfabricError, did_you_mean

catalog_app = typer.Typer(help="Browse the parts catalog and the sources of its figures.", no_args_is_help=True)


CatalogFiles = Annotated[Optional[list[str]], typer.Option(
    "--catalog", metavar="PATH", help="Your catalog file (parts: and references:), added to the built-in catalog; "
                                      "repeat for several.")]


def _catalog(files: list[str] | None) -> Catalog:
    try:
        return Catalog.default().with_user_files(files or [], field="--catalog")
    except LightfabricError as e:
        fail(e)


def _month(value: str, option: str) -> str:
    import re
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value or ""):
        fail(LightfabricError.for_field(option, value, "a month as YYYY-MM, e.g. 2026-06"))
    return value


@catalog_app.command("list")
def catalog_list(
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="Only parts of this kind (gpu, switch, nic, module, optical-engine, laser-source, fiber, connector, laser, optical-component, receiver, circuit, electrical-channel, copper-cable, fiber-part, ocs, failure-rate, field-observation, repair-unit, value-share, engine-flow, co-package-flow, hop-latency).")] = None,
    available_by_month: Annotated[Optional[str], typer.Option(
        "--available-by", metavar="YYYY-MM", help="Only parts shipping by this month (parts whose availability the "
                                                  "catalog does not state are listed apart, as unknown).")] = None,
    catalog_files: CatalogFiles = None,
) -> None:
    """List the parts, with their key figures, availability and how they are sourced."""
    catalog = _catalog(catalog_files)
    kinds = sorted({p.kind for p in catalog})
    if kind is not None and kind not in kinds:
        fail(LightfabricError.for_field("--kind", kind, ", ".join(kinds), problem="unknown kind"
                                         + did_you_mean(kind, kinds)))
    from lightfabric.catalog.availability import is_available
    month = _month(available_by_month, "--available-by") if available_by_month is not None else None
    title = "lightfabric catalog" + (f": parts shipping by {month}" if month else "")
    table = Table(title=title, header_style="bold")
    for col in ("id", "kind", "name", "key figures", "available", "sources (kinds)"):
        table.add_column(col, overflow="fold")
    unknown = []
    for p in catalog:
        if kind and p.kind != kind:
            continue
        if month is not None:
            ok = is_available(p, month)
            if ok is None:
                unknown.append(p.id)
                continue
            if not ok:
                continue
        mine = f" (yours: {catalog.user[p.id]})" if p.id in catalog.user else ""
        when = f"{p.available.status} {p.available.date}" if p.available else "-"
        table.add_row(p.id + mine, p.kind, p.name, _key_figures(p), when,
                      ", ".join(sorted({s.kind for s in p.sources})) + f" ({len(p.sources)})")
    console = wide_console()
    print_table(console, table, None)
    if unknown:
        say(console, "availability not stated (not filtered):", ", ".join(unknown))


@catalog_app.command("check")
def catalog_check(
    path: Annotated[str, typer.Argument(metavar="PATH", help="Your catalog file: parts: and references:.")],
) -> None:
    """Validate a catalog file of your own, exactly as the built-in parts are (a source for every
    figure, an estimate with its derivation, the ids a part names must exist); exit 2 on a problem."""
    catalog = _catalog([path])
    mine = [p for p in catalog if p.id in catalog.user]
    console = Console()
    say(console, f"{path}: ok", f"({len(mine)} parts: " + ", ".join(f"{p.id} ({p.kind})" for p in mine) + ")", "green")


def _key_figures(p) -> str:
    keys = {"gpu": ("tdp_w", "scale_out_bandwidth_gbps", "scale_up_bandwidth_gbps", "bf16_dense_tflops", "rental_usd_per_h"),
            "switch": ("capacity_gbps", "serdes_lane_rate_gbps", "asic_power_w", "system_price_usd"),
            "nic": ("bandwidth_gbps", "power_w", "price_usd"),
            "module": ("technology", "rate_gbps", "reach_m", "power_w", "lasers", "price_usd"),
            "optical-engine": ("capacity_gbps", "lane_rate_gbps", "power_w", "lanes_per_laser", "price_usd"),
            "laser-source": ("lasers", "laser", "control_power_w", "stated_power_w", "price_usd"),
            "fiber": ("fibers", "attenuation_db_per_km", "price_usd_per_m"),
            "connector": ("fibers", "loss_db", "price_usd"),
            "laser": ("laser_type", "wavelength_nm", "slope_efficiency_w_per_a", "t0_k", "fit"),
            "optical-component": ("role", "loss_db"),
            "receiver": ("lane_rate_gbps", "sensitivity_oma_dbm", "tia_noise_pa_per_rthz"),
            "circuit": ("role", "reach_class", "lane_rate_gbps", "energy_pj_per_bit"),
            "electrical-channel": ("medium",),
            "failure-rate": ("applies_to", "per", "fit", "flap_fit"),
            "repair-unit": ("hot_swap", "wait_h", "replace_h", "restock_days"),
            "value-share": ("applies_to", "shares"),
            "engine-flow": ("applies_to", "bond_yield", "fiber_attach_yield", "die_test_coverage"),
            "co-package-flow": ("applies_to", "engine_attach_yield", "engine_rework_fraction", "final_test_usd"),
            "hop-latency": ("applies_to", "latency_ns")}.get(p.kind, ())
    return ", ".join(f"{k}={getattr(p, k):g}" if isinstance(getattr(p, k), (int, float))
                     and not isinstance(getattr(p, k), bool) else f"{k}={getattr(p, k)}"
                     for k in keys if getattr(p, k) is not None)


@catalog_app.command("show")
def catalog_show(
    part_id: Annotated[str, typer.Argument(metavar="ID", help="A part id from 'lightfabric catalog list'.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    catalog_files: CatalogFiles = None,
) -> None:
    """Show one part: every figure with its source, kind, date and derivation."""
    catalog = _catalog(catalog_files)
    try:
        part = catalog.get(part_id, field="ID")
    except LightfabricError as e:
        fail(e)
    if format is Format.json:
        print(json.dumps(part.model_dump(mode="json") | {"kind": part.kind}, indent=2))
        return
    console = wide_console()
    say(console, part.id, f"({part.kind}): {part.name}" + (f" - {part.vendor}" if part.vendor else ""), "bold")
    if part.notes:
        console.print(part.notes, highlight=False)
    table = Table(header_style="bold", show_lines=True)
    for col in ("field", "value", "kind", "source", "date", "where", "derivation / note"):
        table.add_column(col, overflow="fold")
    for fname, value in part.figures().items():
        shown = ", ".join(pc.label() for pc in value) if fname == "port_configs" else (
            ", ".join(map(str, value)) if isinstance(value, tuple) else str(value))
        for s in part.sources_for(fname) or [None]:
            if s is None:
                table.add_row(fname, shown, "default", "model default", "", "", "")
                continue
            table.add_row(fname, shown, f"{s.kind} ({s.confidence})", s.title, s.date, s.url or s.document or "",
                          "; ".join(x for x in (s.derivation, s.note) if x))
    print_table(console, table, "json")
