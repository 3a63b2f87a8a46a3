"""Metrics: each a function of a design's bill of materials or of other metrics."""

from lightfabric.metrics.bom import bom_counts
from lightfabric.metrics.cost import CAPEX_CATEGORIES, capex_breakdown_usd, energy_cost_usd, energy_kwh
from lightfabric.metrics.power import POWER_CATEGORIES, power_breakdown_w

__all__ = ["CAPEX_CATEGORIES", "POWER_CATEGORIES", "bom_counts", "capex_breakdown_usd", "energy_cost_usd",
           "energy_kwh", "power_breakdown_w"]
