"""Topologies: a cluster as device tiers and link groups in counts, and the paths between its GPUs.

The registry (:mod:`lightfabric.topology.registry`) finds every topology of this package; the data
every later stage reads is in :mod:`lightfabric.topology.base`.
"""
