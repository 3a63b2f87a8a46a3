"""A scenario plus a technology policy gives a design: the fabric's link groups, the technology and
the optics of each, and the bill of materials.

* :mod:`~lightfabric.design.plan`: what every design shares (parts, NIC attachment, the topology's
  fabric, lengths); user errors raise.
* :mod:`~lightfabric.design.choice`: one technology per link group, with its physical check.
* :mod:`~lightfabric.design.bom`: the bill of materials.
* :mod:`~lightfabric.design.types`: the plain data they share with metrics, reliability and economics.
"""

from lightfabric.design.choice import build_design, choose_technology, group_cost_usd, try_technology
from lightfabric.design.plan import FabricPlan, group_specs, plan_fabric
from lightfabric.design.types import BomLine, Design, LinkGroup, medium_price_usd

__all__ = ["BomLine", "Design", "FabricPlan", "LinkGroup", "build_design", "choose_technology", "group_cost_usd",
           "group_specs", "medium_price_usd", "plan_fabric", "try_technology"]
