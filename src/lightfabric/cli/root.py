"""The root command: the typer app with every command and command group, and the entry point that
runs it (:func:`lightfabric.cli.main` calls :func:`main`).

The commands load on demand: running one command imports its module and builds its parameters
alone (``lightfabric compare`` neither imports nor builds the other commands); ``lightfabric --help``,
a mistyped command's suggestions and shell completion see every command, by the names listed in
:data:`COMMANDS` and :data:`GROUPS`, and help loads every module to print each one's help line.
A command module is one line of :data:`COMMANDS` (its module, and the typer names of the functions
in its ``COMMANDS``) or of :data:`GROUPS` (a command group: its name, its module and the Typer in it).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any, Optional

import typer
import typer.main
from typer.core import TyperGroup

from lightfabric import __version__
from lightfabric.cli_common import err, say

# In the order of `lightfabric --help`: the commands, then the command groups.
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lightfabric.cli.fabric", ("compare", "link", "laser", "density", "topologies", "technologies")),
    ("lightfabric.cli.reliability", ("reliability",)),
    ("lightfabric.cli.money", ("economics", "valuechain", "sensitivity")),
    ("lightfabric.cli.performance", ("collective", "step", "traffic")),
    ("lightfabric.cli.design", ("design",)),
    ("lightfabric.cli.faces", ("report", "serve")),
)
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("catalog", "lightfabric.cli.catalog", "catalog_app"),
    ("scenario", "lightfabric.cli.scenario", "scenario_app"),
    ("sweep", "lightfabric.sweep.cli", "sweep_app"),
    ("export", "lightfabric.cli.interop", "export_app"),
)


class _Commands(MutableMapping):
    """The root group's ``commands``: every name from the start, each click command built (its module
    imported, its parameters made by typer exactly as ``app.command()`` / ``app.add_typer`` would) on
    first access. Listing the names loads nothing; a name not listed loads every module first."""

    def __init__(self, app: typer.Typer) -> None:
        self._app = app
        self._built: dict[str, Any] = {}
        self._where: dict[str, tuple[str, str | None]] = {}   # name -> (module, group attribute or None)
        for module, names in COMMANDS:
            self._where.update(dict.fromkeys(names, (module, None)))
        for name, module, attribute in GROUPS:
            self._where[name] = (module, attribute)
        self._all = False

    def _build(self, name: str):
        module, attribute = self._where[name]
        mod = importlib.import_module(module)
        app = self._app   # registered as the app itself would (its defaults), then taken back off it
        if attribute is not None:
            app.add_typer(getattr(mod, attribute), name=name)
            info = app.registered_groups.pop()
            return typer.main.get_group_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands)
        for function in mod.COMMANDS:
            if typer.main.get_command_name(function.__name__) == name:
                app.command()(function)
                info = app.registered_commands.pop()
                return typer.main.get_command_from_info(
                    info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode)
        raise LookupError(f"{module}.COMMANDS has no command {name!r} (root.COMMANDS names it)")

    def _load_all(self) -> None:
        """Every command of every module, including any a module has that the lists above miss."""
        if self._all:
            return
        self._all = True
        for module, _ in COMMANDS:
            for function in importlib.import_module(module).COMMANDS:
                self._where.setdefault(typer.main.get_command_name(function.__name__), (module, None))

    def __getitem__(self, name: str):
        if name not in self._built:
            if name not in self._where:
                self._load_all()
                if name not in self._where:
                    raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def __setitem__(self, name: str, command) -> None:
        self._where.setdefault(name, ("", None))
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._where))

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where


class LazyGroup(TyperGroup):
    """The root group, with its commands built on demand (:class:`_Commands`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(app)

    def list_commands(self, ctx) -> list[str]:
        self.commands._load_all()
        return super().list_commands(ctx)


app = typer.Typer(help="Plan the interconnect of AI data centers: build a cluster's fabric with each "
                       "technology and compare them, every figure sourced.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=LazyGroup)


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
