"""Interconnect technologies: each one, in one place, is how a link group's ends are built, the
chain its physical check budgets, its repair unit, its density limit, its label and colour.
The registry (:mod:`lightfabric.technologies.registry`) finds them all."""

from lightfabric.technologies.base import (
    Endpoint, GroupEnds, GroupSpec, Infeasible, LinkNeed, PortOptics, Technology,
)

__all__ = ["Endpoint", "GroupEnds", "GroupSpec", "Infeasible", "LinkNeed", "PortOptics", "Technology"]
