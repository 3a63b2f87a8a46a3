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
    Catalog, ExternalLaserSource, FailureRate, FiberPart, OpticalEngine, Part, PluggableModule,
)
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


def failure_rate(catalog: Catalog, part: Part) -> FailureRate:
    """The most specific failure-rate entry for ``part``: its id, then ``kind:selector``, then ``kind``
    (:mod:`lightfabric.catalog.matching`)."""
    entry = most_specific(_rates_by_target(catalog), part)
    if entry is None:
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
                      case_temperature_c: float | None, engine_id: str | None) -> LaserFit:
    engine = catalog.get(engine_id, kind="optical-engine") if engine_id else None
    rep = chains.laser_report(catalog, technology, lane_rate_gbps=lane_rate_gbps, port_rate_gbps=lane_rate_gbps * 8,
                              temperature_c=case_temperature_c, engine=engine)
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
              case_temperature_c: float | None = None, engine: OpticalEngine | None = None) -> LaserFit:
    """The laser of ``technology`` (its chain; for an engine, the lanes its lasers feed and its laser
    source), at the junction temperature the physics model gives."""
    return _laser_fit_cached(catalog, _chain_kind(technology), float(lane_rate_gbps), case_temperature_c,
                             engine.id if engine is not None else None)


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


def module_fit(catalog: Catalog, module: PluggableModule, case_temperature_c: float | None = None) -> FitBreakdown:
    """Bottom-up FIT of a pluggable module: its lasers at their junction temperature plus its lanes."""
    out = FitBreakdown(module.id)
    if module.lasers:
        lf = laser_fit(catalog, module.technology, module.optical_lane_rate_gbps, case_temperature_c)
        out.items[f"{module.lasers} x {lf.laser} at {lf.junction_temperature_c:.0f} C"] = module.lasers * lf.fit
    for part_id, fit in lane_fit(catalog, module.technology, module.optical_lane_rate_gbps):
        out.items[f"{module.optical_lanes} x {part_id}"] = module.optical_lanes * fit
    return out


def engine_lane_fit(catalog: Catalog, engine: OpticalEngine) -> FitBreakdown:
    """FIT of an optical engine's lanes (electronics and photonics), without lasers or fiber attach."""
    out = FitBreakdown(engine.id)
    for part_id, fit in lane_fit(catalog, engine.technology, engine.lane_rate_gbps):
        out.items[f"{engine.lanes} x {part_id}"] = engine.lanes * fit
    return out


def engine_attach_fit(catalog: Catalog, engine: OpticalEngine) -> FitBreakdown:
    """FIT of an engine's fiber attach (its fiber array units): a failure darkens every port."""
    out = FitBreakdown(engine.id)
    fau = next((p for p in catalog.of_kind(FiberPart) if p.role == "fiber-array-unit"), None)
    if fau is not None:
        out.items[f"{engine.fiber_array_units} x {fau.id}"] = engine.fiber_array_units * part_fit(catalog, fau)
    return out


def engine_fit(catalog: Catalog, engine: OpticalEngine) -> FitBreakdown:
    """Bottom-up FIT of an optical engine without its lasers (they are in the laser source)."""
    return FitBreakdown(engine.id, {**engine_lane_fit(catalog, engine).items, **engine_attach_fit(catalog, engine).items})


def laser_source_fit(catalog: Catalog, els: ExternalLaserSource, engine: OpticalEngine,
                     case_temperature_c: float | None = None) -> tuple[FitBreakdown, LaserFit]:
    """FIT of an external laser source: its electronics (the whole unit) and, apart, one laser."""
    lf = laser_fit(catalog, engine.technology, engine.lane_rate_gbps, case_temperature_c, engine=engine)
    out = FitBreakdown(els.id, {f"{els.id} electronics": part_fit(catalog, els),
                                f"{els.lasers} x {lf.laser} at {lf.junction_temperature_c:.0f} C": els.lasers * lf.fit})
    return out, lf

