"""Failure rates of parts: looked up in the catalog, or built bottom-up for optics.

A FIT is one failure per 1e9 device-hours. Rates of independent parts in series add, so the FIT
of a module is the sum of its lasers, its per-lane electronics and photonics (Telcordia SR-332
parts-count method), and the laser's FIT follows its junction temperature through the Arrhenius
law (:func:`lightfabric.physics.laser.arrhenius_acceleration`).

References
----------
.. [1] Telcordia SR-332, *Reliability Prediction Procedure for Electronic Equipment*: parts count,
   series system, constant failure rate.
.. [2] M. Fukuda, *Reliability and Degradation of Semiconductor Lasers and LEDs*, Artech House,
   1991, ch. 4: Arrhenius acceleration of laser wear-out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from lightfabric.catalog import (
    Catalog, ExternalLaserSource, FailureRate, FieldObservation, FiberPart, OpticalEngine, Part, PluggableModule, Receiver,
)
from lightfabric.catalog.defaults import ENGINE_ELECTRONIC_DIE_RATE, ENGINE_PHOTONIC_DIE_RATE
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.physics import chains
from lightfabric.physics.laser import arrhenius_acceleration
from lightfabric.technologies.registry import ENGINE_TECHNOLOGIES

FIT_PER_HOUR = 1e-9
HOURS_PER_DAY = 24.0


class NoFailureRate(LookupError):
    """The catalog has no failure rate for a part."""


def per_hour(fit: float) -> float:
    """Failures per hour of one unit at ``fit`` failures per 1e9 h."""
    return fit * FIT_PER_HOUR


@lru_cache(maxsize=16)
def _rates_by_target(catalog: Catalog) -> dict[str, FailureRate]:
    return index_by_target(catalog.of_kind(FailureRate))


_NONE = object()


def failure_rate(catalog: Catalog, part: Part) -> FailureRate:
    """The most specific failure-rate entry for ``part``: its id, then ``kind:selector``, then ``kind``
    (:mod:`lightfabric.catalog.matching`). Kept per catalog by part id (a catalog's parts are fixed
    when it is made; the same id always names the same part in it)."""
    memo = catalog.memo("reliability.failure_rate")
    entry = memo.get(part.id)
    if entry is None:
        found = most_specific(_rates_by_target(catalog), part)
        entry = memo[part.id] = _NONE if found is None else found
    if entry is _NONE:
        raise NoFailureRate(f"no failure rate in the catalog for {part.kind} {part.id}; "
                            f"add a failure-rate entry with applies_to: {part.kind}")
    return entry


def part_fit(catalog: Catalog, part: Part) -> float:
    """Hard-failure FIT of one unit of ``part`` (per-lane entries are not for whole parts)."""
    e = failure_rate(catalog, part)
    if e.per != "unit":
        raise NoFailureRate(f"{e.id} gives a FIT per lane; {part.id} needs one per unit")
    return e.fit


def flap_fit(catalog: Catalog, part: Part) -> float:
    """Transient-outage FIT of one unit of ``part`` (0 where no data exist)."""
    try:
        e = failure_rate(catalog, part)
    except NoFailureRate:
        return 0.0
    return e.flap_fit or 0.0


@dataclass(frozen=True)
class LaserFit:
    """FIT of one laser at the junction temperature its technology runs it at."""

    laser: str
    junction_temperature_c: float
    fit_reference: float
    reference_temperature_c: float
    acceleration: float

    @property
    def fit(self) -> float:
        return self.fit_reference * self.acceleration


@lru_cache(maxsize=256)
def _laser_fit_cached(catalog: Catalog, technology: str, lane_rate_gbps: float,
                      case_temperature_c: float | None, engine_id: str | None, design_margin_db: float) -> LaserFit:
    engine = catalog.get(engine_id, kind="optical-engine") if engine_id else None
    rep = chains.laser_report(catalog, technology, lane_rate_gbps=lane_rate_gbps, port_rate_gbps=lane_rate_gbps * 8,
                              temperature_c=case_temperature_c, engine=engine, design_margin_db=design_margin_db)
    laser = catalog.get(rep["laser"], kind="laser")
    tj = rep["junction_temperature_c"]
    if tj is None:  # the laser cannot reach its power: no operating point, take the rated limit
        tj = laser.max_junction_temperature_c
    af = float(arrhenius_acceleration(tj, laser.fit_temperature_c, laser.activation_energy_ev))
    return LaserFit(laser.id, float(tj), laser.fit, laser.fit_temperature_c, af)


def _chain_kind(technology: str) -> str:
    """The chain family a technology's lasers are modelled by: ELS-fed engines share the cpo chain."""
    return "cpo" if technology in ENGINE_TECHNOLOGIES else technology


def laser_fit(catalog: Catalog, technology: str, lane_rate_gbps: float,
              case_temperature_c: float | None = None, engine: OpticalEngine | None = None,
              design_margin_db: float = chains.DESIGN_MARGIN_DB) -> LaserFit:
    """The laser of ``technology`` (its chain; for an engine, the lanes its lasers feed and its laser
    source), at the junction temperature the physics model gives when the laser is sized
    ``design_margin_db`` above the point where the worst-case link closes (``physical.design_margin_db``:
    more margin, more drive current, a hotter junction, a higher FIT)."""
    return _laser_fit_cached(catalog, _chain_kind(technology), float(lane_rate_gbps), case_temperature_c,
                             engine.id if engine is not None else None, float(design_margin_db))


@dataclass
class FitBreakdown:
    """FIT of one unit and what it is made of (name -> FIT)."""

    part: str
    items: dict[str, float] = field(default_factory=dict)

    @property
    def fit(self) -> float:
        return float(sum(self.items.values()))

    @property
    def mtbf_h(self) -> float:
        return float("inf") if self.fit == 0 else 1e9 / self.fit


@lru_cache(maxsize=256)
def lane_fit(catalog: Catalog, technology: str, lane_rate_gbps: float) -> tuple[tuple[str, float], ...]:
    """FIT per optical lane of ``technology`` without its lasers: circuits, modulator, photodiode."""
    chain = chains.optical_chain(catalog, _chain_kind(technology), lane_rate_gbps)
    items: list[tuple[str, float]] = []
    for part in [*chain.circuits, chain.modulator, chain.receiver]:
        e = failure_rate(catalog, part)
        if e.per != "lane":
            raise NoFailureRate(f"{e.id} gives a FIT per unit; the {part.id} of a lane needs one per lane")
        items.append((part.id, e.fit))
    return tuple(items)


def module_fit(catalog: Catalog, module: PluggableModule, case_temperature_c: float | None = None,
               design_margin_db: float = chains.DESIGN_MARGIN_DB) -> FitBreakdown:
    """Bottom-up FIT of a pluggable module: its lasers at their junction temperature plus its lanes
    (kept per catalog by module id, case temperature and margin; a fresh copy each call)."""
    memo = catalog.memo("reliability.module_fit")
    key = (module.id, case_temperature_c, float(design_margin_db))
    b = memo.get(key)
    if b is None:
        b = memo[key] = _module_fit(catalog, module, case_temperature_c, design_margin_db)
    return FitBreakdown(b.part, dict(b.items))


def _module_fit(catalog: Catalog, module: PluggableModule, case_temperature_c: float | None,
                design_margin_db: float) -> FitBreakdown:
    out = FitBreakdown(module.id)
    rate = component_lane_rate_gbps(catalog, module.optical_lane_rate_gbps)
    taken = "" if rate == module.optical_lane_rate_gbps else \
        f" (no {module.optical_lane_rate_gbps:g}G-lane parts in the catalog: {rate:g}G-lane parts' rate taken)"
    if module.lasers:
        lf = laser_fit(catalog, module.technology, rate, case_temperature_c, design_margin_db=design_margin_db)
        out.items[f"{module.lasers} x {lf.laser} at {lf.junction_temperature_c:.0f} C{taken}"] = module.lasers * lf.fit
    for part_id, fit in lane_fit(catalog, module.technology, rate):
        out.items[f"{module.optical_lanes} x {part_id}{taken}"] = module.optical_lanes * fit
    return out


def component_lane_rate_gbps(catalog: Catalog, lane_rate_gbps: float) -> float:
    """The lane rate whose component parts (receiver, driver, TIA) stand for ``lane_rate_gbps``: the
    rate itself when the catalog has them, else the fastest rate below it (a 400G-lane module's FIT is
    then that of its 200G-lane parts, and the breakdown says so)."""
    rates = sorted({r.lane_rate_gbps for r in catalog.of_kind(Receiver)})
    if lane_rate_gbps in rates:
        return float(lane_rate_gbps)
    below = [r for r in rates if r < lane_rate_gbps]
    return float(below[-1] if below else rates[0])


def engine_die_fit(catalog: Catalog, engine: OpticalEngine) -> FitBreakdown:
    """Bottom-up FIT of an optical engine's dies and fiber attach, without lasers (they are in the
    laser source): its electronic and photonic dies at one FIT each, whatever their lane count (a
    chip fails as a chip), plus its fiber array units."""
    eic = catalog.get(ENGINE_ELECTRONIC_DIE_RATE, kind="failure-rate")
    pic = catalog.get(ENGINE_PHOTONIC_DIE_RATE, kind="failure-rate")
    out = FitBreakdown(engine.id)
    out.items[f"{engine.electronic_dies} x electronic die ({engine.lanes} lanes' drivers and TIAs)"] = \
        engine.electronic_dies * eic.fit
    if engine.photonic_dies:
        out.items[f"{engine.photonic_dies} x photonic die ({engine.lanes} lanes' modulators and photodiodes)"] = \
            engine.photonic_dies * pic.fit
    fau = next((p for p in catalog.of_kind(FiberPart) if p.role == "fiber-array-unit"), None)
    if fau is not None:
        out.items[f"{engine.fiber_array_units} x {fau.id}"] = engine.fiber_array_units * part_fit(catalog, fau)
    return out


@dataclass(frozen=True)
class FieldCalibration:
    """An engine's bottom-up FIT set beside the field hours of an observation, and combined with them.

    The prior is a Gamma distribution with mean ``prior_fit`` and shape :data:`PRIOR_SHAPE` (an
    exponential: its 90 % interval spans 0.05x to 3x the mean, as wide as the per-chip ranges it
    comes from); ``failures`` in ``engine_hours`` update it (Poisson), giving a Gamma posterior.
    The field data alone bound the rate at ``fit_upper_95`` (chi-square; -ln(0.05)/T = 3.0/T with
    no failure): with zero failures they say how high the rate cannot be, not what it is.
    """

    observation: str
    device: str
    device_hours: float
    engine_hours: float
    failures: int
    prior_fit: float
    posterior_fit: float
    posterior_interval_90: tuple[float, float]
    fit_upper_95: float

    @property
    def kind(self) -> str:
        return "upper bound" if self.failures == 0 else "estimate"

    def as_dict(self) -> dict:
        r = lambda x: float(f"{x:.4g}")  # noqa: E731
        return {"observation": self.observation, "device": self.device, "device_hours": self.device_hours,
                "engine_hours": r(self.engine_hours), "failures": self.failures, "kind": self.kind,
                "fit_upper_95": r(self.fit_upper_95), "prior_fit": r(self.prior_fit),
                "posterior_fit": r(self.posterior_fit),
                "posterior_interval_90": [r(x) for x in self.posterior_interval_90],
                "note": (f"{self.failures} failures in {self.engine_hours:,.0f} engine-hours: the field data alone put "
                         f"the engine's FIT below {self.fit_upper_95:,.0f} (95 %)"
                         + ("; zero failures bound the rate, they do not measure it" if self.failures == 0 else ""))}


PRIOR_SHAPE = 1.0


def field_calibration(catalog: Catalog, engine: OpticalEngine) -> FieldCalibration | None:
    """The engine's bottom-up FIT combined with its field observation (None if the catalog has none)."""
    from scipy.stats import chi2, gamma

    obs = most_specific(index_by_target(catalog.of_kind(FieldObservation)), engine)
    if obs is None:
        return None
    prior = engine_die_fit(catalog, engine).fit
    t = obs.device_hours * obs.port_rate_gbps / engine.capacity_gbps     # engine-hours
    rate0 = prior * FIT_PER_HOUR
    shape, rate = PRIOR_SHAPE + obs.failures, PRIOR_SHAPE / rate0 + t
    lo, hi = gamma.ppf([0.05, 0.95], shape, scale=1.0 / rate)
    upper = chi2.ppf(0.95, 2 * (obs.failures + 1)) / (2.0 * t)
    return FieldCalibration(obs.id, obs.device, obs.device_hours, t, obs.failures, prior,
                            shape / rate / FIT_PER_HOUR, (lo / FIT_PER_HOUR, hi / FIT_PER_HOUR), upper / FIT_PER_HOUR)


def engine_fit(catalog: Catalog, engine: OpticalEngine) -> FitBreakdown:
    """FIT of an optical engine without its lasers: the dies and fiber attach bottom-up
    (:func:`engine_die_fit`), scaled to the field-calibrated rate where the catalog has field hours
    of this engine (:func:`field_calibration`). Kept per catalog by engine id (a fresh copy each call)."""
    memo = catalog.memo("reliability.engine_fit")
    b = memo.get(engine.id)
    if b is None:
        b = memo[engine.id] = _engine_fit(catalog, engine)
    return FitBreakdown(b.part, dict(b.items))


def _engine_fit(catalog: Catalog, engine: OpticalEngine) -> FitBreakdown:
    b = engine_die_fit(catalog, engine)
    cal = field_calibration(catalog, engine)
    if cal is None or b.fit == 0:
        return b
    k = cal.posterior_fit / b.fit
    return FitBreakdown(engine.id, {f"{name} (x{k:.2f}, calibrated to {cal.observation})": v * k
                                    for name, v in b.items.items()})


def laser_source_fit(catalog: Catalog, els: ExternalLaserSource, engine: OpticalEngine,
                     case_temperature_c: float | None = None,
                     design_margin_db: float = chains.DESIGN_MARGIN_DB) -> tuple[FitBreakdown, LaserFit]:
    """FIT of an external laser source: its electronics (the whole unit) and, apart, one laser."""
    lf = laser_fit(catalog, engine.technology, engine.lane_rate_gbps, case_temperature_c, engine=engine,
                   design_margin_db=design_margin_db)
    out = FitBreakdown(els.id, {f"{els.id} electronics": part_fit(catalog, els),
                                f"{els.lasers} x {lf.laser} at {lf.junction_temperature_c:.0f} C": els.lasers * lf.fit})
    return out, lf

