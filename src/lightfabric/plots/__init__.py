"""Figures of lightfabric's results, one function per figure (plotly).

Every function takes the plain results the pipeline returns (the dictionaries that ``--format json``
prints) and returns a :class:`plotly.graph_objects.Figure`; nothing here computes a metric. The HTML
report (:mod:`lightfabric.report.html`) and the web app (:mod:`lightfabric.web`) draw the same figures.
"""

from lightfabric.plots.economics import capex_tco, tornado, value_chain
from lightfabric.plots.fabric import bill_of_materials, power_breakdown
from lightfabric.plots.performance import collective_time_vs_size
from lightfabric.plots.physics import bandwidth_density, laser_power_per_lane, link_budget_waterfall
from lightfabric.plots.reliability import failures_per_day, gpus_down_distribution

__all__ = ["bandwidth_density", "bill_of_materials", "capex_tco", "collective_time_vs_size", "failures_per_day",
           "gpus_down_distribution", "laser_power_per_lane", "link_budget_waterfall", "power_breakdown",
           "tornado", "value_chain"]
