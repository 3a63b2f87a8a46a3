"""lightfabric: plan the interconnect of AI data centers.

Describe a cluster in a scenario file, then build and compare its fabric with each interconnect
technology::

    import lightfabric
    scenario = lightfabric.load_scenario("my-cluster.yaml")   # or None for the built-in default
    comparison = lightfabric.compare(scenario)
    comparison.to_dict()       # the JSON contract of `lightfabric compare --format json`
    comparison.to_frame()      # a pandas DataFrame, one row per technology
"""

from lightfabric.catalog import Catalog
from lightfabric.compare import Comparison, TechnologyResult, compare
from lightfabric.errors import LightfabricError
from lightfabric.scenario.loader import load_scenario, parse_scenario
from lightfabric.scenario.models import Scenario

__version__ = "0.1.0"

__all__ = ["Catalog", "Comparison", "LightfabricError", "Scenario", "TechnologyResult", "__version__",
           "compare", "load_scenario", "parse_scenario"]
