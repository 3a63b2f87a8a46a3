"""``lightfabric scenario``: write and check scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lightfabric.catalog import Catalog
from lightfabric.cli_common import CatalogFiles, err, fail, say, scenario_from
from lightfabric.errors import LightfabricError

scenario_app = typer.Typer(help="Write and check scenario files.", no_args_is_help=True)


@scenario_app.command("init")
def scenario_init(
    file: Annotated[Path, typer.Argument(help="Where to write the commented scenario.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a commented scenario file (the built-in default) to start from."""
    if file.exists() and not force:
        fail(LightfabricError.for_field("FILE", str(file), "a path that does not exist yet, or --force to overwrite",
                                         problem="file exists"))
    if file.parent and not file.parent.exists():
        fail(LightfabricError.for_field("FILE", str(file), "a path in an existing directory",
                                         problem=f"directory {str(file.parent)!r} does not exist"))
    from lightfabric.scenario.loader import default_scenario_path
    file.write_text(default_scenario_path().read_text())
    print(f"wrote {file}; edit it, then run: lightfabric compare {file}")


@scenario_app.command("check")
def scenario_check(
    file: Annotated[Path, typer.Argument(help="Scenario YAML (or an example's name) to validate.")],
    catalog_files: CatalogFiles = None,
) -> None:
    """Validate a scenario file (YAML, schema, part ids, overrides, and that its topology holds the
    cluster) without building the designs."""
    from lightfabric.design import plan_fabric
    from lightfabric.scenario.loader import check_parts
    try:
        s = scenario_from(file, catalog_files)
        plan = plan_fabric(s, check_parts(s, Catalog.default()))
    except LightfabricError as e:
        fail(e)
    print(f"{file}: ok ({s.name}: {plan.headline()}; technologies {', '.join(s.technologies)})")
    # a valid file can still describe a cluster nothing can build: say so, one line per design
    from lightfabric.compare import compare
    results = compare(s).results
    if not any(r.feasible for r in results):
        say(err, "warning:", f"no design of {s.name} is feasible")
        for r in results:
            say(err, f"  {r.technology}:", r.reasons[0] if r.reasons else "infeasible")
