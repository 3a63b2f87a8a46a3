"""Error ratios of NRZ and PAM-M signalling in Gaussian noise, and Reed-Solomon FEC.

Conventions. For PAM-M with equally spaced levels a distance ``d`` apart and Gaussian noise of
standard deviation ``sigma`` at each decision threshold, the per-eye Q-factor is
``q = d / (2 sigma)`` and the symbol error ratio is ``SER = 2 (1 - 1/M) Q(q)`` where ``Q`` is the
Gaussian tail probability. With Gray coding one symbol error flips one bit, so
``BER = SER / log2(M)``. NRZ is M = 2, where this reduces to ``BER = Q(q) = erfc(q/sqrt 2)/2``.

References
----------
.. [1] J. G. Proakis and M. Salehi, *Digital Communications*, 5th ed., McGraw-Hill 2008, sec. 4.3
   (PAM symbol error probability, eq. 4.3-5) and sec. 4.3-1 (Gray coding).
.. [2] G. P. Agrawal, *Fiber-Optic Communication Systems*, 4th ed., Wiley 2010, sec. 4.5.1
   (BER = erfc(Q/sqrt 2)/2; Q = 7 gives about 1e-12).
.. [3] IEEE Std 802.3-2022, clause 91 (RS(528,514) and RS(544,514) "KP4" FEC, 10-bit symbols,
   t = 15) and clauses 124/138 (100 Gb/s-per-lane PMDs specified at a pre-FEC BER of 2.4e-4).
"""

from __future__ import annotations

import numpy as np
from scipy import special

KP4_N = 544                  # RS(544,514) codeword, symbols
KP4_K = 514
KP4_T = 15                   # correctable symbols per codeword
KP4_SYMBOL_BITS = 10
KP4_PRE_FEC_BER = 2.4e-4     # BER at which IEEE 802.3 specifies 100G/lane PAM4 optical PMDs [3]


def gaussian_q(x):
    """Tail probability of the standard normal, ``Q(x) = erfc(x / sqrt 2) / 2``."""
    return 0.5 * special.erfc(np.asarray(x, dtype=float) / np.sqrt(2.0))


def ber_nrz(q):
    """Bit error ratio of NRZ (OOK) at Q-factor ``q`` [2]. Q = 7 gives 1.28e-12."""
    return gaussian_q(q)


def ser_pam(q, levels: int = 4):
    """Symbol error ratio of PAM-``levels`` at per-eye Q-factor ``q`` [1]."""
    _check_levels(levels)
    return 2.0 * (1.0 - 1.0 / levels) * gaussian_q(q)


def ber_pam(q, levels: int = 4):
    """Bit error ratio of Gray-coded PAM-``levels`` at per-eye Q-factor ``q`` [1]."""
    return ser_pam(q, levels) / np.log2(levels)


def q_for_ber(ber, levels: int = 4):
    """The per-eye Q-factor at which Gray-coded PAM-``levels`` reaches ``ber`` (inverse of :func:`ber_pam`)."""
    _check_levels(levels)
    ser = np.asarray(ber, dtype=float) * np.log2(levels)
    tail = ser / (2.0 * (1.0 - 1.0 / levels))
    return np.sqrt(2.0) * special.erfcinv(2.0 * tail)


def ser_pam_from_snr(snr, levels: int = 4):
    """PAM-M symbol error ratio from the electrical SNR (average signal power over noise power).

    ``SER = 2 (1 - 1/M) Q( sqrt(3 SNR / (M^2 - 1)) )`` for levels symmetric about zero [1].
    """
    _check_levels(levels)
    snr = np.asarray(snr, dtype=float)
    return 2.0 * (1.0 - 1.0 / levels) * gaussian_q(np.sqrt(3.0 * snr / (levels ** 2 - 1)))


def binomial_tail(k: int, n: int, p):
    """``P(X > k)`` for ``X ~ Binomial(n, p)``: ``scipy.special.bdtrc`` (the regularized incomplete
    beta function), equal to ``scipy.stats.binom.sf`` without importing ``scipy.stats``, which
    costs every command about a second at start-up. Zero for ``k >= n``."""
    p = np.asarray(p, dtype=float)
    if k >= n:
        return np.zeros_like(p)
    return special.bdtrc(k, n, p)


def rs_codeword_error_ratio(symbol_error_ratio, n: int = KP4_N, t: int = KP4_T):
    """Probability that an RS codeword has more than ``t`` symbol errors (uncorrectable).

    Assumes independent symbol errors (no burst errors, no error propagation in a DFE).
    """
    return binomial_tail(t, n, np.asarray(symbol_error_ratio, dtype=float))


def post_fec_ber(pre_fec_ber, n: int = KP4_N, t: int = KP4_T, symbol_bits: int = KP4_SYMBOL_BITS):
    """Bit error ratio after a bounded-distance RS decoder, for random bit errors before it.

    Symbol error ratio ``p_s = 1 - (1 - p_b)^m``. A codeword with ``i > t`` symbol errors is
    passed on uncorrected, so its ``i`` erroneous symbols remain; the output symbol error ratio is
    ``sum_{i>t} (i/n) C(n,i) p_s^i (1-p_s)^(n-i)``. Each erroneous symbol carries on average
    ``m p_b / p_s`` wrong bits, so ``BER_out = SER_out * p_b / p_s``.
    """
    pb = np.asarray(pre_fec_ber, dtype=float)
    ps = -np.expm1(symbol_bits * np.log1p(-pb))
    # E[i; i > t] for a binomial: n p P(X' >= t) with X' ~ Binom(n-1, p)  (i C(n,i) = n C(n-1,i-1))
    expected_errors_beyond_t = n * ps * binomial_tail(t - 1, n - 1, ps)
    ser_out = expected_errors_beyond_t / n
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(ps > 0, ser_out * pb / np.where(ps > 0, ps, 1.0), 0.0)
    return out


def _check_levels(levels: int) -> None:
    if int(levels) != levels or levels < 2:
        raise ValueError(f"levels must be an integer >= 2, got {levels!r}")
