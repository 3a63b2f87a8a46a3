"""Interconnect technologies, registered by id: how each builds the ends of a link group."""

from lightfabric.technologies.base import (
    Endpoint, GroupEnds, GroupSpec, Infeasible, LinkNeed, PortOptics, Technology,
)
from lightfabric.technologies.copper import Copper
from lightfabric.technologies.engines import EngineTechnology
from lightfabric.technologies.pluggable import Pluggable

REGISTRY: dict[str, Technology] = {t.id: t for t in (
    Pluggable("pluggable-dsp", "Pluggable (DSP)", linear=False),
    Pluggable("lro", "Linear receive (LRO)", linear=False),
    Pluggable("lpo", "Linear pluggable (LPO)", linear=True),
    EngineTechnology("npo", "Near-packaged (NPO)"),
    EngineTechnology("cpo", "Co-packaged (CPO)"),
    EngineTechnology("oio", "Optical I/O chiplet (OIO)"),
    Copper(),
)}


def get_technology(tech_id: str) -> Technology:
    return REGISTRY[tech_id]


__all__ = ["REGISTRY", "Endpoint", "GroupEnds", "GroupSpec", "Infeasible", "LinkNeed", "PortOptics", "Technology",
           "get_technology"]
