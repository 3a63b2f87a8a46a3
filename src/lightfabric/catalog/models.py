"""Typed models of the parts in the catalog, with their provenance.

Every part carries ``sources``. Each source names the fields it supports, and validation refuses a
part with a data field that no source covers, so no figure enters the catalog without a source.
Units are in the field names (``power_w``, ``rate_gbps``, ``reach_m``, ``price_usd``).
"""

# No ``from __future__ import annotations``: Python evaluates the fields' annotations once, as the
# classes are made, rather than pydantic from strings (a few ms of every start-up).

from math import ceil

import types
from typing import Any, Callable, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

SourceKind = Literal["datasheet", "standard", "paper", "vendor-claim", "estimate", "user-override"]
CATALOG_SOURCE_KINDS: tuple[str, ...] = ("datasheet", "standard", "paper", "vendor-claim", "estimate")

# Fields that describe a part rather than state a figure about it: they need no source.
DESCRIPTIVE_FIELDS = frozenset({"id", "name", "vendor", "notes", "sources"})

# Every model here is built on first use (``defer_build``): pydantic makes a model's validator and
# serializer when it first validates or dumps one (a scenario's overrides, a user's catalog file, the
# YAML of the catalog when its cache is cold), not when this module is imported. The built-in
# catalog read from its cache (catalog/cache.py) needs neither: its parts are rebuilt by
# :func:`construct`.


class Source(BaseModel):
    """Where a figure comes from.

    ``kind`` is one of datasheet, standard, paper, vendor-claim or estimate (``user-override`` is
    reserved for values the user sets in a scenario). An estimate must say how it was derived.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

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

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    count: int = Field(gt=0)
    rate_gbps: float = Field(gt=0)
    lane_rate_gbps: float = Field(gt=0)

    @property
    def lanes_per_port(self) -> float:
        return self.rate_gbps / self.lane_rate_gbps

    def label(self) -> str:
        return f"{self.count}x{self.rate_gbps:g}G ({self.lanes_per_port:g}x{self.lane_rate_gbps:g}G lanes)"


class Availability(BaseModel):
    """When a part became, or becomes, available, and how far along it is at that date."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    status: Literal["announced", "sampling", "shipping"]
    date: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM: when it reached (or is to reach) the status")


class Part(BaseModel):
    """A part of the catalog: an id, a name and the sources of its figures."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)
    kind: ClassVar[str] = "part"

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    vendor: str | None = None
    notes: str | None = None
    available: Availability | None = Field(default=None, description="when it became or becomes available")
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
    default_scale_up_switch: str | None = Field(default=None, description="switch id of its platform's scale-up domain")
    gpus_per_server: int | None = Field(default=None, gt=0, description="GPUs per server or compute tray of its platform")
    scale_up_domain_gpus: int | None = Field(default=None, gt=0, description="GPUs in its platform's scale-up domain")
    rental_usd_per_h: float | None = Field(default=None, gt=0,
                                           description="market price of one GPU-hour: the value of GPU time lost")
    bf16_dense_tflops: float | None = Field(default=None, gt=0, description="dense BF16 tensor throughput")
    ici_port: PortConfig | None = Field(default=None, description=(
        "direct chip-to-chip ports (TPU ICI): count, rate each way and lanes; a torus links chips through them"))
    ici_cages: bool = Field(default=False, description=(
        "its direct-link ports between racks take pluggable modules (cages on its tray)"))


class SwitchAsic(Part):
    """A switch ASIC and the switch system built around it (power and price exclude optics)."""

    kind: ClassVar[str] = "switch"

    protocol: Literal["ethernet", "infiniband", "nvlink", "ualink"]
    capacity_gbps: float = Field(gt=0, description="switching capacity of one system, one direction")
    systems_per_tray: int = Field(default=1, gt=0, description="scale-up switch chips per switch tray")
    rack_units: float = Field(default=2.0, gt=0, description="height of one system")
    cages: int | None = Field(default=None, gt=0, description="front-panel module cages of the pluggable system")
    asics_per_system: int = Field(default=1, gt=0)
    serdes_lanes: int = Field(gt=0, description="SerDes lanes of one system")
    serdes_lane_rate_gbps: float = Field(gt=0)
    port_configs: tuple[PortConfig, ...] = Field(min_length=1)
    asic_power_w: float = Field(gt=0, description="typical power of the ASIC(s) of one system")
    system_overhead_w: float = Field(ge=0, description="rest of the system without optics: CPU, fans, board, PSU losses")
    system_price_usd: float = Field(gt=0, description="price of one system without optics")
    linear_drive: bool = Field(description="host SerDes qualified to drive linear (LPO) optics")
    co_packaged_optics: bool = Field(default=False, description=(
        "the system's ports are its own co-packaged optical engines (no cages): only a co-packaged "
        "technology serves them"))

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
    fibers: int | None = Field(default=None, gt=0, description="fibers at the module's connector(s); default 2 per optical lane (DR, SR) or 2 per 4 lanes (FR)")
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
    """An optical engine next to a host chip, fed by external lasers.

    ``technology`` says where it sits: ``cpo`` on the switch package (``integration`` substrate or
    interposer), ``npo`` on the switch board next to the package (socketed, serviceable), ``oio``
    an optical I/O chiplet inside a GPU or scale-up switch package.
    """

    kind: ClassVar[str] = "optical-engine"

    technology: Literal["cpo", "npo", "oio"] = "cpo"
    integration: Literal["substrate", "interposer", "board", "chiplet"] = "substrate"
    capacity_gbps: float = Field(gt=0, description="one direction")
    lanes: int = Field(gt=0)
    lane_rate_gbps: float = Field(gt=0)
    interface: Interface
    reach_m: float = Field(gt=0)
    power_w: float = Field(gt=0, description="engine power without the external lasers")
    price_usd: float = Field(gt=0)
    hosts: tuple[str, ...] = Field(min_length=1, description="switch or GPU ids this engine is packaged with; '*' for any with its lane rate")
    lanes_per_laser: int = Field(gt=0, description="optical lanes fed by one external laser")
    laser_source: str = Field(description="id of the external laser source module")
    fiber_array_units: int = Field(default=1, gt=0, description="fiber array units attached to one engine")
    fibers: int | None = Field(default=None, gt=0, description="fibers leaving one engine (data only)")
    host_interface_pj_per_bit: float | None = Field(default=None, ge=0, description="electrical interface from the host die to the engine")
    electronic_dies: int = Field(default=1, ge=1, description="electronic ICs (drivers and TIAs of every lane) per engine")
    photonic_dies: int = Field(default=1, ge=0, description="photonic ICs (modulators and photodiodes) per engine; "
                                                            "0 where they are on the electronic die (monolithic)")
    sub_assembly_engines: int | None = Field(default=None, gt=0,
                                             description="engines per detachable optical sub-assembly, a field-"
                                                         "replaceable unit; none: bonded to the package")

    @model_validator(mode="after")
    def _lanes_make_capacity(self) -> "OpticalEngine":
        if abs(self.lanes * self.lane_rate_gbps - self.capacity_gbps) > 0.01 * self.capacity_gbps:
            raise ValueError("lanes x lane_rate_gbps differs from capacity_gbps")
        return self


class ExternalLaserSource(Part):
    """An external laser source module (ELS / ELSFP) that feeds co-packaged engines.

    Its electrical power is not a catalog figure: :mod:`lightfabric.physics.laser_source` computes it
    from its ``lasers`` diodes (the catalog laser ``laser``) at the operating point the engines' link
    budget needs, plus ``control_power_w``. ``stated_power_w``, where a vendor gives one, is shown
    beside the computed figure and never used in its place.
    """

    kind: ClassVar[str] = "laser-source"

    form_factor: str
    lasers: int = Field(gt=0)
    laser: str = Field(description="id of the catalog laser (diode) the module holds")
    optical_power_mw_per_laser: float | None = Field(default=None, gt=0)
    control_power_w: float = Field(ge=0, description="module electronics besides the laser diodes: "
                                                     "controller, monitor photodiodes, bias drivers, cooling")
    stated_power_w: float | None = Field(default=None, gt=0,
                                         description="module power as the vendor states it (shown, not used)")
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


class FiberPart(Part):
    """A fiber part a technology needs besides the link's trunk: fiber array unit, PMF jumper,
    fiber shuffle, front-panel adapter."""

    kind: ClassVar[str] = "fiber-part"

    role: Literal["fiber-array-unit", "pm-fiber-jumper", "fiber-shuffle", "mpo-adapter"]
    fibers: int = Field(gt=0)
    loss_db: float = Field(ge=0)
    price_usd: float = Field(ge=0)


class CopperCable(Part):
    """An electrical cable assembly: passive DAC, linear active (ACC), retimed active (AEC), a
    co-packaged copper (CPC) flyover, or a scale-up copper spine link."""

    kind: ClassVar[str] = "copper-cable"

    variant: Literal["dac", "acc", "aec", "cpc", "spine"]
    rate_gbps: float = Field(gt=0, description="one direction")
    lanes: int = Field(gt=0, description="lanes per direction")
    lane_rate_gbps: float = Field(gt=0)
    gauge_awg: float | None = Field(default=None, gt=0)
    reach_m: float = Field(gt=0, description="published or derived reach at lane_rate_gbps")
    power_w_per_end: float = Field(ge=0)
    price_usd: float = Field(gt=0)
    breakout: int = Field(default=1, gt=0)

    @property
    def pairs(self) -> int:
        """Differential pairs (twinax 'cables' in NVIDIA's counting): one per lane per direction."""
        return 2 * self.lanes


class OpticalCircuitSwitch(Part):
    """A MEMS optical circuit switch: N x N ports, each a fiber; a circuit joins two ports."""

    kind: ClassVar[str] = "ocs"

    ports: int = Field(gt=0, description="ports on each side of the N x N switch")
    circulators: bool = Field(description="circulators carry both directions of a duplex link on one port")
    loss_db: float = Field(ge=0, description="insertion loss of one pass")
    power_w: float = Field(gt=0)
    reconfiguration_ms: float = Field(gt=0)
    price_usd: float = Field(gt=0)

    @property
    def circuits(self) -> int:
        return self.ports

    @property
    def ports_per_fiber_pair(self) -> int:
        """Ports one duplex fiber pair takes: one with circulators, else one for each direction."""
        return 1 if self.circulators else 2

    def units_for(self, fiber_pairs: int) -> int:
        """Switches for ``fiber_pairs`` duplex pairs, both sides of each N x N switch in use."""
        return ceil(fiber_pairs * self.ports_per_fiber_pair / (2 * self.ports))

    @property
    def fiber_pair_price_usd(self) -> float:
        """The share of one switch's price a duplex fiber pair takes."""
        return self.price_usd * self.ports_per_fiber_pair / (2 * self.ports)


class Connector(Part):
    """A fiber connector (mated pair)."""

    kind: ClassVar[str] = "connector"

    fibers: int = Field(gt=0)
    loss_db: float = Field(ge=0, description="insertion loss of one mated pair")
    price_usd: float = Field(ge=0)


# --- components of a link (issue 3): what a technology is built from ---------------------------

class Laser(Part):
    """A laser diode: L-I curve, temperature dependence, heating and reliability figures."""

    kind: ClassVar[str] = "laser"

    laser_type: Literal["cw-dfb", "eml", "dml", "vcsel"]
    wavelength_nm: float = Field(gt=0)
    threshold_current_ma: float = Field(gt=0, description="at reference_temperature_c")
    slope_efficiency_w_per_a: float = Field(gt=0, description="into the fiber or waveguide, at reference_temperature_c")
    reference_temperature_c: float
    t0_k: float = Field(gt=0, description="characteristic temperature of the threshold current")
    t1_k: float = Field(gt=0, description="characteristic temperature of the slope efficiency")
    turn_on_voltage_v: float = Field(gt=0)
    series_resistance_ohm: float = Field(ge=0)
    thermal_resistance_k_per_w: float = Field(gt=0, description="junction to case")
    max_current_ma: float = Field(gt=0)
    max_junction_temperature_c: float
    fit: float = Field(gt=0, description="failures in 1e9 device-hours at fit_temperature_c (junction)")
    fit_temperature_c: float
    activation_energy_ev: float = Field(gt=0, description="Arrhenius activation energy of wear-out")
    cooler_power_w: float = Field(default=0.0, ge=0, description="thermo-electric cooler and its control, per laser")


OpticalRole = Literal["edge-coupler", "grating-coupler", "fiber-array-unit", "pm-fiber", "splitter",
                      "waveguide", "modulator", "lens-coupling", "ocs", "mux"]


class OpticalComponent(Part):
    """A passive or modulating element of an optical path (coupler, splitter, modulator, ...)."""

    kind: ClassVar[str] = "optical-component"

    role: OpticalRole
    loss_db: float = Field(ge=0, description="insertion loss; for a splitter the excess over 10 log10 N")
    extinction_ratio_db: float | None = Field(default=None, gt=0, description="modulators only")
    energy_pj_per_bit: float | None = Field(default=None, ge=0, description="drive and tuning energy, modulators only")

    @model_validator(mode="after")
    def _modulator_has_er(self) -> "OpticalComponent":
        if (self.role == "modulator") != (self.extinction_ratio_db is not None):
            raise ValueError("extinction_ratio_db is given for modulators and only for them")
        return self


class Receiver(Part):
    """An optical receiver lane: photodiode, TIA and the spec it is held to."""

    kind: ClassVar[str] = "receiver"

    lane_rate_gbps: float = Field(gt=0)
    modulation: Literal["nrz", "pam4"]
    responsivity_a_per_w: float = Field(gt=0)
    tia_noise_pa_per_rthz: float = Field(gt=0, description="input-referred noise current density")
    sensitivity_oma_dbm: float = Field(description="OMA for the target BER with an ideal (unstressed) eye")
    target_ber: float = Field(gt=0, lt=0.5, description="pre-FEC BER the sensitivity is specified at")
    tx_penalty_db: float = Field(ge=0, description="transmitter eye-closure allowance (TDECQ) in the budget")
    extinction_ratio_db: float = Field(gt=0, description="transmitter extinction ratio the budget assumes")
    tx_oma_dbm: float = Field(description="transmitter OMA at the spec's maximum TDECQ (for spec-level budgets)")
    channel_loss_db: float = Field(ge=0, description="channel insertion loss the PMD is specified for")
    rin_db_per_hz: float | None = Field(default=None, lt=0, description="transmitter RIN referred to OMA the spec "
                                                                     "allows (RINxOMA); sets an error floor")
    reflectance_db: float | None = Field(default=None, lt=0, description="reflectance of each facet and connector "
                                                                      "the spec allows; multipath interference")


class Circuit(Part):
    """An electronic block on every bit of a lane: SerDes, DSP, driver, TIA, or a fixed overhead."""

    kind: ClassVar[str] = "circuit"

    role: Literal["serdes", "dsp", "driver", "tia", "retimer", "overhead"]
    reach_class: Literal["LR", "MR", "VSR", "XSR", "linear", "none"] = "none"
    lane_rate_gbps: float = Field(gt=0)
    energy_pj_per_bit: float = Field(ge=0)
    loss_budget_db: float | None = Field(default=None, gt=0, description="SerDes: die-to-die loss at Nyquist it equalizes")


class ElectricalChannel(Part):
    """A piece of an electrical channel: twinax cable, PCB trace, package or connector."""

    kind: ClassVar[str] = "electrical-channel"

    medium: Literal["twinax", "pcb", "package", "connector"]
    gauge_awg: float | None = Field(default=None, gt=0)
    dielectric_constant: float | None = Field(default=None, gt=1)
    loss_tangent: float | None = Field(default=None, gt=0)
    conductor_loss_factor: float | None = Field(default=None, ge=1)
    trace_width_mm: float | None = Field(default=None, gt=0)
    length_mm: float | None = Field(default=None, gt=0)
    loss_db_at_reference: float | None = Field(default=None, ge=0, description="lumped elements: loss at reference_frequency_ghz")
    reference_frequency_ghz: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _fields_of_medium(self) -> "ElectricalChannel":
        need = {"twinax": ("gauge_awg", "dielectric_constant", "loss_tangent", "conductor_loss_factor"),
                "pcb": ("dielectric_constant", "loss_tangent", "trace_width_mm", "length_mm"),
                "package": ("loss_db_at_reference", "reference_frequency_ghz"),
                "connector": ("loss_db_at_reference", "reference_frequency_ghz")}[self.medium]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.medium} channel needs {missing}")
        return self


# --- reliability (issue 5): failure rates and repair ------------------------------------------

class AppliesTo(Part):
    """A catalog entry about other parts: ``applies_to`` names a part id, a kind (``switch``), or a
    kind and selector (``circuit:dsp``); the most specific entry wins
    (:mod:`lightfabric.catalog.matching`). ``applies_to`` is the entry's key, not a figure."""

    applies_to: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*(:[a-z0-9.\-]+)?$")

    @classmethod
    def data_fields(cls) -> list[str]:
        return [f for f in super().data_fields() if f != "applies_to"]


class FailureRate(AppliesTo):
    """The failure rate of the parts one entry applies to, in FIT (failures per 1e9 device-hours).

    ``applies_to`` names a part id, a kind (``switch``), or a kind and selector
    (``circuit:dsp``, ``copper-cable:aec``, ``switch:nvlink``, ``optical-component:modulator``):
    the selector matches the part's ``role``, ``variant``, ``technology`` or ``protocol``. The most
    specific entry wins. ``per`` says whether ``fit`` is for one part or for one optical lane of it.
    Lasers are not here: their FIT and its temperature dependence are on the laser parts.
    """

    kind: ClassVar[str] = "failure-rate"

    per: Literal["unit", "lane"] = "unit"
    fit: float = Field(ge=0, description="hard failures (the unit must be replaced) per 1e9 h")
    flap_fit: float | None = Field(default=None, ge=0, description="transient outages (a reboot, a link flap) per 1e9 h")

    @classmethod
    def data_fields(cls) -> list[str]:
        return [f for f in super().data_fields() if f != "per"]


class FieldObservation(AppliesTo):
    """Operating hours and failures of a part counted in the field or a qualification run.

    ``device_hours`` of ``device`` (e.g. a 400G-equivalent switch port, ``port_rate_gbps`` 400)
    with ``failures`` hard failures. With zero failures the data bound the rate (at most
    -ln(0.05) / T at 95 % confidence) and do not measure it; lightfabric.reliability combines them
    with the bottom-up rate (a Gamma prior, Poisson likelihood) and reports both.
    """

    kind: ClassVar[str] = "field-observation"

    device: str = Field(description="what one device-hour counts")
    port_rate_gbps: float = Field(gt=0, description="rate of one device")
    device_hours: float = Field(gt=0)
    failures: int = Field(ge=0)


class RepairUnit(Part):
    """A field-replaceable unit (FRU) and how long its repair takes.

    ``wait_h``: from the failure to the start of the replacement (detection, diagnosis, draining,
    dispatch, the spare brought to the rack), the fault in place. ``replace_h``: hands-on
    replacement, during which the unit and whatever must be powered off with it are out.
    """

    kind: ClassVar[str] = "repair-unit"

    hot_swap: bool = Field(description="replaced without powering off the device that holds it")
    wait_h: float = Field(ge=0)
    replace_h: float = Field(gt=0)
    restock_days: float = Field(gt=0, description="lead time to replenish a used spare")


# --- economics (issue 6): where the money goes, and what packaging yield costs ---------------------

# Industry segments a part's price is split over (docs/economics.md): who earns each dollar.
SEGMENTS: dict[str, str] = {
    "switch-silicon": "switch and I/O silicon vendors (switch ASICs, co-packaged engines, optical I/O chiplets)",
    "nic-silicon": "NIC and SuperNIC silicon vendors",
    "electrical-ics": "electrical ICs for optics and cables (DSPs, drivers, TIAs, retimers)",
    "foundry-packaging": "wafer foundries, advanced packaging and test (the silicon vendors' cost of goods)",
    "optical-modules": "optical module and laser-source module makers (design, assembly, test, margin)",
    "lasers": "laser chips (EML, DFB, CW)",
    "optical-components": "optical components and fiber connectivity (lenses, FAU, PMF, MPO, trunks, shuffles)",
    "copper-cables": "copper cable makers (DAC, ACC, AEC, co-packaged copper)",
    "ocs": "optical circuit switch makers",
    "system-assembly": "switch and system vendors (board, chassis, power, software, margin)",
}


class ValueShare(AppliesTo):
    """How the price of the parts one entry applies to splits over industry segments.

    ``applies_to`` matches as for failure rates (an id, a kind, or ``kind:selector``; the most
    specific wins). ``shares`` maps a segment id of :data:`SEGMENTS` to a fraction; they sum to 1.
    """

    kind: ClassVar[str] = "value-share"

    shares: dict[str, float]

    @model_validator(mode="after")
    def _shares_are_a_split(self) -> "ValueShare":
        unknown = set(self.shares) - set(SEGMENTS)
        if unknown:
            raise ValueError(f"unknown segment(s) {sorted(unknown)}; allowed: {', '.join(SEGMENTS)}")
        if any(v < 0 for v in self.shares.values()):
            raise ValueError("shares must be >= 0")
        total = sum(self.shares.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares sum to {total:g}; they must sum to 1")
        return self


class EngineFlow(AppliesTo):
    """How one optical engine is built: an electronic die (EIC) bonded to a photonic die (PIC),
    a fiber array attached, the engine tested (docs/economics.md). Costs in USD per unit."""

    kind: ClassVar[str] = "engine-flow"

    eic_wafer_usd: float = Field(gt=0)
    eic_die_area_mm2: float = Field(gt=0)
    eic_defect_density_per_cm2: float = Field(ge=0)
    pic_wafer_usd: float = Field(gt=0)
    pic_die_area_mm2: float = Field(gt=0)
    pic_defect_density_per_cm2: float = Field(ge=0)
    die_test_coverage: float = Field(ge=0, le=1, description="share of bad dies the known-good-die test catches")
    bond_yield: float = Field(gt=0, le=1, description="EIC-to-PIC bond (hybrid or micro-bump)")
    bond_usd: float = Field(ge=0)
    fiber_attach_yield: float = Field(gt=0, le=1)
    fiber_attach_usd: float = Field(ge=0, description="alignment and bonding of the fiber array, the FAU itself excluded")
    engine_test_usd: float = Field(ge=0)
    vendor_gross_margin: float = Field(ge=0, lt=1, description="margin the vendor keeps when a cost change passes into its price")


class CoPackageFlow(AppliesTo):
    """How optical engines are assembled with their host: on the switch package (CPO) or on the
    board beside it (NPO). The host die and substrate apply to CPO only (``host_die_area_mm2`` 0
    for a board). Costs in USD per package."""

    kind: ClassVar[str] = "co-package-flow"

    host_wafer_usd: float = Field(ge=0)
    host_die_area_mm2: float = Field(ge=0)
    host_defect_density_per_cm2: float = Field(ge=0)
    host_test_usd: float = Field(ge=0)
    die_test_coverage: float = Field(ge=0, le=1)
    substrate_usd: float = Field(ge=0)
    substrate_yield: float = Field(gt=0, le=1)
    host_attach_yield: float = Field(gt=0, le=1)
    engine_test_coverage: float = Field(ge=0, le=1, description="share of bad engines the engine test catches")
    engine_attach_yield: float = Field(gt=0, le=1, description="one engine placed, bonded and its fibers checked")
    engine_rework_fraction: float = Field(ge=0, le=1, description="share of failed engine slots recovered by swapping the engine")
    rework_usd: float = Field(ge=0, description="process cost of one engine rework, the new engine excluded")
    assembly_usd: float = Field(ge=0)
    final_test_usd: float = Field(ge=0)
    vendor_gross_margin: float = Field(ge=0, lt=1, description="margin the vendor keeps when a cost change passes into its price")


class HopLatency(AppliesTo):
    """Latency one traversal of the parts an entry applies to adds: port to port for a switch, one
    direction of one link end for a module, engine or cable end (``applies_to`` as for failure
    rates). Propagation in fiber and copper is physics, added by length (docs/performance.md)."""

    kind: ClassVar[str] = "hop-latency"

    latency_ns: float = Field(ge=0)


PART_TYPES: dict[str, type[Part]] = {
    cls.kind: cls
    for cls in (Gpu, SwitchAsic, Nic, PluggableModule, OpticalEngine, ExternalLaserSource, FiberCable, Connector,
                Laser, OpticalComponent, Receiver, Circuit, ElectricalChannel, FiberPart, CopperCable,
                OpticalCircuitSwitch, FailureRate, FieldObservation, RepairUnit, ValueShare, EngineFlow,
                CoPackageFlow, HopLatency)
}


# -- rebuilding validated data --------------------------------------------------------------------

def construct(cls: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """The model ``cls`` of ``data``, a ``model_dump(mode="json", exclude_unset=True)`` of a model
    that was validated (the catalog's cache, catalog/cache.py), without validating it again: what
    ``cls.model_construct`` makes, with nested models rebuilt the same way, the lists of tuple fields
    made tuples, and the fields given those of ``data``. Trusted data only: nothing is checked but
    that every key is a field and no required field is missing (KeyError); a field type this cannot
    rebuild raises TypeError. The store checks, before it writes a cache file, that this gives back
    exactly the catalog it validated."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan(cls)
    fields, direct = plan
    values = {}
    given = 0
    for name, rebuild, default in fields:
        if name in data:
            value = data[name]
            values[name] = value if rebuild is None or value is None else rebuild(value)
            given += 1
        elif default is _REQUIRED:
            raise KeyError(f"{cls.__name__}.{name}: missing")
        else:
            values[name] = default
    if given != len(data):
        raise KeyError(f"{cls.__name__}: not fields: {sorted(set(data) - set(values))}")
    if not direct:
        return cls.model_construct(set(data), **{k: v for k, v in values.items() if k in data})
    model = cls.__new__(cls)   # what model_construct does for these models, without its per-field search
    _set = object.__setattr__
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(data))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_REQUIRED = object()
_PLANS: dict[type, tuple[list[tuple[str, Callable[[Any], Any] | None, Any]], bool]] = {}
_PLAIN = (str, int, float, bool, type(None))
_IMMUTABLE = (str, int, float, bool, type(None), tuple, frozenset)
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")


def _plan(cls: type[BaseModel]) -> tuple[list[tuple[str, Callable[[Any], Any] | None, Any]], bool]:
    """Each field's name, how to rebuild its value and its default (or ``_REQUIRED``); and whether an
    instance may be made directly, as ``model_construct`` would (no aliases, post-init, private
    attributes or extras; immutable defaults; the slots this code knows of pydantic's BaseModel)."""
    fields = []
    direct = (tuple(BaseModel.__slots__) == _SLOTS and not cls.__pydantic_post_init__
              and not cls.__private_attributes__ and cls.model_config.get("extra") != "allow"
              and not cls.__pydantic_root_model__)
    for name, info in cls.model_fields.items():
        default = _REQUIRED if info.is_required() else info.default
        direct = (direct and info.alias is None and info.validation_alias is None and info.default_factory is None
                  and (default is _REQUIRED or isinstance(default, _IMMUTABLE)))
        fields.append((name, _rebuilder(info.annotation, f"{cls.__name__}.{name}"), default))
    return fields, direct


def _rebuilder(annotation: Any, where: str) -> Callable[[Any], Any] | None:
    """How to turn a field's JSON value back into what validation gave (None: as it is)."""
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lambda value: construct(annotation, value)
    if annotation in _PLAIN or origin is Literal:
        return None
    if origin in (Union, types.UnionType):
        rebuilders = {a: _rebuilder(a, where) for a in get_args(annotation) if a is not type(None)}
        if len(rebuilders) == 1:       # X | None: None stays None (construct skips it)
            return next(iter(rebuilders.values()))
        if all(r is None for r in rebuilders.values()):
            return None
    elif origin is tuple:
        args = get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _rebuilder(args[0], where)
            return tuple if item is None else lambda value: tuple(item(v) for v in value)
    elif origin is dict:
        if all(_rebuilder(a, where) is None for a in get_args(annotation)):
            return dict
    raise TypeError(f"{where}: cannot rebuild a {annotation!r} from JSON")
