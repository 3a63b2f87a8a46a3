"""Design-space sweeps: the sweep file (:mod:`.spec`), the metrics of a partition (:mod:`.evaluate`),
running them locally or on Dask (:mod:`.run`), the DuckDB store (:mod:`.store`) and Pareto fronts
(:mod:`.pareto`). See docs/sweeps.md.

The names below load from :mod:`.spec` on first use (PEP 562), so that ``lightfabric sweep``'s commands
(:mod:`.cli`) load with the command line without loading the sweep file's machinery."""

import importlib

TYPE_CHECKING = False   # typing.TYPE_CHECKING

if TYPE_CHECKING:
    from lightfabric.sweep.spec import Sweep, SweepSpec, chunk, keep, load_sweep, parse_sweep, size

__all__ = ["Sweep", "SweepSpec", "chunk", "keep", "load_sweep", "parse_sweep", "size"]


def __getattr__(name: str):
    if name in __all__:
        value = getattr(importlib.import_module("lightfabric.sweep.spec"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
