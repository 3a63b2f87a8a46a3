"""Energy per bit of a link, and power from energy per bit.

A link's power is the sum of its parts: ``P = sum_i E_i R`` for the circuits that process every
bit (SerDes, DSP, driver, TIA; ``E_i`` in pJ/bit, ``R`` in Gb/s gives mW), plus lasers, whose
electrical power follows from the optical power they must deliver and their wall-plug
efficiency, plus fixed overheads (module controller, DC-DC conversion).

Energy per bit is ``P / R``; 1 W at 1 Tb/s is 1 pJ/bit.
"""

from __future__ import annotations

import numpy as np


def power_w(energy_pj_per_bit, rate_gbps):
    """Power (W) of a circuit that spends ``energy_pj_per_bit`` on every bit at ``rate_gbps``."""
    return np.asarray(energy_pj_per_bit, dtype=float) * np.asarray(rate_gbps, dtype=float) * 1e-3
