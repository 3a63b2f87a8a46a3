"""Technologies described as chains of catalog components, and what those chains compute.

A *chain* is one optical lane of a technology: its laser (and how many lanes share it), the
elements from the laser to the transmitter's fiber interface, the channel (connectors, fiber,
optical circuit switch passes) and the receiver it must satisfy; plus the circuits that touch
every bit. Structure, by technology:

* ``pluggable-dsp`` / ``lpo`` / ``lro``: one EML per lane (DFB + electro-absorption modulator),
  lens-coupled into the fiber. The DSP variant adds a host-side VSR SerDes and a line-side DSP;
  LPO drops both (the host's SerDes drive the optics); LRO keeps the transmit DSP only.
* ``cpo``: an external laser source (ELS) on the front panel, through its blind-mate connector and
  a polarization-maintaining fiber (PMF) into the engine by an edge coupler, split 1:N over the
  lanes it feeds, through a silicon modulator (Mach-Zehnder at 100G, micro-ring at 200G) and out
  through a second edge coupler. This is why CPO needs several times the laser power of a
  pluggable per lane (MetaEra/Dolphin Research: "at least 3 to 4 times").

All technologies serve the same IEEE DR interface, so each transmitter must reach the same OMA at
its fiber interface (the spec's worst-case transmitter); the laser power needed for that is what
separates them. Lasers are sized with a design margin (``DESIGN_MARGIN_DB``) over that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lightfabric.catalog import (
    Catalog, Circuit, Connector, ElectricalChannel, ExternalLaserSource, FiberCable, Laser, OpticalComponent,
    OpticalEngine, Receiver,
)
from lightfabric.physics import ber as ber_mod
from lightfabric.physics.linear import LINEAR_SIDES, linear_check
from lightfabric.physics import electrical, receiver as rx
from lightfabric.physics.energy import power_w
from lightfabric.physics.laser import LaserParameters, arrhenius_acceleration, operating_point
from lightfabric.physics.link_budget import Element, margin_db, propagate, required_source_power_dbm
from lightfabric.physics.modulation import MODULATION_LEVELS, nyquist_ghz, signalling_rate_gbd
from lightfabric.physics.units import dbm_to_mw, mw_to_dbm

# The chain families: a technology's optics are budgeted with the family of the part it chose (a
# module of one of the pluggable families, or an ELS-fed engine: "cpo", for near-packaged and
# optical I/O engines too; see lightfabric.technologies).
OPTICAL_CHAINS = ("pluggable-dsp", "lpo", "lro", "cpo")

# Laser power is sized this far above the point where the worst-case link just closes: end-of-life
# laser degradation, coupling drift and temperature. Assumption (no public figure in the corpus);
# with it a CPO laser feeding eight 100G lanes lands in the 300-400 mW class of UHP ELS lasers.
DESIGN_MARGIN_DB = 3.0
# Case temperatures (C): a TEC holds pluggable EMLs; an ELS sits at the front panel; an engine
# laser next to the switch ASIC would see the ASIC's lid temperature (see `lightfabric laser`).
DEFAULT_CASE_TEMPERATURE_C = {"eml": 45.0, "cw-dfb": 55.0, "dml": 55.0, "vcsel": 55.0}
DEFAULT_FIBER = "mpo16-sm-trunk"


class LinkOptionError(ValueError):
    """An option the chosen technology does not use, or a value it cannot take."""


@dataclass
class OpticalChain:
    technology: str
    lane_rate_gbps: float
    laser: Laser
    lanes_per_laser: int
    tx_elements: list[Element]
    receiver: Receiver
    connector: Connector
    fiber: FiberCable
    circuits: list[Circuit]
    modulator: OpticalComponent
    ocs: OpticalComponent
    laser_rated_power_mw: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def levels(self) -> int:
        return MODULATION_LEVELS[self.receiver.modulation]

    def channel_elements(self, length_m, ocs_passes: int = 0) -> list[Element]:
        """Connector, fiber of ``length_m`` (may be an array), OCS passes, connector."""
        c = self.connector
        fiber_loss = self.fiber.attenuation_db_per_km * np.asarray(length_m, dtype=float) / 1000.0
        els = [Element(f"connector ({c.id})", c.loss_db, part=c.id),
               Element(f"fiber {self.fiber.id}", fiber_loss, part=self.fiber.id)]
        els += [Element(f"OCS pass {i + 1} ({self.ocs.id})", self.ocs.loss_db, part=self.ocs.id)
                for i in range(ocs_passes)]
        els.append(Element(f"connector ({c.id})", c.loss_db, part=c.id))
        return els


def _opt(catalog: Catalog, part_id: str) -> OpticalComponent:
    part = catalog.get(part_id, kind="optical-component")
    assert isinstance(part, OpticalComponent)
    return part


def _el(part: OpticalComponent, name: str | None = None, ways: int = 1) -> Element:
    if part.role == "modulator":
        return Element(name or part.name, part.loss_db, kind="modulator",
                       extinction_ratio_db=part.extinction_ratio_db, part=part.id)
    if part.role == "splitter":
        return Element(name or f"1:{ways} splitter", part.loss_db, kind="split", ways=ways, part=part.id)
    return Element(name or part.name, part.loss_db, part=part.id)


def _by_rate(catalog: Catalog, kind: type, lane_rate_gbps: float, **match):
    items = [p for p in catalog.of_kind(kind) if getattr(p, "lane_rate_gbps", None) == lane_rate_gbps
             and all(getattr(p, k) == v for k, v in match.items())]
    if not items:
        rates = sorted({p.lane_rate_gbps for p in catalog.of_kind(kind) if all(getattr(p, k) == v for k, v in match.items())})
        raise LinkOptionError(f"--lane-rate-gbps {lane_rate_gbps:g}: no {kind.kind} for {lane_rate_gbps:g}G lanes "
                              f"in the catalog; allowed: {', '.join(f'{r:g}' for r in rates)}")
    return items[0]


def default_engine(catalog: Catalog, lane_rate_gbps: float, technology: str = "cpo") -> OpticalEngine:
    """The engine a chain takes when none is given: the cheapest per Gb/s of ``technology`` at the
    lane rate (then by id), the rule designs choose engines by. Named in the chain's notes."""
    engines = [e for e in catalog.of_kind(OpticalEngine)
               if e.lane_rate_gbps == lane_rate_gbps and e.technology == technology]
    if not engines:
        rates = sorted({e.lane_rate_gbps for e in catalog.of_kind(OpticalEngine) if e.technology == technology})
        raise LinkOptionError(f"--lane-rate-gbps {lane_rate_gbps:g}: no {technology} engine runs {lane_rate_gbps:g}G "
                              f"lanes; allowed: {', '.join(f'{r:g}' for r in rates)}")
    return min(engines, key=lambda e: (e.price_usd / e.capacity_gbps, e.id))


def optical_chain(catalog: Catalog, technology: str, lane_rate_gbps: float, *,
                  lanes_per_laser: int | None = None, engine: OpticalEngine | None = None) -> OpticalChain:
    """The chain of one lane of ``technology`` (a chain family) at ``lane_rate_gbps`` (100 or 200 Gb/s).

    For ``cpo``, ``engine`` gives the lanes each laser feeds and the laser source's rating; without
    one, :func:`default_engine` is taken and the chain's notes name it.
    """
    if technology not in OPTICAL_CHAINS:
        raise LinkOptionError(f"technology {technology!r} has no optical chain; optical chains: "
                              f"{', '.join(OPTICAL_CHAINS)}")
    receiver = _by_rate(catalog, Receiver, lane_rate_gbps)
    connector = catalog.get("mpo16-apc", kind="connector")
    fiber = catalog.get(DEFAULT_FIBER, kind="fiber")
    ocs = _opt(catalog, "ocs-mems-pass")
    tia = _by_rate(catalog, Circuit, lane_rate_gbps, role="tia")
    driver = _by_rate(catalog, Circuit, lane_rate_gbps, role="driver")
    if technology == "cpo":
        chosen = "" if engine is not None else f" (no engine given: the cheapest cpo engine at {lane_rate_gbps:g}G lanes)"
        if engine is None:
            engine = default_engine(catalog, lane_rate_gbps)
        elif engine.lane_rate_gbps != lane_rate_gbps:
            raise LinkOptionError(f"--lane-rate-gbps {lane_rate_gbps:g}: {engine.id} runs "
                                  f"{engine.lane_rate_gbps:g}G lanes; allowed: {engine.lane_rate_gbps:g}")
        els = catalog.get(engine.laser_source, kind="laser-source")
        assert isinstance(els, ExternalLaserSource)
        n = lanes_per_laser or engine.lanes_per_laser
        modulator = _opt(catalog, "sip-mzm" if lane_rate_gbps <= 100 else "sip-mrm")
        coupler, wg = _opt(catalog, "edge-coupler"), _opt(catalog, "sip-waveguide")
        tx = [Element(f"ELS connector ({connector.id})", connector.loss_db, part=connector.id),
              _el(_opt(catalog, "pm-fiber-jumper"), "polarization-maintaining fiber"),
              _el(coupler, "edge coupler into the engine"),
              _el(_opt(catalog, "sip-splitter"), ways=n),
              _el(wg, "waveguide to the modulator"),
              _el(modulator, f"modulator ({modulator.id})"),
              _el(wg, "waveguide to the output"),
              _el(coupler, "edge coupler out of the engine")]
        laser = catalog.get(els.laser, kind="laser")
        circuits = [driver, tia]
        return OpticalChain(technology, lane_rate_gbps, laser, n, tx, receiver, connector, fiber, circuits,
                            modulator, ocs, laser_rated_power_mw=els.optical_power_mw_per_laser,
                            notes=[f"engine {engine.id}{chosen}, fed by {els.id}"])
    else:
        if engine is not None:
            raise LinkOptionError(f"{engine.id} is an optical engine; a {technology} module has its own lasers")
        if lanes_per_laser not in (None, 1):
            raise LinkOptionError(f"--lanes-per-laser applies to cpo; a {technology} module has one EML per lane")
        modulator = _opt(catalog, "eml-eam")
        tx = [_el(modulator, "electro-absorption modulator (EML)"), _el(_opt(catalog, "lens-coupling"), "lens coupling into the fiber")]
        laser = catalog.get("eml-1310", kind="laser")
        overhead = next(c for c in catalog.of_kind(Circuit) if c.role == "overhead")
        circuits = [driver, tia, overhead]
        if technology in ("pluggable-dsp", "lro"):
            vsr = _by_rate(catalog, Circuit, 100.0, role="serdes", reach_class="VSR")
            dsp = _by_rate(catalog, Circuit, lane_rate_gbps, role="dsp")
            circuits = [vsr, dsp] + circuits
    return OpticalChain(technology, lane_rate_gbps, laser, 1, tx, receiver, connector, fiber, circuits, modulator, ocs)


def laser_parameters(laser: Laser) -> LaserParameters:
    return LaserParameters(threshold_current_ma=laser.threshold_current_ma,
                           slope_efficiency_w_per_a=laser.slope_efficiency_w_per_a,
                           reference_temperature_c=laser.reference_temperature_c, t0_k=laser.t0_k, t1_k=laser.t1_k,
                           turn_on_voltage_v=laser.turn_on_voltage_v,
                           series_resistance_ohm=laser.series_resistance_ohm,
                           thermal_resistance_k_per_w=laser.thermal_resistance_k_per_w,
                           max_current_ma=laser.max_current_ma)


def laser_power_for_spec_mw(chain: OpticalChain, design_margin_db: float = DESIGN_MARGIN_DB) -> float:
    """Laser output (mW) that gives the spec's worst-case transmitter OMA, plus the design margin.

    Solved as the source power at which the transmitter chain's output OMA equals the spec
    transmitter OMA: ``required_source_power_dbm`` with that OMA as the "sensitivity".
    """
    p_dbm = required_source_power_dbm(chain.tx_elements, chain.receiver.tx_oma_dbm,
                                      target_margin_db=design_margin_db)
    return float(dbm_to_mw(p_dbm))


@dataclass
class LinkResult:
    technology: str
    lane_rate_gbps: float
    length_m: float
    modulation: str
    steps: list[dict]
    received_oma_dbm: float | None
    sensitivity_dbm: float | None
    penalties_db: float | None
    margin_db: float
    ber: float | None
    post_fec_ber: float | None
    feasible: bool
    reasons: list[str]
    details: dict

    def to_dict(self) -> dict:
        r = lambda x, n=3: None if x is None else round(float(x), n)  # noqa: E731
        return {
            "technology": self.technology, "lane_rate_gbps": self.lane_rate_gbps, "length_m": self.length_m,
            "modulation": self.modulation, "elements": self.steps,
            "received_oma_dbm": r(self.received_oma_dbm), "sensitivity_dbm": r(self.sensitivity_dbm),
            "penalties_db": r(self.penalties_db), "margin_db": r(self.margin_db),
            "ber": None if self.ber is None else float(f"{self.ber:.4g}"),
            "post_fec_ber": None if self.post_fec_ber is None else float(f"{self.post_fec_ber:.4g}"),
            "post_fec_ber_text": ber_mod.ber_text(self.post_fec_ber),
            "feasible": self.feasible, "reasons": list(self.reasons), "details": self.details,
        }


def receiver_ber(receiver: Receiver, effective_oma_dbm, reflections: int = 2):
    """Pre-FEC BER at an effective OMA (received OMA less penalties), from the noise model, and the
    implementation allowance.

    The noise is the receiver's (TIA and shot) plus the transmitter's RIN and the multipath
    interference of ``reflections`` interfaces at the spec's reflectance, which grow with the
    signal and set an error floor (:mod:`lightfabric.physics.receiver`). The spec sensitivity sits
    above what that noise alone needs by an implementation allowance (ISI, jitter, crosstalk),
    taken off the OMA before the noise model, so at zero margin the BER is exactly the spec's
    target BER.
    """
    levels = MODULATION_LEVELS[receiver.modulation]
    baud = signalling_rate_gbd(receiver.lane_rate_gbps, levels)
    mpi = rx.mpi_ratio(receiver.reflectance_db, reflections)
    kw = dict(levels=levels, extinction_ratio_db=receiver.extinction_ratio_db, rin_db_per_hz=receiver.rin_db_per_hz,
              mpi=mpi)
    ideal_w = rx.oma_for_ber_w(receiver.target_ber, receiver.responsivity_a_per_w, receiver.tia_noise_pa_per_rthz,
                               baud, **kw)
    if not np.isfinite(ideal_w):      # the floor alone is above the target: no allowance left
        allowance = 0.0
    else:
        allowance = receiver.sensitivity_oma_dbm - float(mw_to_dbm(ideal_w * 1e3))
    oma_w = dbm_to_mw(np.asarray(effective_oma_dbm, dtype=float) - allowance) * 1e-3
    return rx.ber_at_oma(oma_w, receiver.responsivity_a_per_w, receiver.tia_noise_pa_per_rthz, baud, **kw), float(allowance)


def error_floor(receiver: Receiver, reflections: int = 2) -> float:
    """The BER the link's RIN and multipath interference alone allow, at any received power."""
    levels = MODULATION_LEVELS[receiver.modulation]
    baud = signalling_rate_gbd(receiver.lane_rate_gbps, levels)
    return rx.floor_ber(baud, levels=levels, extinction_ratio_db=receiver.extinction_ratio_db,
                        rin_db_per_hz=receiver.rin_db_per_hz, mpi=rx.mpi_ratio(receiver.reflectance_db, reflections))


def optical_link(catalog: Catalog, technology: str, length_m: float, lane_rate_gbps: float, *,
                 modulation: str = "pam4", laser_power_mw: float | None = None, lanes_per_laser: int | None = None,
                 ocs_passes: int = 0, design_margin_db: float = DESIGN_MARGIN_DB,
                 laser_case_temperature_c: float | None = None, extra_loss_db: float = 0.0,
                 extra_loss_name: str = "fiber shuffles", engine: OpticalEngine | None = None) -> LinkResult:
    """Budget one optical lane of ``technology`` over ``length_m`` of fiber.

    ``laser_case_temperature_c``: the laser's case (default per laser type, see
    ``DEFAULT_CASE_TEMPERATURE_C``); its junction temperature and current rating are checked.
    ``engine``: the engine of a ``cpo``-family link (its lanes per laser and laser source).
    """
    chain = optical_chain(catalog, technology, lane_rate_gbps, lanes_per_laser=lanes_per_laser, engine=engine)
    if modulation != chain.receiver.modulation:
        raise LinkOptionError(f"--modulation {modulation}: the catalog's {lane_rate_gbps:g}G receivers are "
                              f"{chain.receiver.modulation}; allowed: {chain.receiver.modulation}")
    if laser_power_mw is None:
        laser_power_mw = laser_power_for_spec_mw(chain, design_margin_db)
    elements = chain.tx_elements + chain.channel_elements(length_m, ocs_passes)
    if extra_loss_db > 0:
        elements.insert(-1, Element(extra_loss_name, extra_loss_db))
    budget = propagate(mw_to_dbm(laser_power_mw), elements, source_name=f"laser ({chain.laser.id})",
                       source_part=chain.laser.id)
    penalty = chain.receiver.tx_penalty_db
    m = float(margin_db(budget.received_oma_dbm, chain.receiver.sensitivity_oma_dbm, penalty))
    # reflections: the transmitter and receiver facets, and every connector and OCS pass between
    reflections = 2 + sum(1 for e in elements if e.name.startswith(("connector", "OCS"))) + (1 if extra_loss_db > 0 else 0)
    pre, allowance = receiver_ber(chain.receiver, budget.received_oma_dbm - penalty, reflections)
    pre = float(pre)
    floor = error_floor(chain.receiver, reflections)
    fec = ber_mod.fec_for(lane_rate_gbps, length_m)
    reasons = []
    if m < 0:
        reasons.append(f"{technology} at {lane_rate_gbps:g}G over {length_m:g} m: received OMA "
                       f"{float(budget.received_oma_dbm):.2f} dBm less {penalty:g} dB TDECQ is {-m:.2f} dB below "
                       f"the {chain.receiver.sensitivity_oma_dbm:g} dBm sensitivity ({chain.receiver.id})")
    laser = laser_state(chain, laser_power_mw, laser_case_temperature_c)
    if not laser["feasible"]:
        reasons.append(laser["reason"])
    host = linear_check(catalog, technology, lane_rate_gbps) if technology in LINEAR_SIDES else None
    if host is not None and not host["feasible"]:
        reasons.append(host["reason"])
    steps = [{"name": s.name, "part": s.part, "loss_db": round(float(s.loss_db), 3),
              "power_dbm": round(float(s.power_dbm), 3),
              "oma_dbm": None if s.oma_dbm is None else round(float(s.oma_dbm), 3)} for s in budget.steps]
    details = {"laser": chain.laser.id, "laser_power_mw": round(laser_power_mw, 3),
               "lanes_per_laser": chain.lanes_per_laser, "receiver": chain.receiver.id,
               "tx_oma_dbm": round(float(budget.steps[len(chain.tx_elements)].oma_dbm), 3),
               "spec_tx_oma_dbm": chain.receiver.tx_oma_dbm,
               "implementation_allowance_db": round(allowance, 3), "target_ber": chain.receiver.target_ber,
               "error_floor_ber": float(f"{floor:.3g}"), "reflections": reflections,
               "rin_db_per_hz": chain.receiver.rin_db_per_hz, "reflectance_db": chain.receiver.reflectance_db,
               "fec": fec.name, "linear_host_channels": host,
               "laser_case_temperature_c": laser["case_temperature_c"],
               "laser_junction_temperature_c": laser["junction_temperature_c"], "notes": chain.notes}
    return LinkResult(technology, lane_rate_gbps, float(length_m), modulation, steps,
                      float(budget.received_oma_dbm), chain.receiver.sensitivity_oma_dbm, penalty, m, pre,
                      float(fec.post_fec_ber(pre)), not reasons, reasons, details)


def laser_state(chain: OpticalChain, laser_power_mw: float, case_temperature_c: float | None = None) -> dict:
    """Operating point of the laser that emits ``laser_power_mw``, with feasibility and reason."""
    laser = chain.laser
    t_case = DEFAULT_CASE_TEMPERATURE_C[laser.laser_type] if case_temperature_c is None else case_temperature_c
    op = operating_point(laser_parameters(laser), laser_power_mw, t_case)
    reason = None if op.feasible else f"laser {laser.id}: {op.reason}"
    if op.feasible and op.junction_temperature_c > laser.max_junction_temperature_c:
        reason = (f"laser {laser.id}: junction {op.junction_temperature_c:.1f} C exceeds its "
                  f"{laser.max_junction_temperature_c:g} C limit at a {t_case:g} C case")
    if op.feasible and chain.laser_rated_power_mw and laser_power_mw > chain.laser_rated_power_mw * 1.0001:
        reason = (f"laser {laser.id}: needs {laser_power_mw:.0f} mW, above the {chain.laser_rated_power_mw:g} mW "
                  f"the external laser source is rated for")
    return {"case_temperature_c": t_case, "current_ma": op.current_ma, "voltage_v": op.voltage_v,
            "electrical_power_mw": op.electrical_power_mw, "wall_plug_efficiency": op.wall_plug_efficiency,
            "junction_temperature_c": None if not np.isfinite(op.junction_temperature_c) else round(op.junction_temperature_c, 2),
            "feasible": reason is None, "reason": reason}


def laser_report(catalog: Catalog, technology: str, *, lane_rate_gbps: float = 100.0,
                 lanes_per_laser: int | None = None, temperature_c: float | None = None,
                 port_rate_gbps: float = 800.0, design_margin_db: float = DESIGN_MARGIN_DB,
                 activation_energy_ev: float | None = None, engine: OpticalEngine | None = None) -> dict:
    """What the lasers of one port must do: power per lane, lasers per port, electrical power, heat, FIT."""
    chain = optical_chain(catalog, technology, lane_rate_gbps, lanes_per_laser=lanes_per_laser, engine=engine)
    lanes = port_rate_gbps / lane_rate_gbps
    if lanes != int(lanes):
        raise LinkOptionError(f"--port-rate-gbps {port_rate_gbps:g} is not a whole number of {lane_rate_gbps:g}G lanes")
    laser_mw = laser_power_for_spec_mw(chain, design_margin_db)
    state = laser_state(chain, laser_mw, temperature_c)
    lasers_per_port = lanes / chain.lanes_per_laser
    laser = chain.laser
    ea = laser.activation_energy_ev if activation_energy_ev is None else activation_energy_ev
    tj = state["junction_temperature_c"]
    fit_each = None if tj is None else float(laser.fit * arrhenius_acceleration(tj, laser.fit_temperature_c, ea))
    electrical_w = state["electrical_power_mw"] / 1e3 + laser.cooler_power_w
    return {
        "technology": technology, "lane_rate_gbps": lane_rate_gbps, "port_rate_gbps": port_rate_gbps,
        "laser": laser.id, "laser_type": laser.laser_type,
        "lanes_per_laser": chain.lanes_per_laser,
        "laser_power_mw": round(laser_mw, 3),
        "lane_laser_power_mw": round(laser_mw / chain.lanes_per_laser, 3),
        "lasers_per_port": lasers_per_port,
        "laser_electrical_power_w": round(lasers_per_port * electrical_w, 4) if np.isfinite(electrical_w) else None,
        "wall_plug_efficiency": round(state["wall_plug_efficiency"], 4),
        "case_temperature_c": state["case_temperature_c"],
        "junction_temperature_c": tj,
        "max_junction_temperature_c": laser.max_junction_temperature_c,
        "fit_per_laser": None if fit_each is None else round(fit_each, 2),
        "fit_per_port": None if fit_each is None else round(fit_each * lasers_per_port, 2),
        "activation_energy_ev": ea,
        "design_margin_db": design_margin_db, "notes": list(chain.notes),
        "feasible": state["feasible"], "reasons": [state["reason"]] if state["reason"] else [],
    }


def copper_link(catalog: Catalog, length_m: float, lane_rate_gbps: float, *, cable: str = "twinax-26awg",
                modulation: str = "pam4", co_packaged: bool = False) -> LinkResult:
    """Die-to-die insertion loss at Nyquist of a passive copper link against the LR SerDes budget.

    ``co_packaged``: co-packaged copper (CPC), the cable attached at the package, so the host PCB
    trace and the cage connector drop out of the channel at both ends.
    """
    if modulation != "pam4":
        raise LinkOptionError(f"--modulation {modulation}: copper links are modelled with PAM4 only")
    levels = MODULATION_LEVELS[modulation]
    f = nyquist_ghz(lane_rate_gbps, levels)
    serdes_rate = {112: 100.0, 224: 200.0, 448: 400.0}.get(lane_rate_gbps, lane_rate_gbps)
    serdes = [c for c in catalog.of_kind(Circuit) if c.role == "serdes" and c.reach_class == "LR"]
    match = [c for c in serdes if c.lane_rate_gbps == serdes_rate]
    reasons: list[str] = []
    if match:
        budget, serdes_id = match[0].loss_budget_db, match[0].id
    else:
        # No LR SerDes at this rate: extrapolate the budget from the fastest one we know.
        top = max(serdes, key=lambda c: c.lane_rate_gbps)
        budget, serdes_id = top.loss_budget_db, f"{top.id} (budget extrapolated)"
    pkg = catalog.get("asic-package", kind="electrical-channel")
    pcb = catalog.get("host-pcb-trace", kind="electrical-channel")
    conn = catalog.get("cage-connector", kind="electrical-channel")
    tw = catalog.get(cable, kind="electrical-channel", field="--cable")
    assert isinstance(tw, ElectricalChannel) and tw.medium == "twinax"
    pkg_db = float(electrical.scaled_loss_db(pkg.loss_db_at_reference, f, pkg.reference_frequency_ghz))
    conn_db = float(electrical.scaled_loss_db(conn.loss_db_at_reference, f, conn.reference_frequency_ghz))
    pcb_db = float(electrical.pcb_stripline_loss_db_per_m(f, pcb.trace_width_mm, pcb.dielectric_constant,
                                                          pcb.loss_tangent) * pcb.length_mm / 1000.0)
    per_m = float(electrical.twinax_loss_db_per_m(f, tw.gauge_awg, tw.dielectric_constant, tw.loss_tangent,
                                                  conductor_loss_factor=tw.conductor_loss_factor))
    chain = [("package (tx)", pkg.id, pkg_db), ("host PCB (tx)", pcb.id, pcb_db), ("cage connector (tx)", conn.id, conn_db),
             (f"twinax {tw.gauge_awg:g} AWG, {length_m:g} m", tw.id, per_m * length_m),
             ("cage connector (rx)", conn.id, conn_db), ("host PCB (rx)", pcb.id, pcb_db), ("package (rx)", pkg.id, pkg_db)]
    if co_packaged:
        chain = [c for c in chain if c[1] not in (pcb.id, conn.id)]
    total, steps = 0.0, []
    for name, part, loss in chain:
        total += loss
        steps.append({"name": name, "part": part, "loss_db": round(loss, 3), "power_dbm": None,
                      "cumulative_loss_db": round(total, 3)})
    fixed = total - per_m * length_m
    m = budget - total
    reach = float(electrical.copper_reach_m(budget, fixed, per_m))
    if m < 0:
        reasons.append(f"copper at {lane_rate_gbps:g}G per lane over {length_m:g} m of {tw.gauge_awg:g} AWG: "
                       f"{total:.1f} dB die-to-die at {f:.2f} GHz exceeds the {budget:g} dB SerDes budget "
                       f"({serdes_id}); reach is {reach:.2f} m")
    details = {"nyquist_ghz": round(f, 4), "loss_budget_db": budget, "serdes": serdes_id,
               "channel_loss_db": round(total, 3), "cable_loss_db_per_m": round(per_m, 3),
               "fixed_loss_db": round(fixed, 3), "reach_m": round(reach, 3),
               "ber_note": "copper closure is judged by insertion loss at Nyquist against the SerDes budget; "
                           "BER (COM, crosstalk, reflections) is not modelled"}
    return LinkResult("copper", lane_rate_gbps, float(length_m), modulation, steps, None, None, None, m, None, None,
                      not reasons, reasons, details)


def port_power_from_components(catalog: Catalog, technology: str, port_rate_gbps: float, lane_rate_gbps: float,
                               *, design_margin_db: float = DESIGN_MARGIN_DB) -> dict[str, float]:
    """Power (W) of one port's optics built up from components, by part of the chain.

    For CPO this is the engine share and the laser share of one port; for pluggables the module.
    The switch's own SerDes are not included (they are in the switch ASIC's power).
    """
    chain = optical_chain(catalog, technology, lane_rate_gbps)
    out: dict[str, float] = {}
    for c in chain.circuits:
        out[c.role if c.role != "serdes" else "host_side_serdes"] = float(power_w(c.energy_pj_per_bit, port_rate_gbps))
    if chain.modulator.energy_pj_per_bit:
        out["modulator_tuning"] = float(power_w(chain.modulator.energy_pj_per_bit, port_rate_gbps))
    laser_mw = laser_power_for_spec_mw(chain, design_margin_db)
    state = laser_state(chain, laser_mw)
    lasers = port_rate_gbps / lane_rate_gbps / chain.lanes_per_laser
    out["lasers"] = lasers * (state["electrical_power_mw"] / 1e3 + chain.laser.cooler_power_w)
    out["total"] = sum(out.values())
    return out
