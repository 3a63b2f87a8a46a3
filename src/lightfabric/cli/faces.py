"""``lightfabric report`` and ``serve``: the HTML report and the web app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lightfabric.cli_common import (
    CatalogFiles, scenario_from,
    check_output,
    check_range,
    err,
    fail,
    progress_bar,
    say,
)
from lightfabric.errors import LightfabricError


def report(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML or an example's name; the built-in default if omitted.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials of the reliability section.")] = 200,
    horizon_days: Annotated[float, typer.Option("--horizon-days", help="Monte Carlo horizon in days.")] = 180.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo.")] = 0,
    catalog_files: CatalogFiles = None,
) -> None:
    """Write one self-contained HTML report (opens offline): the best design per metric, every plot,
    the tables, the infeasible designs with their reasons, and the assumptions with their sources."""
    from lightfabric.report.html import gather, render
    check_output(output, (".html", ".htm"))
    from lightfabric.reliability.assess import check_monte_carlo
    try:
        check_monte_carlo(trials, horizon_days, seed)
    except LightfabricError as e:
        fail(e)
    try:
        sc = scenario_from(scenario, catalog_files)
        with progress_bar("Analysing {task.description}", "sections") as progress:
            results = gather(sc, trials=trials, horizon_days=horizon_days, seed=seed, progress=progress)
    except LightfabricError as e:
        fail(e)
    text = render(results)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        fail(LightfabricError.for_field("--output", str(output), "a writable file", problem=e.strerror))
    skipped = [name for name, r in results.items() if isinstance(r, dict) and "error" in r]
    print(f"wrote {output} ({len(text) / 1e6:.1f} MB){'; not computed: ' + ', '.join(skipped) if skipped else ''}")


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; loopback unless you mean to share it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
) -> None:
    """Run the web app and its JSON API (OpenAPI schema at /docs) on HOST:PORT."""
    import uvicorn

    from lightfabric.web.app import create_app
    check_range("--port", port, 1, 65535, "a TCP port from 1 to 65535")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(err, "warning:", f"serving on {host}: anyone who can reach this address can use the app")
    print(f"lightfabric web app on http://{'[' + host + ']' if ':' in host else host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


COMMANDS = (report, serve)
