"""The packaging yield of a design's optical engines, and what it adds to their price.

Catalog prices are taken to carry the yields of their date: the flows in the catalog as shipped
(the *reference*). A scenario that changes a flow (``overrides: {flow-cpo-switch.engine_attach_yield:
0.95}``) changes the cost of a good package by ``delta``, and the vendor, keeping its gross margin
``gm``, changes its price by ``delta / (1 - gm)``. At the reference the premium is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from lightfabric.catalog import Catalog, CoPackageFlow, EngineFlow, OpticalEngine
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.catalog.defaults import FAU_PART
from lightfabric.design import Design
from lightfabric.economics.packaging import PackageCost, engine_cost, matured, package_cost
from lightfabric.technologies import PortOptics
from lightfabric.topology.base import SWITCH

MATURITY_FACTORS = (3.0, 2.0, 1.0, 0.5, 0.25, 0.0)


@dataclass(frozen=True)
class EngineTier:
    """The optical engines of one device tier: which engine, how many devices, engines per device, and
    whether the devices are scale-out switches (whose ports run at the fabric's port rate)."""

    tier: str
    engine: OpticalEngine
    devices: int
    per_device: float
    on_switch: bool = False


def engines_by_tier(design: Design) -> list[EngineTier]:
    """Every device tier of ``design`` that carries optical engines (switches, NICs, GPUs)."""
    cat = design.plan.catalog
    devices = design.devices()
    out = []
    for line in design.bom:
        part = cat.get(line.part_id)
        if line.tier and isinstance(part, OpticalEngine) and devices.get(line.tier):
            out.append(EngineTier(line.tier, part, devices[line.tier], line.count / devices[line.tier],
                                  design.fabric.tier(line.tier).kind == SWITCH))
    return out


def _flows(catalog: Catalog, engine: OpticalEngine) -> tuple[EngineFlow | None, CoPackageFlow | None]:
    ef = most_specific(index_by_target(catalog.of_kind(EngineFlow)), engine)
    cf = most_specific(index_by_target(catalog.of_kind(CoPackageFlow)), engine)
    return ef, cf


def good_cost_usd(engine_flow: EngineFlow, copackage_flow: CoPackageFlow | None, fau_usd: float,
                  engine: OpticalEngine, engines: int) -> tuple[float, PackageCost | None, object]:
    """Cost of the good co-packaged content of one device: a package of ``engines`` engines with
    its host (CPO, NPO), or the engines alone where no co-package flow applies (OIO)."""
    e = engine_cost(engine_flow, fau_usd, engine.fiber_array_units)
    if copackage_flow is None:
        return engines * e.good_cost_usd, None, e
    p = package_cost(copackage_flow, e, engines)
    return p.good_cost_usd, p, e


def _packages_per_device(design: Design, tier: str) -> int:
    """Switch packages per device of ``tier``: a multi-ASIC switch system (the Quantum-X800 box holds
    four) co-packages its engines around each ASIC, so each package carries its share."""
    part = design.device_part(tier)
    return getattr(part, "asics_per_system", 1) if part is not None else 1


PORT_OPTICS_LIST_LABEL = "port optics at list price, with lasers (USD)"
PORT_OPTICS_PREMIUM_LABEL = "port optics with lasers and packaging-yield premium (USD)"
PORT_OPTICS_DEFINITION = (
    "port optics at list price, with lasers = one switch port's optics at catalog prices: its pluggable module "
    "(its share of a module serving several ports), or its share of the optical engine (port rate / engine "
    "capacity x engine price) plus its lasers x the laser source's price per laser; the same figure as compare's "
    "'One switch port' row. Not in it: the engines' fiber array units and the laser sources' PM jumpers (capex "
    "category fiber) and the packaging-yield premium (category packaging yield)")


def port_optics_list_usd(optics: list[PortOptics]) -> float | None:
    """The one definition of optics cost per port: ``PortOptics.cost_usd`` of the fastest port that
    ``optics`` (one tier's ends of one part) serve, i.e. the port's share of the engine plus its lasers'
    share of their laser source at list price (:data:`PORT_OPTICS_DEFINITION`); None if there is none."""
    return max(optics, key=lambda o: o.rate_gbps).cost_usd if optics else None


def _with_premium(list_usd: float | None, premium_usd_per_device: float, ports_per_device: float) -> float | None:
    """Port optics at list price plus the device's packaging-yield premium spread over its ports."""
    return None if list_usd is None else list_usd + premium_usd_per_device / ports_per_device


def _tier_flows(design: Design, et: EngineTier, reference: Catalog, cat: Catalog) -> tuple | None:
    """The engines per device, packages per device and engines per package of a tier, its flows and
    fiber-array price in ``cat`` and in the reference (None if ``cat`` has no engine flow for it)."""
    engine = et.engine
    per_dev = ceil(et.per_device - 1e-9)
    packages = _packages_per_device(design, et.tier)
    per_pkg = ceil(per_dev / packages - 1e-9)
    ef, cf = _flows(cat, engine)
    if ef is None:
        return None
    ref_engine = reference.get(engine.id) if engine.id in reference else engine
    ref_ef, ref_cf = _flows(reference, ref_engine)
    ref_ef, ref_cf = ref_ef or ef, ref_cf if ref_cf is not None else cf
    fau = cat.get(FAU_PART).price_usd if FAU_PART in cat else 0.0
    ref_fau = reference.get(FAU_PART).price_usd if FAU_PART in reference else fau
    return per_dev, packages, per_pkg, ef, cf, fau, ref_ef, ref_cf, ref_fau


def _unchanged(t: tuple) -> bool:
    """True if the tier's flows and fiber-array price are the reference's: its premium is zero."""
    _, _, _, ef, cf, fau, ref_ef, ref_cf, ref_fau = t
    return (ef is ref_ef or ef == ref_ef) and (cf is ref_cf or cf == ref_cf) and fau == ref_fau


def premium_usd(design: Design, reference: Catalog, catalog: Catalog | None = None) -> float:
    """``packaging(design, reference, catalog)["premium_usd"]`` without the per-tier record and the
    maturity curve: the same sum, in the same order; a tier whose flows are the reference's adds
    exactly 0 (its good cost and the reference's are one computation), so it is not computed."""
    cat = catalog or design.plan.catalog
    if cat is reference:      # every tier's flows are the reference's (a scenario without overrides)
        return 0.0
    premium = 0.0
    for et in engines_by_tier(design):
        t = _tier_flows(design, et, reference, cat)
        if t is None or _unchanged(t):
            continue
        per_dev, packages, per_pkg, ef, cf, fau, ref_ef, ref_cf, ref_fau = t
        cost = packages * good_cost_usd(ef, cf, fau, et.engine, per_pkg)[0]
        ref_cost = packages * good_cost_usd(ref_ef, ref_cf, ref_fau, et.engine, per_pkg)[0]
        premium += et.devices * ((cost - ref_cost) / (1.0 - (cf or ef).vendor_gross_margin))
    return premium


def packaging(design: Design, reference: Catalog, catalog: Catalog | None = None) -> dict:
    """Per device tier carrying optical engines: the engine and package yields and costs, the price
    premium over the reference yields, and the port optics at list price (:func:`port_optics_list_usd`)
    and with the premium as yields mature.

    ``catalog`` (default: the design's) holds the flows to evaluate; ``reference`` those the
    catalog prices were taken at.
    """
    cat = catalog or design.plan.catalog
    tiers, premium = [], 0.0
    for et in engines_by_tier(design):
        engine, n_dev, tier = et.engine, et.devices, et.tier
        t = _tier_flows(design, et, reference, cat)
        if t is None:
            tiers.append({"tier": tier, "engine": engine.id, "note": "no engine flow in the catalog"})
            continue
        per_dev, packages, per_pkg, ef, cf, fau, ref_ef, ref_cf, ref_fau = t
        cost, pkg, eng = good_cost_usd(ef, cf, fau, engine, per_pkg)
        # the reference's own flows: the same good cost (the same arithmetic on the same figures)
        ref_cost = cost if _unchanged(t) else good_cost_usd(ref_ef, ref_cf, ref_fau, engine, per_pkg)[0]
        cost, ref_cost = packages * cost, packages * ref_cost
        gm = (cf or ef).vendor_gross_margin
        price_delta = (cost - ref_cost) / (1.0 - gm)
        premium += n_dev * price_delta
        # a port is one of the device's ports the engine serves (a scale-up switch's 400G, a GPU's own link)
        at = design.port_optics_at(tier, engine.id)
        port_gbps = max(o.rate_gbps for o in at) if at else engine.capacity_gbps
        ports = per_dev * engine.capacity_gbps / port_gbps
        list_usd = port_optics_list_usd(at)
        curve = []
        for f in MATURITY_FACTORS:
            c, p, e = good_cost_usd(matured(ef, f), matured(cf, f) if cf else None, fau, engine, per_pkg)
            d = (packages * c - ref_cost) / (1.0 - gm)
            curve.append({"maturity_factor": f, "engine_yield": e.yield_,
                          "package_yield": p.package_yield if p else None, "good_cost_usd": packages * c,
                          "premium_usd_per_device": d,
                          "port_optics_with_yield_premium_usd": _with_premium(list_usd, d, ports)})
        tiers.append({
            "tier": tier, "technology": engine.technology, "engine": engine.id, "engine_flow": ef.id,
            "co_package_flow": cf.id if cf else None, "devices": n_dev, "engines_per_device": per_dev,
            "packages_per_device": packages, "engines_per_package": per_pkg,
            "ports_per_device": ports, "engine_cost": eng.as_dict(),
            "package": pkg.as_dict() if pkg else None, "good_cost_usd": cost, "reference_good_cost_usd": ref_cost,
            "vendor_gross_margin": gm, "price_delta_usd_per_device": price_delta,
            "premium_usd": n_dev * price_delta, "port_optics_list_usd": list_usd,
            "port_optics_with_yield_premium_usd": _with_premium(list_usd, price_delta, ports), "maturity": curve,
        })
    return {"premium_usd": premium, "tiers": tiers}
