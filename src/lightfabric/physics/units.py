"""Decibel conversions and physical constants (CODATA 2018 exact values where defined)."""

from __future__ import annotations

import numpy as np

ELEMENTARY_CHARGE_C = 1.602176634e-19
BOLTZMANN_J_PER_K = 1.380649e-23
BOLTZMANN_EV_PER_K = 8.617333262e-5
PLANCK_J_S = 6.62607015e-34
SPEED_OF_LIGHT_M_PER_S = 299_792_458.0
VACUUM_PERMEABILITY_H_PER_M = 1.25663706212e-6
NEPER_TO_DB = 20.0 / np.log(10.0)   # 8.686 dB per neper (field attenuation)


def db_to_ratio(db):
    """Power ratio of a gain in dB: ``10**(db/10)``."""
    return np.power(10.0, np.asarray(db, dtype=float) / 10.0)


def ratio_to_db(ratio):
    """A power ratio in dB: ``10*log10(ratio)``."""
    return 10.0 * np.log10(np.asarray(ratio, dtype=float))


def dbm_to_mw(dbm):
    """Optical or electrical power in mW from dBm."""
    return db_to_ratio(dbm)


def mw_to_dbm(mw):
    """Power in dBm from mW."""
    return ratio_to_db(mw)


def celsius_to_kelvin(t_c):
    return np.asarray(t_c, dtype=float) + 273.15


def photon_energy_j(wavelength_nm):
    """Energy of one photon, ``h c / lambda``, in joules."""
    return PLANCK_J_S * SPEED_OF_LIGHT_M_PER_S / (np.asarray(wavelength_nm, dtype=float) * 1e-9)


def responsivity_a_per_w(quantum_efficiency, wavelength_nm):
    """Photodiode responsivity ``R = eta q lambda / (h c)`` in A/W.

    At 1310 nm a quantum efficiency of 1 gives 1.057 A/W.
    Reference: G. P. Agrawal, *Fiber-Optic Communication Systems*, 4th ed., Wiley 2010, eq. 4.1.3.
    """
    return np.asarray(quantum_efficiency, dtype=float) * ELEMENTARY_CHARGE_C / photon_energy_j(wavelength_nm)
