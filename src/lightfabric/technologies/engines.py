"""Optical engines fed by external lasers: co-packaged (``cpo``) on the switch package, near-packaged
(``npo``) on the switch board, and optical I/O chiplets (``oio``) in the GPU or switch package.

A NIC end stays pluggable (a DSP module); so does a GPU end for CPO and NPO (the GPU package has
no engine). Only optical I/O puts optics inside the GPU package; it serves the scale-up links.
"""

from __future__ import annotations

from math import ceil

from lightfabric.catalog import Catalog, ExternalLaserSource, OpticalEngine, PortConfig, SwitchAsic
from lightfabric.physics import density
from lightfabric.physics.chains import LinkOptionError, default_engine
from lightfabric.physics.laser_source import laser_source_power
from lightfabric.technologies.base import (
    GroupEnds, GroupSpec, Infeasible, PortOptics, Technology, check_interop, fiber_for, module_optics, need_at,
    select_module, trunks,
)

def engine_choice(catalog: Catalog, technology: str, host_id: str, port: PortConfig,
                  spec: GroupSpec) -> tuple[OpticalEngine, str | None]:
    """The cheapest engine of ``technology`` for ``host_id`` whose laser source can light its lanes at
    ``spec``'s design margin and laser case temperature, and a note naming any cheaper engine passed
    over and why. When no engine's lasers suffice, the cheapest is taken (its link check then fails
    with the laser's reason)."""
    candidates = engines_for(catalog, technology, host_id, port)
    skipped: list[str] = []
    for e in candidates:
        source = laser_source_power(catalog, e, design_margin_db=spec.design_margin_db,
                                    case_temperature_c=spec.laser_case_temperature_c)
        if source.feasible:
            note = None if not skipped else (f"{spec.name} links: {e.id} taken; cheaper "
                                             f"{', '.join(skipped)}")
            return e, note
        skipped.append(f"{e.id} passed over ({source.reason})")
    return candidates[0], None


def engines_for(catalog: Catalog, technology: str, host_id: str, port: PortConfig) -> list[OpticalEngine]:
    """The engines of ``technology`` packaged with ``host_id`` whose lanes match the port's, cheapest
    per Gb/s first; :class:`Infeasible` naming what there is when there are none."""
    engines = [e for e in catalog.of_kind(OpticalEngine)
               if e.technology == technology and (host_id in e.hosts or "*" in e.hosts)]
    if not engines:
        known = ", ".join(f"{e.id} (for {', '.join(e.hosts)})" for e in catalog.of_kind(OpticalEngine)
                          if e.technology == technology)
        raise Infeasible(f"no {technology} optical engine in the catalog for {host_id}; known: {known or 'none'}")
    matching = [e for e in engines if e.lane_rate_gbps == port.lane_rate_gbps]
    if not matching:
        raise Infeasible(f"the {technology} engines for {host_id} ({', '.join(e.id for e in engines)}) run "
                         f"{engines[0].lane_rate_gbps:g}G lanes; its {port.rate_gbps:g}G ports use "
                         f"{port.lane_rate_gbps:g}G lanes")
    return sorted(matching, key=lambda e: (e.price_usd / e.capacity_gbps, e.id))


def engine_end(catalog: Catalog, engine: OpticalEngine, port: PortConfig, spec: GroupSpec, breakout: int = 1) -> PortOptics:
    """One port's share of ``engine`` and of its external lasers."""
    els = catalog.get(engine.laser_source, kind="laser-source")
    assert isinstance(els, ExternalLaserSource)
    lanes = port.rate_gbps / engine.lane_rate_gbps
    share = port.rate_gbps / engine.capacity_gbps
    lasers = lanes / engine.lanes_per_laser
    source = laser_source_power(catalog, engine, design_margin_db=spec.design_margin_db,
                                case_temperature_c=spec.laser_case_temperature_c)
    laser_w = lasers * source.power_w / els.lasers
    if breakout > lanes:
        raise Infeasible(f"a {port.rate_gbps:g}G {engine.technology} port has {lanes:g} lanes and cannot break out "
                         f"to {breakout} ports")
    if spec.length_m > engine.reach_m:
        raise Infeasible(f"{spec.name} links reach {spec.length_m:g} m; {engine.id} reaches {engine.reach_m:g} m")
    per_fiber = 4 if engine.interface == "FR" else 1
    return PortOptics(kind=engine.technology, part_id=engine.id, rate_gbps=port.rate_gbps,
                      interface=engine.interface, optical_lane_rate_gbps=engine.lane_rate_gbps,
                      reach_m=engine.reach_m, power_w=share * engine.power_w + laser_w, laser_power_w=laser_w,
                      lasers=lasers, cost_usd=share * engine.price_usd + lasers * els.price_usd / els.lasers,
                      breakout=int(lanes), parts_per_end=share, fibers=2 * max(1, ceil(lanes / per_fiber)))


class EngineTechnology(Technology):
    """Engines fed by external lasers. ``repair_units`` maps a device kind to what is swapped when an
    engine fails there; ``density_limit``: ``fiber-panel`` (optics off the faceplate) or
    ``shoreline`` (chiplets on the package edge); ``in_gpu_package``: the engine sits in the GPU (or
    scale-up switch) package, so it builds the GPU's own end and only scale-up links."""

    engine_based = True
    scale_up_port = True       # on the scale-up switch package or beside it, or in the GPU package

    def __init__(self, tech_id: str, label: str, colour: str, order: int, *, repair_units: dict[str, str],
                 density_limit: str, co_packaged: bool = False, in_gpu_package: bool = False, noun: str = ""):
        self.id, self.label, self.colour, self.order = tech_id, label, colour, order
        self.repair_units, self.density_limit = repair_units, density_limit
        self.co_packaged, self.in_gpu_package = co_packaged, in_gpu_package
        self.noun = noun or f"{label} engines"

    def repair_unit(self, tier_kind: str) -> str:
        return self.repair_units.get(tier_kind, self.repair_units["*"])

    def chain_for(self, catalog: Catalog, lane_rate_gbps: float, part: str | None = None):
        """The ELS-fed engine chain, with the named engine or the cheapest of this technology at the lane rate."""
        if part is None:
            engine = default_engine(catalog, lane_rate_gbps, self.id)
            return "cpo", engine, (f"engine {engine.id}: the cheapest {self.id} engine per Gb/s at {lane_rate_gbps:g}G "
                                   f"lanes (--engine to choose another)")
        engine = catalog.get(part, kind="optical-engine", field="--engine")
        if engine.technology != self.id:
            raise LinkOptionError(f"--engine {part}: an engine of {engine.technology}, not {self.id}; allowed: "
                                  + ", ".join(e.id for e in catalog.of_kind(OpticalEngine) if e.technology == self.id))
        return "cpo", engine, None

    def density(self, catalog: Catalog) -> dict:
        if self.density_limit == "shoreline":
            return density.package_shoreline()
        engines = [e for e in catalog.of_kind(OpticalEngine) if e.technology == self.id]
        best = (0.0, "")
        for s in catalog.of_kind(SwitchAsic):
            if s.protocol not in ("nvlink", "ualink") and any((s.id in e.hosts or "*" in e.hosts)
                                              and e.lane_rate_gbps == s.serdes_lane_rate_gbps for e in engines):
                best = max(best, (s.capacity_gbps / 1000.0, s.id))
        return density.fiber_panel(*best)

    def _device_end(self, catalog: Catalog, spec: GroupSpec, side: str, far: PortOptics | None,
                    notes: list[str]) -> PortOptics:
        ep = spec.lower if side == "lower" else spec.upper
        if ep.kind == "switch" or (ep.kind == "gpu" and self.in_gpu_package):
            engine, note = engine_choice(catalog, self.id, ep.device.id, ep.port, spec)
            if note and note not in notes:
                notes.append(note)
            return engine_end(catalog, engine, ep.port, spec, spec.breakout if side == "upper" else 1)
        # NIC, or a GPU without optics in its package: a DSP module in its cage
        need = need_at(spec, side)
        module = select_module(catalog, "pluggable-dsp", need, exact_lane_rate=False, far=far,
                               end=ep.kind.upper())
        return module_optics(module, need)

    def scale_up_reason(self, spec: GroupSpec) -> str | None:
        if spec.lower.kind == "gpu" and not self.in_gpu_package:
            return (f"the {spec.lower.device.id} package has no {self.id} engine: its end of the {spec.name} links "
                    f"would stay what it is without one")
        return super().scale_up_reason(spec)

    def ends(self, catalog: Catalog, spec: GroupSpec) -> GroupEnds:
        if self.in_gpu_package and not spec.scale_up:
            raise Infeasible(f"{self.noun} sit in the GPU or scale-up switch package; "
                             f"{spec.name} links start at a NIC or switch cage")
        notes: list[str] = []
        upper = None if spec.upper_is_ocs else self._device_end(catalog, spec, "upper", None, notes)
        lower = self._device_end(catalog, spec, "lower", upper, notes)
        check_interop(spec, lower, upper)
        medium = fiber_for(catalog, upper or lower)
        return GroupEnds(lower, upper, medium, trunks(spec, lower, medium), notes=tuple(notes))


REGISTERED = (
    EngineTechnology("npo", "Near-packaged (NPO)", "#F0E442", 40, density_limit="fiber-panel",
                     repair_units={"*": "fru-npo-engine"}),
    EngineTechnology("cpo", "Co-packaged (CPO)", "#D55E00", 50, density_limit="fiber-panel", co_packaged=True,
                     repair_units={"*": "fru-cpo-switch"}),
    EngineTechnology("oio", "Optical I/O chiplet (OIO)", "#CC79A7", 60, density_limit="shoreline", in_gpu_package=True,
                     repair_units={"gpu": "fru-compute-tray", "*": "fru-switch-tray"}, noun="optical I/O chiplets"),
)
