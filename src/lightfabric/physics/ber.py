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
.. [4] IEEE P802.3dj (200 Gb/s per lane): 500 m DR PMDs run at 106.25 GBd with KP4 alone; the 2 km
   DR-2, FR4 and LR4 PMDs at 113.4375 GBd carry an inner Hamming(128,120) code (extended
   Hamming, 12 RS symbols of 12 different codewords per block) under KP4 (SFF-8024 media rates;
   Signal Integrity Journal, "200+ Gbps Ethernet FEC Analysis").
.. [5] W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23:631-637,
   1969 (the ``erfc`` of C's libm, which ``math.erfc`` calls); M. J. Wichura, "Algorithm AS 241: the
   percentage points of the normal distribution", Applied Statistics 37(3):477-484, 1988 (the
   inverse used by ``statistics.NormalDist.inv_cdf``, relative error about 1e-16).

Start-up: no scipy here (importing ``scipy.special`` costs every command about 0.2 s and pulls in
``numpy.f2py``, ``numpy.ma`` and ``numpy.testing``). ``erfc`` is ``math.erfc`` element by element, its
inverse ``statistics.NormalDist.inv_cdf``, and the binomial tail an exact finite sum; each equals
the ``scipy.special`` function it replaces (``erfc``, ``erfcinv``, ``bdtrc``) to 2e-13, 1e-13 and
1e-12 relative, and the binomial tail exact rational arithmetic to 2e-13
(``tests/test_physics_fast.py``). Only :func:`binomial_tail` with ``n > 1020`` (a binomial
coefficient beyond a float) imports ``scipy.special``, inside the function.
"""

from __future__ import annotations

import functools
import math

import numpy as np

KP4_N = 544                  # RS(544,514) codeword, symbols
KP4_K = 514
KP4_T = 15                   # correctable symbols per codeword
KP4_SYMBOL_BITS = 10
KP4_PRE_FEC_BER = 2.4e-4     # BER at which IEEE 802.3 specifies 100G/lane PAM4 optical PMDs [3]


_SQRT2 = math.sqrt(2.0)


def _elementwise(fn, x):
    """``fn`` (float -> float) on every element of ``x``: a numpy float for a scalar, else an array."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return np.float64(fn(float(x)))
    return np.frompyfunc(fn, 1, 1)(x).astype(float)


def _q_tail(x: float) -> float:
    return 0.5 * math.erfc(x / _SQRT2)


def _q_inverse(tail: float) -> float:
    """``x`` with ``Q(x) = tail``: ``-Phi^-1(tail)`` (AS 241 [5]); +inf at 0, -inf at 1, NaN outside [0, 1]."""
    if not 0.0 < tail < 1.0:
        return math.inf if tail == 0.0 else -math.inf if tail == 1.0 else math.nan
    from statistics import NormalDist              # about 10 ms, once: only where a Q-factor is inverted
    return -NormalDist().inv_cdf(tail)


def gaussian_q(x):
    """Tail probability of the standard normal, ``Q(x) = erfc(x / sqrt 2) / 2`` (``math.erfc`` [5])."""
    return _elementwise(_q_tail, x)


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
    return _elementwise(_q_inverse, tail)            # sqrt(2) erfcinv(2 tail) [5]


def ser_pam_from_snr(snr, levels: int = 4):
    """PAM-M symbol error ratio from the electrical SNR (average signal power over noise power).

    ``SER = 2 (1 - 1/M) Q( sqrt(3 SNR / (M^2 - 1)) )`` for levels symmetric about zero [1].
    """
    _check_levels(levels)
    snr = np.asarray(snr, dtype=float)
    return 2.0 * (1.0 - 1.0 / levels) * gaussian_q(np.sqrt(3.0 * snr / (levels ** 2 - 1)))


_EXACT_BINOMIAL_N = 1020          # C(n, n/2) stays below the largest float up to n = 1029


@functools.lru_cache(maxsize=16)
def _binomial_coefficients(k: int, n: int):
    """``i = k+1..n`` and ``C(n, i)`` as floats and as their logs, from the exact integers."""
    exact = [math.comb(n, j) for j in range(k + 1, n + 1)]
    return (np.arange(k + 1, n + 1), np.array([float(c) for c in exact]), np.array([math.log(c) for c in exact]))


def binomial_tail(k: int, n: int, p):
    """``P(X > k)`` for ``X ~ Binomial(n, p)``: zero for ``k >= n``, one for ``k < 0``, NaN for ``p``
    outside [0, 1].

    The exact sum ``sum_{i=k+1}^{n} C(n, i) p^i (1-p)^(n-i)``, every term from the integer
    ``C(n, i)``, ``p^i`` and ``exp((n-i) log1p(-p))``: positive terms, no cancellation, so the
    tail is as precise far out (a KP4 codeword failure of 1e-30) as near one. It equals
    ``scipy.special.bdtrc`` (the regularized incomplete beta function) and ``scipy.stats.binom.sf``
    to 1e-12 relative (exact rational arithmetic to 2e-13) without importing either
    (``scipy.stats`` costs a second at start-up, ``scipy.special`` 0.2 s). Beyond ``n = 1020``
    (coefficients past a float) ``scipy.special.bdtrc``.
    """
    p = np.asarray(p, dtype=float)
    if k >= n:
        return np.zeros_like(p)
    if n > _EXACT_BINOMIAL_N:
        from scipy import special
        return special.bdtrc(k, n, p)
    bad = ~((p >= 0.0) & (p <= 1.0))                           # NaN too
    if k < 0:
        return np.where(bad, np.nan, 1.0) + np.zeros_like(p)
    i, coefficient, log_coefficient = _binomial_coefficients(k, n)
    pc = np.where(bad, 0.5, p)[..., None]
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        power = np.power(pc, i)                                 # p^i
        rest = np.where(i == n, 1.0, np.exp((n - i) * np.log1p(-pc)))   # (1-p)^(n-i)
        terms = coefficient * power * rest
        # a factor below the normal floats (the term may not be): the term in logs, about 1e-13
        tiny = (power < 1e-290) | (rest < 1e-290)
        if tiny.any():
            logs = log_coefficient + i * np.log(pc) + (n - i) * np.log1p(-pc)
            terms = np.where(tiny, np.exp(np.where(i == n, log_coefficient + i * np.log(pc), logs)), terms)
    out = terms.sum(axis=-1)
    return np.where(bad, np.nan, out) if bad.any() else out


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


HAMMING_N = 128             # inner code of 802.3dj 2 km PMDs: extended Hamming(128,120)


def inner_hamming_ber(pre_fec_ber, n: int = HAMMING_N):
    """Bit error ratio after a hard-decision extended Hamming(``n``, ``n``-8) decoder [4].

    A block with one error is corrected; a block with ``k >= 2`` errors keeps them and, about half
    the time, a wrong correction adds one: ``BER_out = sum_{k>=2} P(k) (k + 1/2) / n``. Soft
    decision does better; this is the conservative bound. The interleaver spreads each block over
    12 RS codewords, so the outer code sees independent errors.
    """
    p = np.asarray(pre_fec_ber, dtype=float)
    p0 = np.power(1.0 - p, n)
    p1 = n * p * np.power(1.0 - p, n - 1)
    mean_errors = n * p                                    # E[k]
    # E[k; k >= 2] + 0.5 P(k >= 2)
    beyond = mean_errors - p1 + 0.5 * (1.0 - p0 - p1)
    return np.clip(beyond / n, 0.0, None)


class Fec:
    """The forward error correction of one PMD: its name and what it leaves of a pre-FEC BER."""

    def __init__(self, name: str, inner: bool):
        self.name, self.inner = name, inner

    def post_fec_ber(self, pre_fec_ber):
        ber = inner_hamming_ber(pre_fec_ber) if self.inner else pre_fec_ber
        return post_fec_ber(ber)


KP4 = Fec("RS(544,514) (KP4)", inner=False)
KP4_INNER = Fec("Hamming(128,120) inner + RS(544,514) (KP4)", inner=True)


def fec_for(lane_rate_gbps: float, length_m: float) -> Fec:
    """The FEC of a PMD: KP4 end to end; at 200G per lane beyond 500 m (the 2 km DR-2 and FR4 PMDs)
    the inner Hamming code too [4]."""
    return KP4_INNER if lane_rate_gbps >= 200 and length_m > 500 else KP4


def ber_text(ber) -> str:
    """A BER as an engineer reads it: below 1e-15 it is not measurable and says so."""
    if ber is None:
        return "-"
    return "< 1e-15" if ber < 1e-15 else f"{ber:.2g}"


def _check_levels(levels: int) -> None:
    if int(levels) != levels or levels < 2:
        raise ValueError(f"levels must be an integer >= 2, got {levels!r}")
