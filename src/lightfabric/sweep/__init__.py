"""Design-space sweeps (issue 9, in progress): the sweep file and its design space (:mod:`.spec`)."""

from lightfabric.sweep.spec import SweepSpec, chunk, keep, parse_sweep, size

__all__ = ["SweepSpec", "chunk", "keep", "parse_sweep", "size"]
