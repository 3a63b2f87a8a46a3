"""Semiconductor laser: light-current curve, wall-plug efficiency, temperature and reliability.

Light-current (L-I) above threshold, with the classic exponential temperature dependences:

    P = eta_d(T) (I - I_th(T)),   I_th(T) = I_th0 exp((T - T_ref)/T0),
    eta_d(T) = eta_d0 exp(-(T - T_ref)/T1)

Electrical input ``V I`` with ``V = V_0 + R_s I``; wall-plug efficiency ``P / (V I)``. The
junction runs hotter than its case by the dissipated power times the thermal resistance,
``T_j = T_case + R_th (V I - P)``, and the temperature feeds back into threshold and slope, so
the operating point is found by fixed-point iteration.

Failure rate scales with junction temperature by the Arrhenius law
``AF = exp(E_a / k (1/T_ref - 1/T))``.

References
----------
.. [1] L. A. Coldren, S. W. Corzine and M. L. Mashanovitch, *Diode Lasers and Photonic Integrated
   Circuits*, 2nd ed., Wiley 2012, sec. 2.8 (L-I, differential efficiency) and sec. 2.8.2
   (characteristic temperatures T0 and T1).
.. [2] Telcordia GR-468-CORE, *Generic Reliability Assurance Requirements for Optoelectronic
   Devices*, issue 2, 2004: Arrhenius acceleration of laser wear-out with an activation energy.
.. [3] M. Fukuda, *Reliability and Degradation of Semiconductor Lasers and LEDs*, Artech House 1991,
   ch. 4 (temperature acceleration of laser degradation).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lightfabric.physics.units import BOLTZMANN_EV_PER_K, celsius_to_kelvin


def threshold_current_a(threshold_current_ref_a, temperature_c, reference_temperature_c, t0_k):
    """Threshold current at ``temperature_c``: ``I_th0 exp((T - T_ref)/T0)`` [1]."""
    dt = np.asarray(temperature_c, dtype=float) - reference_temperature_c
    return threshold_current_ref_a * np.exp(dt / t0_k)


def slope_efficiency_w_per_a(slope_ref_w_per_a, temperature_c, reference_temperature_c, t1_k):
    """Differential (slope) efficiency at ``temperature_c``: ``eta_d0 exp(-(T - T_ref)/T1)`` [1]."""
    dt = np.asarray(temperature_c, dtype=float) - reference_temperature_c
    return slope_ref_w_per_a * np.exp(-dt / t1_k)


def arrhenius_acceleration(temperature_c, reference_temperature_c, activation_energy_ev):
    """Failure-rate acceleration at ``temperature_c`` relative to ``reference_temperature_c`` [2].

    ``exp(E_a/k (1/T_ref - 1/T))`` with temperatures in kelvin; above 1 when hotter.
    """
    t = celsius_to_kelvin(temperature_c)
    t_ref = celsius_to_kelvin(reference_temperature_c)
    return np.exp(activation_energy_ev / BOLTZMANN_EV_PER_K * (1.0 / t_ref - 1.0 / t))


@dataclass(frozen=True)
class LaserParameters:
    """The figures of one laser diode; see :class:`lightfabric.catalog.Laser` for their sources."""

    threshold_current_ma: float
    slope_efficiency_w_per_a: float
    reference_temperature_c: float
    t0_k: float
    t1_k: float
    turn_on_voltage_v: float
    series_resistance_ohm: float
    thermal_resistance_k_per_w: float
    max_current_ma: float


@dataclass(frozen=True)
class LaserOperatingPoint:
    optical_power_mw: float
    current_ma: float
    voltage_v: float
    electrical_power_mw: float
    wall_plug_efficiency: float
    junction_temperature_c: float
    feasible: bool
    reason: str | None = None


@functools.lru_cache(maxsize=4096)
def operating_point(laser: LaserParameters, optical_power_mw: float, case_temperature_c: float,
                    *, iterations: int = 500) -> LaserOperatingPoint:
    """The drive current, electrical power and junction temperature for a CW output power.

    Iterates junction temperature -> threshold and slope -> current -> dissipated heat until it
    settles. If the heating runs away (the slope collapses faster than the current can rise) or
    the current exceeds the laser's rating, the point is reported infeasible with the reason.
    """
    p_w = optical_power_mw / 1e3
    tj = float(case_temperature_c)
    for _ in range(iterations):
        ith = laser.threshold_current_ma / 1e3 * np.exp((tj - laser.reference_temperature_c) / laser.t0_k)
        eta = laser.slope_efficiency_w_per_a * np.exp(-(tj - laser.reference_temperature_c) / laser.t1_k)
        i = ith + p_w / eta
        v = laser.turn_on_voltage_v + laser.series_resistance_ohm * i
        heat_w = v * i - p_w
        tj_new = case_temperature_c + laser.thermal_resistance_k_per_w * heat_w
        if not np.isfinite(tj_new) or tj_new > case_temperature_c + 300:
            return LaserOperatingPoint(optical_power_mw, float("inf"), float("inf"), float("inf"), 0.0,
                                       float("inf"), False, "thermal runaway: self-heating diverges")
        if abs(tj_new - tj) < 1e-7:
            tj = tj_new
            break
        tj = 0.5 * (tj + tj_new)   # damped: converges where the plain iteration oscillates
    else:
        return LaserOperatingPoint(optical_power_mw, float(i * 1e3), float(v), float(v * i * 1e3), 0.0,
                                   float(tj), False, "no stable operating point (self-heating too strong)")
    reason = None
    if i * 1e3 > laser.max_current_ma:
        reason = (f"needs {i * 1e3:.0f} mA, above the laser's {laser.max_current_ma:g} mA rating at "
                  f"a {case_temperature_c:g} C case")
    return LaserOperatingPoint(optical_power_mw=optical_power_mw, current_ma=float(i * 1e3), voltage_v=float(v),
                               electrical_power_mw=float(v * i * 1e3),
                               wall_plug_efficiency=float(p_w / (v * i)), junction_temperature_c=float(tj),
                               feasible=reason is None, reason=reason)
