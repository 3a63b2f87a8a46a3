"""Economics: packaging yield, total cost of ownership with maintenance and downtime, sensitivity
and break-even points, and where the money goes in the industry chain (docs/economics.md)."""

from lightfabric.economics.evaluate import Prepared, economics, evaluate, prepare, value_chain
from lightfabric.economics.sensitivity import sensitivity_report

__all__ = ["Prepared", "economics", "evaluate", "prepare", "sensitivity_report", "value_chain"]
