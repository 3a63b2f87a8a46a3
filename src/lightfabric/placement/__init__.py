"""Where racks stand, and the length of every link that follows from it."""

from lightfabric.placement.lengths import LengthStats, Layout, layout, link_lengths

__all__ = ["LengthStats", "Layout", "layout", "link_lengths"]
