"""Reliability and serviceability: failure rates, blast radius, repair, job interruptions, goodput.

See docs/reliability.md for the models and their sources.
"""

from lightfabric.reliability.assess import assess

__all__ = ["assess"]
