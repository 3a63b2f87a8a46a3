"""The design optimizer (``lightfabric design``): the best fabric for a cluster under constraints.

:mod:`~lightfabric.optimize.question` (what is asked), :mod:`~lightfabric.optimize.space` (the
structures to search), :mod:`~lightfabric.optimize.bounds` (per structure and link class, lower
bounds from the bill of materials), :mod:`~lightfabric.optimize.search` (prune and evaluate
exactly), :mod:`~lightfabric.optimize.report` (best, fronts, runner-ups, the scenario file).
"""
