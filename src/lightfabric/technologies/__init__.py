"""Interconnect technologies, registered by id: how each builds the ends of a link."""

from lightfabric.technologies.base import Infeasible, LinkNeed, PortOptics, Technology
from lightfabric.technologies.cpo import CoPackagedOptics
from lightfabric.technologies.pluggable import LinearPluggable, PluggableDsp

REGISTRY: dict[str, Technology] = {t.id: t for t in (PluggableDsp(), LinearPluggable(), CoPackagedOptics())}


def get_technology(tech_id: str) -> Technology:
    return REGISTRY[tech_id]


__all__ = ["REGISTRY", "Infeasible", "LinkNeed", "PortOptics", "Technology", "get_technology"]
