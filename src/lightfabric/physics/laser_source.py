"""Electrical power of an external laser source (ELS) from the physics of its lasers.

An ELS holds ``lasers`` CW diodes; each feeds ``lanes_per_laser`` lanes of a co-packaged engine
through a polarization-maintaining fiber, the engine's couplers, a splitter and a modulator. The
power a diode must emit is the one at which the worst-case transmitter meets the PMD's transmitter
OMA plus the design margin (:func:`lightfabric.physics.chains.laser_power_for_spec_mw`); its
electrical power at that output follows from the L-I-V model at the case temperature
(:func:`lightfabric.physics.laser.operating_point`). The module draws

    P_els = lasers * (P_diode(P_out, T_case) + P_cooler) + P_control                       [W]

The vendor's stated module power, where one is published, is carried beside the computed figure
(``stated_power_w``) and never used in its place.

References
----------
[1] OIF, External Laser Small Form Factor Pluggable (ELSFP) Implementation Agreement, OIF-ELSFP-01.0, 2023.
[2] NVIDIA GTC 2025 keynote: a 1.6T port draws about 2 W of CW laser with co-packaged optics
    against about 10 W for a DSP pluggable's EML transmitters and drivers (vendor claim).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lightfabric.catalog import Catalog, ExternalLaserSource, OpticalEngine
from lightfabric.physics import chains


@dataclass(frozen=True)
class LaserSourcePower:
    """One ELS module's electrical power and how it is made up (W, mW, deg C)."""

    laser_source: str
    laser: str
    lasers: int
    laser_output_mw: float            # what each diode must emit for the engine's worst-case link
    rated_output_mw: float | None
    case_temperature_c: float
    per_laser_w: float                # diode drive (I*V) plus its cooler
    control_w: float
    stated_power_w: float | None
    feasible: bool
    reason: str | None

    @property
    def power_w(self) -> float:
        """Electrical power of the module (W)."""
        return self.lasers * self.per_laser_w + self.control_w

    def per_lane_w(self, lanes_per_laser: float) -> float:
        """The module's power shared over every lane its lasers feed (W per lane)."""
        return self.power_w / (self.lasers * lanes_per_laser)

    def to_dict(self) -> dict:
        return {"laser_source": self.laser_source, "laser": self.laser, "lasers": self.lasers,
                "laser_output_mw": round(self.laser_output_mw, 1), "rated_output_mw": self.rated_output_mw,
                "case_temperature_c": self.case_temperature_c, "per_laser_w": round(self.per_laser_w, 4),
                "control_w": self.control_w, "power_w": round(self.power_w, 3),
                "stated_power_w": self.stated_power_w, "feasible": self.feasible, "reason": self.reason}


def laser_source_power(catalog: Catalog, engine: OpticalEngine, *,
                       design_margin_db: float = chains.DESIGN_MARGIN_DB,
                       case_temperature_c: float | None = None) -> LaserSourcePower:
    """The electrical power of ``engine``'s laser source at the operating point its links need.

    ``case_temperature_c``: the laser case (the scenario's ``physical.laser_case_temperature_c``);
    None takes the laser type's default case temperature, as the link budget does. Where the diode
    cannot deliver the needed output (above its rating or its current limit), the power is taken at
    the rated output and ``feasible`` is False with the reason: the link check fails on the same
    reason, so the design never reads as feasible on it.
    """
    return _cached(catalog, engine.id, float(design_margin_db),
                   None if case_temperature_c is None else float(case_temperature_c))


@lru_cache(maxsize=256)
def _cached(catalog: Catalog, engine_id: str, design_margin_db: float,
            case_temperature_c: float | None) -> LaserSourcePower:
    engine = catalog.get(engine_id, kind="optical-engine")
    els = catalog.get(engine.laser_source, kind="laser-source")
    assert isinstance(els, ExternalLaserSource)
    chain = chains.optical_chain(catalog, "cpo", engine.lane_rate_gbps, engine=engine)
    need_mw = chains.laser_power_for_spec_mw(chain, design_margin_db)
    state = chains.laser_state(chain, need_mw, case_temperature_c)
    if not np.isfinite(state["electrical_power_mw"]) and els.optical_power_mw_per_laser:
        state = {**chains.laser_state(chain, els.optical_power_mw_per_laser, case_temperature_c),
                 "feasible": False, "reason": state["reason"]}
    laser = chain.laser
    per_laser_w = float(state["electrical_power_mw"]) / 1e3 + laser.cooler_power_w
    return LaserSourcePower(els.id, laser.id, els.lasers, float(need_mw), els.optical_power_mw_per_laser,
                            float(state["case_temperature_c"]), per_laser_w, els.control_power_w,
                            els.stated_power_w, bool(state["feasible"]), state["reason"])


#: NVIDIA's per-port laser figures (GTC 2025, reference [2]): W per 1.6T port.
NVIDIA_LASER_W_PER_1600G = {"pluggable-dsp": 10.0, "cpo": 2.0}


def laser_power_comparison(catalog: Catalog, *, port_rate_gbps: float = 1600.0, lane_rate_gbps: float = 200.0,
                           engine: OpticalEngine | None = None, design_margin_db: float = chains.DESIGN_MARGIN_DB,
                           case_temperature_c: float | None = None) -> dict:
    """The laser electrical power of one port: a DSP pluggable's EMLs (diode drive and cooler, one laser
    per lane) against a CPO port's share of its external laser sources (diodes, their coolers and the
    modules' control), each at the operating point its worst-case link needs; NVIDIA's figures beside.

    What is not counted is named in ``not_counted``: the EML's electro-absorption bias and the
    modulator drivers (both are in the DSP and engine power, not in the lasers).
    """
    # the EML report first: it refuses a lane rate the catalog has no parts for, and a port that is not
    # a whole number of lanes
    eml = chains.laser_report(catalog, "pluggable-dsp", lane_rate_gbps=lane_rate_gbps, port_rate_gbps=port_rate_gbps,
                              design_margin_db=design_margin_db)
    lanes = port_rate_gbps / lane_rate_gbps
    chosen = "" if engine is not None else " (the cheapest cpo engine at this lane rate)"
    if engine is None:
        engine = chains.default_engine(catalog, lane_rate_gbps)
    source = laser_source_power(catalog, engine, design_margin_db=design_margin_db,
                                case_temperature_c=case_temperature_c)
    scale = port_rate_gbps / 1600.0
    rows = [
        {"transmitter": "DSP pluggable, one EML per lane", "technology": "pluggable-dsp", "laser": eml["laser"],
         "lasers": eml["lasers_per_port"], "laser_output_mw": eml["laser_power_mw"],
         "case_temperature_c": eml["case_temperature_c"], "power_w": eml["laser_electrical_power_w"],
         "nvidia_w": NVIDIA_LASER_W_PER_1600G["pluggable-dsp"] * scale, "feasible": eml["feasible"]},
        {"transmitter": f"CPO, {engine.id} fed by {source.laser_source}{chosen}", "technology": "cpo",
         "laser": source.laser, "lasers": lanes / engine.lanes_per_laser,
         "laser_output_mw": round(source.laser_output_mw, 1), "case_temperature_c": source.case_temperature_c,
         "power_w": round(source.per_lane_w(engine.lanes_per_laser) * lanes, 3),
         "nvidia_w": NVIDIA_LASER_W_PER_1600G["cpo"] * scale, "feasible": source.feasible},
    ]
    return {"port_rate_gbps": port_rate_gbps, "lane_rate_gbps": lane_rate_gbps, "design_margin_db": design_margin_db,
            "rows": rows, "ratio": round(rows[0]["power_w"] / rows[1]["power_w"], 2),
            "nvidia_ratio": NVIDIA_LASER_W_PER_1600G["pluggable-dsp"] / NVIDIA_LASER_W_PER_1600G["cpo"],
            "not_counted": ["the EML's electro-absorption bias (in the pluggable's driver power)",
                            "modulator drivers (in the DSP and engine power)"],
            "source": "NVIDIA GTC 2025 (TechPowerUp, 2025-03): about 2 W of CW laser per 1.6T CPO port against "
                      "10 W for a pluggable's EMLs (vendor claim)"}
