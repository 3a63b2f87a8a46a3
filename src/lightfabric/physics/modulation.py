"""Optical modulators and signalling rates.

An external modulator (Mach-Zehnder, micro-ring or electro-absorption) passes a fraction of its CW
input in the "one" state (its insertion loss, ``IL``) and ``1/ER`` of that in the "zero" state. For
an input ``P_in`` the output has

    P_1 = P_in 10^(-IL/10),  P_0 = P_1 / ER,  OMA = P_1 - P_0,  P_avg = (P_1 + P_0) / 2

(outer levels for PAM4). Reference: G. T. Reed et al., "Silicon optical modulators", Nature
Photonics 4, 518-526 (2010), for the definitions of insertion loss and extinction ratio.

Signalling rates: Ethernet lanes carry 256b/257b-transcoded data with RS(544,514) FEC, so a
100 Gb/s lane runs at 106.25 Gb/s on the wire (53.125 GBd PAM4) and a 200 Gb/s lane at 212.5 Gb/s
(IEEE Std 802.3-2022 clause 91; IEEE 802.3dj). The electrical classes "112G", "224G" and "448G"
name these same line rates.
"""

from __future__ import annotations

import numpy as np

from lightfabric.physics.units import db_to_ratio

# Nominal lane rate (payload or electrical class name) -> line rate on the wire, Gb/s.
LINE_RATE_GBPS = {50: 53.125, 56: 53.125, 100: 106.25, 112: 106.25, 200: 212.5, 224: 212.5,
                  400: 425.0, 448: 425.0}
MODULATION_LEVELS = {"nrz": 2, "pam4": 4, "pam6": 6, "pam8": 8}


def line_rate_gbps(lane_rate_gbps: float) -> float:
    """The rate on the wire of a nominal lane rate (x 1.0625 for RS(544,514) + 256b/257b otherwise)."""
    return LINE_RATE_GBPS.get(lane_rate_gbps, lane_rate_gbps * 1.0625)


def signalling_rate_gbd(lane_rate_gbps: float, levels: int = 4) -> float:
    """Symbols per second (GBd) of a lane: line rate / log2(levels)."""
    return line_rate_gbps(lane_rate_gbps) / np.log2(levels)


def nyquist_ghz(lane_rate_gbps: float, levels: int = 4) -> float:
    """Nyquist frequency (GHz): half the signalling rate. 26.5625 GHz for a 100G PAM4 lane."""
    return signalling_rate_gbd(lane_rate_gbps, levels) / 2.0


def modulator_output_mw(input_mw, insertion_loss_db, extinction_ratio_db):
    """(average power, OMA) in mW at the output of an external modulator fed ``input_mw`` of CW light."""
    p1 = np.asarray(input_mw, dtype=float) / db_to_ratio(insertion_loss_db)
    p0 = p1 / db_to_ratio(extinction_ratio_db)
    return 0.5 * (p1 + p0), p1 - p0
