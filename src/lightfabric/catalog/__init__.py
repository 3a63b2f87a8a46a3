"""The catalog: parts that exist, as YAML data validated by typed models, each figure sourced."""

from lightfabric.catalog.models import (
    CATALOG_SOURCE_KINDS, Connector, ExternalLaserSource, FiberCable, Gpu, Nic, OpticalEngine, Part,
    PluggableModule, PortConfig, Source, SwitchAsic,
)
from lightfabric.catalog.store import Catalog

__all__ = [
    "CATALOG_SOURCE_KINDS", "Catalog", "Connector", "ExternalLaserSource", "FiberCable", "Gpu", "Nic",
    "OpticalEngine", "Part", "PluggableModule", "PortConfig", "Source", "SwitchAsic",
]
