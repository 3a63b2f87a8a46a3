"""The catalog: parts that exist, as YAML data validated by typed models, each figure sourced."""

from lightfabric.catalog.models import (
    CATALOG_SOURCE_KINDS, SEGMENTS, Circuit, CoPackageFlow, EngineFlow, HopLatency, ValueShare, Connector, CopperCable, ElectricalChannel, ExternalLaserSource, FailureRate, FieldObservation, FiberCable, FiberPart, Gpu, Laser,
    Nic, OpticalCircuitSwitch, OpticalComponent, OpticalEngine, Part, PluggableModule, PortConfig, Receiver, RepairUnit, Source, SwitchAsic,
)
from lightfabric.catalog.store import Catalog

__all__ = [
    "CATALOG_SOURCE_KINDS", "SEGMENTS", "Catalog", "CoPackageFlow", "EngineFlow", "HopLatency", "ValueShare", "Circuit", "Connector", "CopperCable", "FiberPart", "OpticalCircuitSwitch", "ElectricalChannel", "ExternalLaserSource", "FailureRate", "FieldObservation", "RepairUnit",
    "FiberCable", "Gpu", "Laser", "Nic", "OpticalComponent", "OpticalEngine", "Part", "PluggableModule",
    "PortConfig", "Receiver", "Source", "SwitchAsic",
]
