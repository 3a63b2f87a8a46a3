"""Design-space sweeps: the sweep file (:mod:`.spec`), the metrics of a partition (:mod:`.evaluate`),
running them locally or on Dask (:mod:`.run`), the DuckDB store (:mod:`.store`) and Pareto fronts
(:mod:`.pareto`). See docs/sweeps.md."""

from lightfabric.sweep.spec import Sweep, SweepSpec, chunk, keep, load_sweep, parse_sweep, size

__all__ = ["Sweep", "SweepSpec", "chunk", "keep", "load_sweep", "parse_sweep", "size"]
