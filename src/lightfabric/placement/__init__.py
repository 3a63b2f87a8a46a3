"""Where racks stand, where each tier's devices stand, and the length of every link that follows."""

from lightfabric.placement.lengths import (
    IN_RACK, LEAF_LOCATIONS, ROW_END, ROW_MIDDLE, SITE_CENTRE, LengthStats, Layout, Location, amid, layout,
    leaf_location, link_lengths,
)

__all__ = ["IN_RACK", "LEAF_LOCATIONS", "ROW_END", "ROW_MIDDLE", "SITE_CENTRE", "LengthStats", "Layout", "Location",
           "amid", "layout", "leaf_location", "link_lengths"]
