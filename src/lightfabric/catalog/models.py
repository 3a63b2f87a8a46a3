"""Typed models of the parts in the catalog, with their provenance.

Every part carries ``sources``. Each source names the fields it supports, and validation refuses a
part with a data field that no source covers, so no figure enters the catalog without a source.
Units are in the field names (``power_w``, ``rate_gbps``, ``reach_m``, ``price_usd``).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SourceKind = Literal["datasheet", "standard", "paper", "vendor-claim", "estimate", "user-override"]
CATALOG_SOURCE_KINDS: tuple[str, ...] = ("datasheet", "standard", "paper", "vendor-claim", "estimate")

# Fields that describe a part rather than state a figure about it: they need no source.
DESCRIPTIVE_FIELDS = frozenset({"id", "name", "vendor", "notes", "sources"})


class Source(BaseModel):
    """Where a figure comes from.

    ``kind`` is one of datasheet, standard, paper, vendor-claim or estimate (``user-override`` is
    reserved for values the user sets in a scenario). An estimate must say how it was derived.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=3)
    url: str | None = None
    document: str | None = None
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    kind: SourceKind
    fields: tuple[str, ...] = Field(min_length=1)
    derivation: str | None = None
    confidence: Literal["high", "medium", "low"] = "medium"
    note: str | None = None

    @model_validator(mode="after")
    def _where_and_how(self) -> "Source":
        if not (self.url or self.document):
            raise ValueError(f"source {self.title!r} needs a url or a document")
        if self.kind == "estimate" and not self.derivation:
            raise ValueError(f"estimate {self.title!r} must say how it was derived (derivation)")
        return self


class PortConfig(BaseModel):
    """One way a device's SerDes lanes are grouped into ports, e.g. 128 x 800G of 4 x 200G lanes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int = Field(gt=0)
    rate_gbps: float = Field(gt=0)
    lane_rate_gbps: float = Field(gt=0)

    @property
    def lanes_per_port(self) -> float:
        return self.rate_gbps / self.lane_rate_gbps

    def label(self) -> str:
        return f"{self.count}x{self.rate_gbps:g}G ({self.lanes_per_port:g}x{self.lane_rate_gbps:g}G lanes)"


class Part(BaseModel):
    """A part of the catalog: an id, a name and the sources of its figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[str] = "part"

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    vendor: str | None = None
    notes: str | None = None
    sources: tuple[Source, ...] = Field(min_length=1)

    @classmethod
    def data_fields(cls) -> list[str]:
        """The fields that state a figure or a fact and so need a source."""
        return [f for f in cls.model_fields if f not in DESCRIPTIVE_FIELDS]

    @model_validator(mode="after")
    def _every_figure_has_a_source(self) -> "Part":
        known = set(self.data_fields())
        covered: set[str] = set()
        for src in self.sources:
            unknown = set(src.fields) - known
            if unknown:
                raise ValueError(
                    f"source {src.title!r} names unknown field(s) {sorted(unknown)}; "
                    f"fields of a {self.kind}: {sorted(known)}")
            covered.update(src.fields)
        missing = [f for f in self.data_fields()
                   if getattr(self, f) is not None and f not in covered and not self._is_default(f)]
        if missing:
            raise ValueError(f"no source for field(s) {missing}")
        return self

    def _is_default(self, field: str) -> bool:
        """A field left at the model's declared default (e.g. breakout = 1) states no figure."""
        info = type(self).model_fields[field]
        return not info.is_required() and info.default is not None and getattr(self, field) == info.default

    def sources_for(self, field: str) -> list[Source]:
        """The sources that support one field."""
        return [s for s in self.sources if field in s.fields]

    def figures(self) -> dict[str, object]:
        """The part's data fields and values (no descriptive fields)."""
        return {f: getattr(self, f) for f in self.data_fields() if getattr(self, f) is not None}


class Gpu(Part):
    """An accelerator: its power and the bandwidth it needs from the scale-up and scale-out fabrics."""

    kind: ClassVar[str] = "gpu"

    tdp_w: float = Field(gt=0)
    scale_out_bandwidth_gbps: float = Field(gt=0, description="scale-out NIC bandwidth per GPU in its reference platform")
    scale_up_bandwidth_gbps: float = Field(gt=0, description="NVLink-class bandwidth per GPU, both directions added")
    default_nic: str | None = None


class SwitchAsic(Part):
    """A switch ASIC and the switch system built around it (power and price exclude optics)."""

    kind: ClassVar[str] = "switch"

    protocol: Literal["ethernet", "infiniband"]
    capacity_gbps: float = Field(gt=0, description="switching capacity of one system, one direction")
    asics_per_system: int = Field(default=1, gt=0)
    serdes_lanes: int = Field(gt=0, description="SerDes lanes of one system")
    serdes_lane_rate_gbps: float = Field(gt=0)
    port_configs: tuple[PortConfig, ...] = Field(min_length=1)
    asic_power_w: float = Field(gt=0, description="typical power of the ASIC(s) of one system")
    system_overhead_w: float = Field(ge=0, description="rest of the system without optics: CPU, fans, board, PSU losses")
    system_price_usd: float = Field(gt=0, description="price of one system without optics")
    linear_drive: bool = Field(description="host SerDes qualified to drive linear (LPO) optics")

    @model_validator(mode="after")
    def _lanes_make_capacity(self) -> "SwitchAsic":
        lanes_gbps = self.serdes_lanes * self.serdes_lane_rate_gbps
        if abs(lanes_gbps - self.capacity_gbps) > 0.01 * self.capacity_gbps:
            raise ValueError(f"serdes_lanes x serdes_lane_rate_gbps = {lanes_gbps:g} differs from "
                             f"capacity_gbps = {self.capacity_gbps:g}")
        for pc in self.port_configs:
            if pc.count * pc.rate_gbps > self.capacity_gbps * 1.0001:
                raise ValueError(f"port config {pc.label()} exceeds capacity {self.capacity_gbps:g} Gb/s")
            if pc.lane_rate_gbps > self.serdes_lane_rate_gbps:
                raise ValueError(f"port config {pc.label()} uses lanes faster than the SerDes")
        return self

    def port_config(self, rate_gbps: float, lane_rate_gbps: float | None = None) -> PortConfig | None:
        """The port configuration at this rate (and lane rate, if given), or None."""
        for pc in self.port_configs:
            if pc.rate_gbps == rate_gbps and (lane_rate_gbps is None or pc.lane_rate_gbps == lane_rate_gbps):
                return pc
        return None

    @property
    def port_rates_gbps(self) -> list[float]:
        return sorted({pc.rate_gbps for pc in self.port_configs})


class Nic(Part):
    """A scale-out network adapter (NIC / SuperNIC)."""

    kind: ClassVar[str] = "nic"

    protocols: tuple[Literal["ethernet", "infiniband"], ...] = Field(min_length=1)
    bandwidth_gbps: float = Field(gt=0)
    serdes_lane_rate_gbps: float = Field(gt=0)
    port_configs: tuple[PortConfig, ...] = Field(min_length=1)
    power_w: float = Field(gt=0, description="NIC power without its optics")
    price_usd: float = Field(gt=0)
    linear_drive: bool = Field(description="host SerDes qualified to drive linear (LPO) optics")

    @property
    def port_rates_gbps(self) -> list[float]:
        return sorted({pc.rate_gbps for pc in self.port_configs})


Interface = Literal["DR", "FR", "SR"]


class PluggableModule(Part):
    """A pluggable optical module: with a DSP, linear receive only (LRO), or fully linear (LPO)."""

    kind: ClassVar[str] = "module"

    technology: Literal["pluggable-dsp", "lro", "lpo"]
    form_factor: str
    rate_gbps: float = Field(gt=0)
    host_lanes: int = Field(gt=0)
    host_lane_rate_gbps: float = Field(gt=0)
    optical_lanes: int = Field(gt=0)
    optical_lane_rate_gbps: float = Field(gt=0)
    interface: Interface = Field(description="IEEE PMD family: DR (parallel SMF), FR (CWDM SMF), SR (MMF)")
    breakout: int = Field(default=1, gt=0, description="far-end ports one module can serve (2 for twin-port 2x400G)")
    reach_m: float = Field(gt=0)
    power_w: float = Field(gt=0)
    lasers: int = Field(ge=0)
    price_usd: float = Field(gt=0)

    @model_validator(mode="after")
    def _lanes_make_rate(self) -> "PluggableModule":
        for side, lanes, rate in (("host", self.host_lanes, self.host_lane_rate_gbps),
                                  ("optical", self.optical_lanes, self.optical_lane_rate_gbps)):
            if abs(lanes * rate - self.rate_gbps) > 0.01 * self.rate_gbps:
                raise ValueError(f"{side} lanes x lane rate = {lanes * rate:g} differs from rate_gbps {self.rate_gbps:g}")
        return self


class OpticalEngine(Part):
    """A co-packaged optical engine (CPO): optics on the switch package, fed by external lasers."""

    kind: ClassVar[str] = "optical-engine"

    capacity_gbps: float = Field(gt=0)
    lanes: int = Field(gt=0)
    lane_rate_gbps: float = Field(gt=0)
    interface: Interface
    reach_m: float = Field(gt=0)
    power_w: float = Field(gt=0, description="engine power without the external lasers")
    price_usd: float = Field(gt=0)
    hosts: tuple[str, ...] = Field(min_length=1, description="switch ids this engine is co-packaged with")
    lanes_per_laser: int = Field(gt=0, description="optical lanes fed by one external laser")
    laser_source: str = Field(description="id of the external laser source module")

    @model_validator(mode="after")
    def _lanes_make_capacity(self) -> "OpticalEngine":
        if abs(self.lanes * self.lane_rate_gbps - self.capacity_gbps) > 0.01 * self.capacity_gbps:
            raise ValueError("lanes x lane_rate_gbps differs from capacity_gbps")
        return self


class ExternalLaserSource(Part):
    """An external laser source module (ELS / ELSFP) that feeds co-packaged engines."""

    kind: ClassVar[str] = "laser-source"

    form_factor: str
    lasers: int = Field(gt=0)
    optical_power_mw_per_laser: float | None = Field(default=None, gt=0)
    power_w: float = Field(gt=0, description="electrical power of one module")
    price_usd: float = Field(gt=0)


class FiberCable(Part):
    """A fiber trunk cable (one per link) with an MPO connector at each end."""

    kind: ClassVar[str] = "fiber"

    medium: Literal["smf", "mmf"]
    fibers: int = Field(gt=0)
    attenuation_db_per_km: float = Field(gt=0)
    price_usd_fixed: float = Field(ge=0, description="price of the cable's ends and assembly, independent of length")
    price_usd_per_m: float = Field(ge=0)
    connector: str = Field(description="id of the connector at each end")


class Connector(Part):
    """A fiber connector (mated pair)."""

    kind: ClassVar[str] = "connector"

    fibers: int = Field(gt=0)
    loss_db: float = Field(ge=0, description="insertion loss of one mated pair")
    price_usd: float = Field(ge=0)


PART_TYPES: dict[str, type[Part]] = {
    cls.kind: cls
    for cls in (Gpu, SwitchAsic, Nic, PluggableModule, OpticalEngine, ExternalLaserSource, FiberCable, Connector)
}
