"""lightfabric: plan the interconnect of AI data centers.

Describe a cluster in a scenario file, then build and compare its fabric with each interconnect
technology, and analyse the designs (docs/python.md)::

    import lightfabric as lf
    sc = lf.load_scenario("my-cluster.yaml")   # or None for the built-in default
    comparison = lf.compare(sc)
    comparison.to_dict()       # the JSON contract of `lightfabric compare --format json`
    comparison.to_frame()      # a pandas DataFrame, one row per technology
    lf.reliability(sc, trials=200, horizon_days=180).to_frame()   # also economics, value_chain,
    lf.economics(sc).to_frame()                                    # sensitivity, collective, step, sweep
    sc.with_changes({"cluster.gpus": 4096})                        # an edited copy, validated

``reliability``, ``economics`` and ``sweep`` here are the functions; their subpackages are imported by
name (``from lightfabric.reliability import assess``).
"""

import importlib
import sys
from types import ModuleType

TYPE_CHECKING = False   # typing.TYPE_CHECKING, without importing typing (`lightfabric --version` needs none of it)

if TYPE_CHECKING:
    from lightfabric.catalog import Catalog
    from lightfabric.compare import Comparison, TechnologyResult, compare
    from lightfabric.errors import LightfabricError
    from lightfabric.results import (
        CollectiveResult,
        EconomicsResult,
        ReliabilityResult,
        SensitivityResult,
        StepResult,
        SweepResult,
        ValueChainResult,
        collective,
        economics,
        reliability,
        sensitivity,
        step,
        sweep,
        value_chain,
    )
    from lightfabric.scenario.loader import load_scenario, parse_scenario
    from lightfabric.scenario.models import Scenario

__version__ = "0.1.0"

# Every name loads on first use (PEP 562): ``import lightfabric`` (which every command and every
# ``import lightfabric.x`` runs first) costs nothing beyond ``__version__``, and the modules that
# import this package for its ``__version__`` (sweep.run, report.html, ...) are not imported by it.
# The analyses and their results come from lightfabric.results.
_LAZY = {
    "Catalog": "lightfabric.catalog", "Comparison": "lightfabric.compare", "TechnologyResult": "lightfabric.compare",
    "compare": "lightfabric.compare", "LightfabricError": "lightfabric.errors",
    "load_scenario": "lightfabric.scenario.loader", "parse_scenario": "lightfabric.scenario.loader",
    "Scenario": "lightfabric.scenario.models",
    **dict.fromkeys(("CollectiveResult", "EconomicsResult", "ReliabilityResult", "SensitivityResult", "StepResult",
                     "SweepResult", "ValueChainResult", "collective", "economics", "reliability", "sensitivity", "step",
                     "sweep", "value_chain"), "lightfabric.results"),
}
# The subpackages ``import lightfabric`` used to load with the names above, still reachable as
# attributes (``lightfabric.physics.ber`` after ``import lightfabric``).
_SUBMODULES = frozenset({"catalog", "design", "errors", "examples_index", "inputs", "metrics", "physics", "placement",
                         "scenario", "technologies", "topology"})

__all__ = ["Catalog", "CollectiveResult", "Comparison", "EconomicsResult", "LightfabricError", "ReliabilityResult",
           "Scenario", "SensitivityResult", "StepResult", "SweepResult", "TechnologyResult", "ValueChainResult",
           "__version__", "collective", "compare", "economics", "load_scenario", "parse_scenario", "reliability",
           "sensitivity", "step", "sweep", "value_chain"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lightfabric' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


# Functions that share their name with a module of this package: when the module is imported, the
# import system sets this package's attribute of that name to it; the function keeps the name (imports
# find the module in sys.modules).
_SHADOWED = frozenset({"compare", "reliability", "economics", "sweep"})


class _Package(ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        if name in _SHADOWED and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
for _name in _SHADOWED:   # a subpackage imported while this package loaded
    if isinstance(globals().get(_name), ModuleType):
        del globals()[_name]
