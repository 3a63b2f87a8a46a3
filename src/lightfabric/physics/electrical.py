"""Electrical channels: insertion loss of PCB traces, twinax cable and connectors, and copper reach.

Loss of a transmission line at frequency ``f`` is the sum of a conductor term growing as
``sqrt(f)`` (skin effect) and a dielectric term growing as ``f``.

Twinax (a shielded differential pair, 100 ohm), from first principles:

* skin depth ``delta = sqrt(rho / (pi f mu0))``; surface resistance ``R_s = rho / delta``;
* each conductor of diameter ``d`` has ``R = R_s / (pi d)`` per metre; the differential loop has
  twice that, and ``alpha_c = R_loop / (2 Z_diff)`` nepers per metre;
* ``alpha_d = pi f sqrt(eps_r) tan(delta) / c`` nepers per metre;
* a ``conductor_loss_factor`` (> 1) accounts for proximity effect, the shield and drain return
  path and plating roughness, which the round-wire formula leaves out.

PCB striplines use E. Bogatin's rules of thumb: conductor loss ``36 sqrt(f_GHz) / (w_mil Z0)`` and
dielectric loss ``2.3 f_GHz Df sqrt(Dk)`` dB per inch.

The copper reach at a lane rate is the cable length at which the die-to-die loss at Nyquist
reaches the SerDes budget: ``L = (budget - fixed losses) / cable loss per metre``.

References
----------
.. [1] D. M. Pozar, *Microwave Engineering*, 4th ed., Wiley 2012, sec. 1.7 (skin depth, surface
   resistance) and sec. 2.7 (conductor and dielectric attenuation of TEM lines).
.. [2] E. Bogatin, *Signal and Power Integrity - Simplified*, 3rd ed., Prentice Hall 2018, ch. 9
   (rules of thumb for conductor and dielectric loss of striplines).
.. [3] ASTM B258-18, *Standard Specification for Standard Nominal Diameters and Cross-Sectional
   Areas of AWG Sizes of Solid Round Wires*: ``d = 0.127 mm x 92^((36 - AWG)/39)``.
"""

from __future__ import annotations

import numpy as np

from lightfabric.physics.units import NEPER_TO_DB, SPEED_OF_LIGHT_M_PER_S, VACUUM_PERMEABILITY_H_PER_M

COPPER_RESISTIVITY_OHM_M = 1.72e-8   # annealed copper at 20 C (IACS)
MM_PER_INCH = 25.4


def awg_diameter_mm(gauge_awg):
    """Diameter (mm) of a solid round wire of American Wire Gauge ``gauge_awg`` [3]. 26 AWG is 0.405 mm."""
    return 0.127 * np.power(92.0, (36.0 - np.asarray(gauge_awg, dtype=float)) / 39.0)


def skin_depth_m(frequency_ghz, resistivity_ohm_m=COPPER_RESISTIVITY_OHM_M):
    """Skin depth (m): ``sqrt(rho / (pi f mu0))`` [1]. 0.40 um in copper at 26.6 GHz."""
    f = np.asarray(frequency_ghz, dtype=float) * 1e9
    return np.sqrt(resistivity_ohm_m / (np.pi * f * VACUUM_PERMEABILITY_H_PER_M))


def twinax_loss_db_per_m(frequency_ghz, gauge_awg, dielectric_constant, loss_tangent, *,
                         conductor_loss_factor=1.0, impedance_ohm=100.0,
                         resistivity_ohm_m=COPPER_RESISTIVITY_OHM_M):
    """Insertion loss (dB/m) of a twinax pair of ``gauge_awg`` conductors at ``frequency_ghz`` [1].

    See the module docstring for the model. Loss grows with frequency and with finer gauge.
    """
    f_hz = np.asarray(frequency_ghz, dtype=float) * 1e9
    d_m = awg_diameter_mm(gauge_awg) * 1e-3
    surface_resistance = resistivity_ohm_m / skin_depth_m(frequency_ghz, resistivity_ohm_m)
    r_loop_ohm_per_m = 2.0 * surface_resistance / (np.pi * d_m) * conductor_loss_factor
    alpha_c = r_loop_ohm_per_m / (2.0 * impedance_ohm)
    alpha_d = np.pi * f_hz * np.sqrt(dielectric_constant) * loss_tangent / SPEED_OF_LIGHT_M_PER_S
    return NEPER_TO_DB * (alpha_c + alpha_d)


def pcb_stripline_loss_db_per_m(frequency_ghz, trace_width_mm, dielectric_constant, dissipation_factor, *,
                                impedance_ohm=50.0, roughness_factor=1.0):
    """Insertion loss (dB/m) of a PCB stripline by Bogatin's rules of thumb [2].

    ``36 sqrt(f) / (w Z0)`` (conductor, times ``roughness_factor``) plus ``2.3 f Df sqrt(Dk)``
    (dielectric), in dB per inch with ``f`` in GHz and ``w`` in mils; converted to dB per metre.
    """
    f = np.asarray(frequency_ghz, dtype=float)
    w_mil = np.asarray(trace_width_mm, dtype=float) / MM_PER_INCH * 1000.0
    conductor = 36.0 * np.sqrt(f) / (w_mil * impedance_ohm) * roughness_factor
    dielectric = 2.3 * f * dissipation_factor * np.sqrt(dielectric_constant)
    return (conductor + dielectric) * 1000.0 / MM_PER_INCH


def scaled_loss_db(loss_at_reference_db, frequency_ghz, reference_frequency_ghz, exponent=0.75):
    """A lumped loss (package, connector) known at one frequency, scaled as ``(f/f_ref)^exponent``.

    Exponent 0.75 sits between skin-effect (0.5) and dielectric (1.0) scaling; it is an assumption
    stated in the catalog entry of each lumped element.
    """
    ratio = np.asarray(frequency_ghz, dtype=float) / reference_frequency_ghz
    return loss_at_reference_db * np.power(ratio, exponent)


def copper_reach_m(loss_budget_db, fixed_loss_db, cable_loss_db_per_m):
    """The longest cable (m) whose die-to-die loss stays within the budget; 0 when even 0 m fails."""
    spare = np.asarray(loss_budget_db, dtype=float) - fixed_loss_db
    return np.maximum(spare, 0.0) / cable_loss_db_per_m
