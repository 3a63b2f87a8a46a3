"""Packaging yield and the cost of a good package: dies, known-good-die test, bonding, assembly,
rework and final test, for an optical engine and for engines co-packaged with their host.

The model is the chip-last flow of multi-chip cost models [1]_: every die is tested before
assembly (a test that catches a share ``c`` of bad dies), the dies that pass are assembled, and the
package is tested at the end; a package that fails and cannot be reworked is scrapped with every
die on it. Die yields follow the negative-binomial model [2]_; dies per wafer the usual
gross-die formula [3]_.

References
----------
.. [1] Y. Feng and K. Ma, "Chiplet Actuary: A Quantitative Cost Model and Multi-Chiplet
   Architecture Exploration", Proc. 59th DAC (2022), arXiv:2203.12268.
.. [2] C. H. Stapper, "Fact and fiction in yield modeling", Microelectronics Journal 20(1-2),
   129-151 (1989): Y = (1 + A D0 / alpha)^-alpha, alpha the defect clustering parameter.
.. [3] D. K. de Vries, "Investigation of gross die per wafer formulas", IEEE Trans. Semiconductor
   Manufacturing 18(1), 136-139 (2005): N = pi d^2 / (4 A) - pi d / sqrt(2 A).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import pi, sqrt

from lightfabric.catalog import CoPackageFlow, EngineFlow

WAFER_DIAMETER_MM = 300.0
DEFECT_CLUSTERING_ALPHA = 3.0   # Stapper's clustering parameter; alpha -> inf gives Poisson


def gross_dies_per_wafer(die_area_mm2: float, wafer_diameter_mm: float = WAFER_DIAMETER_MM) -> float:
    """Whole dies of ``die_area_mm2`` on a wafer: pi d^2/(4A) - pi d/sqrt(2A) [3]_."""
    if die_area_mm2 <= 0:
        raise ValueError("die_area_mm2 must be > 0")
    d = wafer_diameter_mm
    return max(0.0, pi * d * d / (4 * die_area_mm2) - pi * d / sqrt(2 * die_area_mm2))


def die_yield(die_area_mm2: float, defect_density_per_cm2: float, alpha: float = DEFECT_CLUSTERING_ALPHA) -> float:
    """Negative-binomial die yield (1 + A D0/alpha)^-alpha, area in mm^2, D0 per cm^2 [2]_."""
    a_cm2 = die_area_mm2 / 100.0
    return (1.0 + a_cm2 * defect_density_per_cm2 / alpha) ** (-alpha)


def escape_adjusted_yield(true_yield: float, test_coverage: float) -> float:
    """Probability that a unit which passed a test is good, when the test catches a share
    ``test_coverage`` of the bad ones: Y / (Y + (1 - Y)(1 - c))."""
    passed = true_yield + (1.0 - true_yield) * (1.0 - test_coverage)
    return true_yield / passed if passed > 0 else 0.0


@dataclass(frozen=True)
class KnownGoodDie:
    """One die after its known-good-die test: cost per die that passed, and the chance it is good."""

    raw_usd: float          # wafer cost per die candidate
    die_yield: float        # true yield
    test_usd: float
    cost_usd: float         # cost per die that passed the test
    good_probability: float  # of a die that passed


def known_good_die(wafer_usd: float, die_area_mm2: float, defect_density_per_cm2: float,
                   test_coverage: float, test_usd: float = 0.0) -> KnownGoodDie:
    """Cost of a die that passed its test: (wafer / dies + test) / P(pass)."""
    n = gross_dies_per_wafer(die_area_mm2)
    if n < 1:
        raise ValueError(f"a {die_area_mm2:g} mm2 die does not fit on a {WAFER_DIAMETER_MM:g} mm wafer")
    y = die_yield(die_area_mm2, defect_density_per_cm2)
    raw = wafer_usd / n
    p_pass = y + (1.0 - y) * (1.0 - test_coverage)
    return KnownGoodDie(raw, y, test_usd, (raw + test_usd) / p_pass, escape_adjusted_yield(y, test_coverage))


@dataclass(frozen=True)
class EngineCost:
    """One optical engine: what goes in, its yield, and the cost of a good one (USD)."""

    eic: KnownGoodDie
    pic: KnownGoodDie
    fau_usd: float
    inputs_usd: float       # dies, bond, FAU, attach and test per started engine
    yield_: float           # started engines that pass the engine test
    good_cost_usd: float    # inputs / yield

    def as_dict(self) -> dict:
        return {"eic_kgd_usd": self.eic.cost_usd, "pic_kgd_usd": self.pic.cost_usd,
                "eic_die_yield": self.eic.die_yield, "pic_die_yield": self.pic.die_yield,
                "fau_usd": self.fau_usd, "inputs_usd": self.inputs_usd, "yield": self.yield_,
                "good_cost_usd": self.good_cost_usd}


def engine_cost(flow: EngineFlow, fau_usd: float, fiber_array_units: int = 1) -> EngineCost:
    """Cost of a good optical engine: EIC and PIC known-good dies, bonded, fiber arrays attached,
    tested; an engine failing its test is scrapped (nothing on it can be reworked).

    ``yield = q_EIC q_PIC y_bond y_attach^n_FAU`` where q is the chance a tested die is good, and
    ``good_cost = inputs / yield``.
    """
    eic = known_good_die(flow.eic_wafer_usd, flow.eic_die_area_mm2, flow.eic_defect_density_per_cm2,
                         flow.die_test_coverage)
    pic = known_good_die(flow.pic_wafer_usd, flow.pic_die_area_mm2, flow.pic_defect_density_per_cm2,
                         flow.die_test_coverage)
    n = fiber_array_units
    inputs = eic.cost_usd + pic.cost_usd + flow.bond_usd + n * (fau_usd + flow.fiber_attach_usd) + flow.engine_test_usd
    y = eic.good_probability * pic.good_probability * flow.bond_yield * flow.fiber_attach_yield ** n
    return EngineCost(eic, pic, fau_usd, inputs, y, inputs / y)


@dataclass(frozen=True)
class PackageCost:
    """Engines co-packaged with a host (CPO) or mounted beside it (NPO): per package."""

    engines: int
    host: KnownGoodDie | None
    engine_good_probability: float   # of an engine that passed its test
    slot_yield: float                # one engine slot right first time
    slot_yield_reworked: float       # after at most one rework
    package_yield: float
    rework_usd: float                # expected rework spend per started package
    inputs_usd: float                # everything per started package, rework included
    good_cost_usd: float

    def as_dict(self) -> dict:
        return {"engines": self.engines, "host_kgd_usd": None if self.host is None else self.host.cost_usd,
                "host_die_yield": None if self.host is None else self.host.die_yield,
                "engine_good_probability": self.engine_good_probability, "slot_yield": self.slot_yield,
                "slot_yield_reworked": self.slot_yield_reworked, "package_yield": self.package_yield,
                "expected_rework_usd": self.rework_usd, "inputs_usd": self.inputs_usd,
                "good_cost_usd": self.good_cost_usd}


def package_cost(flow: CoPackageFlow, engine: EngineCost, engines: int) -> PackageCost:
    """Cost of a good package of ``engines`` optical engines with their host.

    Each engine slot is right first time with ``s = q_e y_attach`` (q_e: a tested engine is good).
    A failed slot is recovered, with probability ``rho`` (the rework fraction), by removing the
    engine and attaching a new one, which succeeds with ``s`` again: ``s' = s + (1 - s) rho s``;
    that costs ``(1 - s) rho (rework + engine)`` per slot. Everything else fails the package:
    ``Y = y_substrate q_host y_host_attach s'^N``, and ``good cost = inputs / Y``.
    """
    if engines < 1:
        raise ValueError("a package holds at least one engine")
    host = None
    if flow.host_die_area_mm2 > 0:
        host = known_good_die(flow.host_wafer_usd, flow.host_die_area_mm2, flow.host_defect_density_per_cm2,
                              flow.die_test_coverage, flow.host_test_usd)
    q_e = escape_adjusted_yield(engine.yield_, flow.engine_test_coverage)
    s = q_e * flow.engine_attach_yield
    rho = flow.engine_rework_fraction
    s_reworked = s + (1.0 - s) * rho * s
    rework = engines * (1.0 - s) * rho * (flow.rework_usd + engine.good_cost_usd)
    host_usd = host.cost_usd if host else 0.0
    q_host = host.good_probability if host else 1.0
    inputs = (host_usd + flow.substrate_usd + engines * engine.good_cost_usd + flow.assembly_usd
              + flow.final_test_usd + rework)
    y = flow.substrate_yield * q_host * flow.host_attach_yield * s_reworked ** engines
    return PackageCost(engines, host, q_e, s, s_reworked, y, rework, inputs, inputs / y)


def matured(flow, factor: float):
    """``flow`` with every defect level scaled by ``factor``: each yield y becomes 1 - (1 - y) f
    and each defect density D0 becomes f D0 (f = 1: as given; f = 0: perfect yields)."""
    if factor < 0:
        raise ValueError("maturity factor must be >= 0")
    changes = {}
    for name in type(flow).model_fields:
        v = getattr(flow, name)
        if name.endswith("_yield"):
            changes[name] = min(1.0, max(1e-3, 1.0 - (1.0 - v) * factor))
        elif name.endswith("_defect_density_per_cm2"):
            changes[name] = v * factor
    return flow.model_copy(update=changes)


def with_fields(flow, **changes):
    """A copy of ``flow`` with fields replaced (for sweeps and break-even searches)."""
    return flow.model_copy(update=changes)


__all__ = ["EngineCost", "KnownGoodDie", "PackageCost", "die_yield", "engine_cost", "escape_adjusted_yield",
           "gross_dies_per_wafer", "known_good_die", "matured", "package_cost", "with_fields"]
