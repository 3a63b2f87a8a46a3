"""The root command: the typer app with every command and command group, and the entry point that
runs it (:func:`lightfabric.cli.main` calls :func:`main`)."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from lightfabric import __version__
from lightfabric.cli import fabric, faces, money, performance, reliability
from lightfabric.cli.catalog import catalog_app
from lightfabric.cli.interop import export_app
from lightfabric.cli.scenario import scenario_app
from lightfabric.cli_common import err, say
from lightfabric.sweep.cli import sweep_app

app = typer.Typer(help="Plan the interconnect of AI data centers: build a cluster's fabric with each "
                       "technology and compare them, every figure sourced.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

for _group in (fabric, reliability, money, performance, faces):
    for _command in _group.COMMANDS:
        app.command()(_command)
app.add_typer(catalog_app, name="catalog")
app.add_typer(scenario_app, name="scenario")
app.add_typer(sweep_app, name="sweep")
app.add_typer(export_app, name="export")


def _version(value: bool) -> None:
    if value:
        print(f"lightfabric {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                          help="Print the version and exit.")] = None) -> None:
    pass


def main() -> None:
    """Entry point: run the app; an unexpected error is reported as a bug, without a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - last line of defence: never a traceback at the user
        if os.environ.get("LIGHTFABRIC_DEBUG"):
            raise
        say(err, "internal error", f"(a bug in lightfabric, please report it): {type(e).__name__}: {e}. "
                                   f"Set LIGHTFABRIC_DEBUG=1 to see the traceback.", "bold red")
        sys.exit(1)
