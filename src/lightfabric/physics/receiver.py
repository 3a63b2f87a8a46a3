"""Photoreceiver noise, Q-factor and sensitivity for intensity-modulated direct detection (IM-DD).

Model. A PIN photodiode of responsivity ``R`` (A/W) feeds a transimpedance amplifier (TIA) whose
input-referred noise current density is ``i_n`` (A/sqrt(Hz)) over a noise bandwidth ``B``.
The noise at a decision threshold has variance

    sigma^2 = i_n^2 B  +  2 q (R P_avg + I_dark) B            (thermal/TIA + shot)

An optical modulation amplitude ``OMA`` (outer, P_max - P_min, W) gives a photocurrent swing
``R OMA``; with M equally spaced levels each eye is ``R OMA / (M - 1)`` high, so the per-eye
Q-factor is

    q = R OMA / (2 (M - 1) sigma)

The average power follows from OMA and the extinction ratio ``ER = P_max / P_min``:
``P_avg = (OMA / 2) (ER + 1) / (ER - 1)``.

Noise that grows with the signal sets an **error floor** no received power removes [3, 4]:

* transmitter relative intensity noise, specified referred to OMA (``RINxOMA``, dB/Hz):
  ``sigma_RIN = R OMA sqrt(RIN B)``;
* multipath interference from pairs of reflections along the link (each of reflectance ``r``,
  incoherent beat noise): ``sigma_MPI = R P_avg sqrt(2 sum_{i<j} r_i r_j)``.

The total ``sigma^2`` adds these to the thermal and shot terms, so ``q`` tends to a ceiling
``q_floor = 1 / (2 (M - 1) sqrt(RIN B + MPI (P_avg / OMA)^2))`` as the power grows.

References
----------
.. [1] G. P. Agrawal, *Fiber-Optic Communication Systems*, 4th ed., Wiley 2010, sec. 4.4
   (shot noise 2qIB, thermal noise) and sec. 4.5 (Q-factor, sensitivity, ER penalty, eq. 4.6.3).
.. [2] IEEE Std 802.3-2022, clause 124 (400GBASE-DR4): OMA, TDECQ, receiver sensitivity and the
   reference receiver, a fourth-order Bessel-Thomson response with a 3 dB bandwidth of half the
   signalling rate.
.. [3] IEEE Std 802.3-2022, clause 124 (400GBASE-DR4): RIN21.4OMA at most -136 dB/Hz; transmitter
   and receiver reflectance at most -26 dB (as carried by compliant datasheets, e.g. Edgecore
   ET7502-DR4).
.. [4] J. L. Gimlett and N. K. Cheung, "Effects of phase-to-intensity noise conversion by
   multiple reflections on gigabit-per-second DFB laser transmission systems", J. Lightwave
   Technol. 7(6):888-895, 1989 (interferometric noise from reflection pairs).
"""

from __future__ import annotations

import math

import numpy as np

from lightfabric.physics.ber import ber_pam, q_for_ber
from lightfabric.physics.units import ELEMENTARY_CHARGE_C, db_to_ratio, mw_to_dbm

# Noise bandwidth of a 4th-order Bessel-Thomson filter relative to its 3 dB bandwidth.
BESSEL_THOMSON_4_NOISE_BANDWIDTH_RATIO = 1.05


def reference_noise_bandwidth_hz(baud_gbd):
    """Noise bandwidth of the IEEE reference receiver: 0.5 x signalling rate, x 1.05 (BT4) [2]."""
    return 0.5 * np.asarray(baud_gbd, dtype=float) * 1e9 * BESSEL_THOMSON_4_NOISE_BANDWIDTH_RATIO


def average_power_from_oma(oma_w, extinction_ratio_db):
    """Average optical power (W) of a signal with outer OMA ``oma_w`` and extinction ratio in dB."""
    er = db_to_ratio(extinction_ratio_db)
    return 0.5 * np.asarray(oma_w, dtype=float) * (er + 1.0) / (er - 1.0)


def extinction_ratio_penalty_db(extinction_ratio_db):
    """Power penalty (dB) of a finite extinction ratio at fixed average power [1, eq. 4.6.3].

    ``10 log10((ER + 1)/(ER - 1))``: the OMA lost against an ideal (infinite-ER) transmitter of the
    same average power. 3.5 dB ER costs 2.6 dB.
    """
    er = db_to_ratio(extinction_ratio_db)
    return 10.0 * np.log10((er + 1.0) / (er - 1.0))


def noise_sigma_a(tia_noise_pa_per_rthz, bandwidth_hz, photocurrent_a=0.0, dark_current_a=0.0):
    """RMS noise current (A): TIA input-referred noise plus shot noise of the signal and dark current."""
    thermal = (np.asarray(tia_noise_pa_per_rthz, dtype=float) * 1e-12) ** 2 * bandwidth_hz
    shot = 2.0 * ELEMENTARY_CHARGE_C * (np.asarray(photocurrent_a, dtype=float) + dark_current_a) * bandwidth_hz
    return np.sqrt(thermal + shot)


def mpi_ratio(reflectance_db, reflections: int):
    """``2 sum_{i<j} r_i r_j`` for ``reflections`` interfaces of equal reflectance (dB): the beat-noise
    variance of multipath interference relative to the average power squared [4]."""
    if reflectance_db is None or reflections < 2:
        return 0.0
    r = db_to_ratio(reflectance_db)
    pairs = reflections * (reflections - 1) / 2
    return 2.0 * pairs * r * r


def q_factor(oma_w, responsivity_a_per_w, tia_noise_pa_per_rthz, baud_gbd, *, levels: int = 4,
             extinction_ratio_db=6.0, dark_current_a=0.0, rin_db_per_hz=None, mpi=0.0):
    """Per-eye Q-factor of a received signal of outer OMA ``oma_w`` (W), with the signal-dependent
    RIN and MPI noise (module docstring) when given."""
    b = reference_noise_bandwidth_hz(baud_gbd)
    oma = np.asarray(oma_w, dtype=float)
    p_avg = average_power_from_oma(oma, extinction_ratio_db)
    sigma = noise_sigma_a(tia_noise_pa_per_rthz, b, responsivity_a_per_w * p_avg, dark_current_a)
    extra = 0.0
    if rin_db_per_hz is not None:
        extra = extra + (responsivity_a_per_w * oma) ** 2 * db_to_ratio(rin_db_per_hz) * b
    if mpi:
        extra = extra + (responsivity_a_per_w * p_avg) ** 2 * mpi
    sigma = np.sqrt(sigma ** 2 + extra)
    return responsivity_a_per_w * oma / (2.0 * (levels - 1) * sigma)


def ber_at_oma(oma_w, responsivity_a_per_w, tia_noise_pa_per_rthz, baud_gbd, *, levels: int = 4,
               extinction_ratio_db=6.0, dark_current_a=0.0, rin_db_per_hz=None, mpi=0.0):
    """Pre-FEC bit error ratio (Gray-coded PAM-M) at a received outer OMA."""
    q = q_factor(oma_w, responsivity_a_per_w, tia_noise_pa_per_rthz, baud_gbd, levels=levels,
                 extinction_ratio_db=extinction_ratio_db, dark_current_a=dark_current_a,
                 rin_db_per_hz=rin_db_per_hz, mpi=mpi)
    return ber_pam(q, levels)


def floor_ber(baud_gbd, *, levels: int = 4, extinction_ratio_db=6.0, rin_db_per_hz=None, mpi=0.0):
    """The BER the signal-dependent noise alone allows, however strong the signal (0 without it)."""
    b = reference_noise_bandwidth_hz(baud_gbd)
    er = db_to_ratio(extinction_ratio_db)
    avg_over_oma = 0.5 * (er + 1.0) / (er - 1.0)
    rel = (db_to_ratio(rin_db_per_hz) * b if rin_db_per_hz is not None else 0.0) + mpi * avg_over_oma ** 2
    if rel <= 0:
        return 0.0
    return float(ber_pam(1.0 / (2.0 * (levels - 1) * np.sqrt(rel)), levels))


def oma_for_ber_w(target_ber, responsivity_a_per_w, tia_noise_pa_per_rthz, baud_gbd, *, levels: int = 4,
                  extinction_ratio_db=6.0, rin_db_per_hz=None, mpi=0.0) -> float:
    """The outer OMA (W) at which the full noise model reaches ``target_ber`` (NaN if the floor is above it).

    Closed form, as :func:`sensitivity_oma_dbm` with the signal-dependent noise added. Every noise
    term of :func:`q_factor` is a polynomial of the OMA of degree at most two,
    ``sigma^2 = a + b OMA + c OMA^2`` (``a``: TIA; ``b``: shot, ``2 q R B (P_avg / OMA)``; ``c``:
    ``R^2 (RIN B + MPI (P_avg / OMA)^2)``), so ``R OMA = K sigma`` with ``K = 2 (M-1) q`` is the
    quadratic ``(R^2 - K^2 c) OMA^2 - K^2 b OMA - K^2 a = 0``. Its positive root exists exactly when
    ``R^2 > K^2 c`` (the floor's Q above the target's); all its terms are positive, so it is
    evaluated without cancellation. It equals the root a bracketing search (Brent) finds on
    :func:`ber_at_oma` to about 1e-13 relative (``tests/test_physics_fast.py``), without it.
    """
    kw = dict(levels=levels, extinction_ratio_db=extinction_ratio_db, rin_db_per_hz=rin_db_per_hz, mpi=mpi)
    if floor_ber(baud_gbd, **kw) >= target_ber:
        return float("nan")
    bw = float(reference_noise_bandwidth_hz(baud_gbd))
    r = float(responsivity_a_per_w)
    k2 = (2.0 * (levels - 1) * float(q_for_ber(target_ber, levels))) ** 2
    er = float(db_to_ratio(extinction_ratio_db))
    avg_over_oma = 0.5 * (er + 1.0) / (er - 1.0)
    a = (float(tia_noise_pa_per_rthz) * 1e-12) ** 2 * bw
    b = 2.0 * ELEMENTARY_CHARGE_C * r * avg_over_oma * bw
    c = r * r * ((float(db_to_ratio(rin_db_per_hz)) * bw if rin_db_per_hz is not None else 0.0)
                 + mpi * avg_over_oma ** 2)
    lead = r * r - k2 * c
    if lead <= 0.0:
        return float("nan")
    return (k2 * b + math.sqrt(k2 * k2 * b * b + 4.0 * lead * k2 * a)) / (2.0 * lead)


def sensitivity_oma_dbm(target_ber, responsivity_a_per_w, tia_noise_pa_per_rthz, baud_gbd, *,
                        levels: int = 4, extinction_ratio_db=6.0, dark_current_a=0.0):
    """The outer OMA (dBm) at which the receiver reaches ``target_ber``: noise-limited, ideal eye.

    Shot noise grows with the signal, so ``sigma^2 = a + b OMA``; requiring ``R OMA = K sigma`` with
    ``K = 2 (M-1) q`` gives the quadratic ``R^2 OMA^2 - K^2 b OMA - K^2 a = 0``, solved in closed form.
    Without ISI, jitter, RIN or crosstalk this is the best a receiver can do; spec sensitivities
    are higher by an implementation allowance.
    """
    bw = reference_noise_bandwidth_hz(baud_gbd)
    k = 2.0 * (levels - 1) * q_for_ber(target_ber, levels)
    er = db_to_ratio(extinction_ratio_db)
    r = np.asarray(responsivity_a_per_w, dtype=float)
    a = (np.asarray(tia_noise_pa_per_rthz, dtype=float) * 1e-12) ** 2 * bw \
        + 2.0 * ELEMENTARY_CHARGE_C * dark_current_a * bw
    b = 2.0 * ELEMENTARY_CHARGE_C * r * 0.5 * (er + 1.0) / (er - 1.0) * bw
    k2 = k * k
    oma_w = (k2 * b + np.sqrt(k2 * k2 * b * b + 4.0 * r * r * k2 * a)) / (2.0 * r * r)
    return mw_to_dbm(oma_w * 1e3)
