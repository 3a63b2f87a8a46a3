"""The sweep's slow path made faster (issue 25 item 2) gives the same numbers as the code it replaced.

Each shortcut is checked against the computation it stands for: the Poisson quantile against
``scipy.stats.poisson.ppf``, the laser outage against ``poisson.sf``, the scalar goodput against the
array functions of :mod:`lightfabric.reliability.checkpoint` (bit for bit), the per-catalog FIT
caches against a fresh catalog, and the sweep's shared traffic figures against each design's own.
Whole rows are checked against stored outputs in tests/test_build_speed.py and against the
single-design commands in tests/test_sweep_run.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lightfabric
from lightfabric.reliability import checkpoint, rates
from lightfabric.reliability.inventory import laser_outage_fraction
from lightfabric.reliability.jobs import _goodput
from lightfabric.reliability.spares import poisson_quantile, spares_for_fill_rate


def test_poisson_quantile_is_scipys():
    from scipy.stats import poisson
    rng = np.random.default_rng(7)
    means = np.concatenate([[0.0, 1e-12, 1e-6, 0.5, 1.0, 2.0, 3.0, 10.0, 100.0, 1e4],
                            10 ** rng.uniform(-9, 5, 20_000)])
    for q in (0.5, 0.9, 0.95, 0.99, 0.999, 0.9999):
        ours = np.array([poisson_quantile(q, float(m)) for m in means])
        assert np.array_equal(ours, poisson.ppf(q, means).astype(int)), q


def test_spares_refuse_bad_input_as_before():
    with pytest.raises(ValueError, match="fill_rate"):
        spares_for_fill_rate(1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="rate and lead time"):
        spares_for_fill_rate(-1.0, 1.0, 0.9)
    assert spares_for_fill_rate(0.0, 100.0, 0.95) == 0


def test_laser_outage_is_poisson_sf():
    from scipy.stats import poisson
    for lasers, fit, window, spares in ((16, 500.0, 720.0, 1), (64, 2000.0, 2000.0, 2), (8, 10.0, 24.0, 4)):
        mu = lasers * fit * 1e-9 * window
        assert laser_outage_fraction(lasers, fit, window, spares) == float(poisson.sf(spares - 1, mu))
    assert laser_outage_fraction(16, 500.0, 720.0, 0) == 1.0


def _goodput_arrays(rate, delta, restart, planned=0.0):
    """The goodput as computed before: through the array functions."""
    if rate <= 0:
        g = 1.0
    else:
        m = 1.0 / rate
        tau = float(checkpoint.daly_interval_h(delta, m))
        g = float(checkpoint.goodput(tau, delta, restart, m))
    return max(0.0, g * (1.0 - planned * restart))


def test_scalar_goodput_is_bit_for_bit_the_array_one():
    rng = np.random.default_rng(3)
    for _ in range(20_000):
        rate, delta = 10 ** rng.uniform(-9, 0.5), 10 ** rng.uniform(-4, 0.5)
        restart = rng.uniform(0, 0.5)
        planned = 0.0 if rng.random() < 0.5 else 10 ** rng.uniform(-7, -2)
        assert _goodput(rate, delta, restart, planned) == _goodput_arrays(rate, delta, restart, planned)
    assert _goodput(0.0, 0.01, 0.1) == 1.0
    assert _goodput(1e3, 1.0, 0.1) == _goodput_arrays(1e3, 1.0, 0.1)      # delta >= 2M: the array path


def test_fit_caches_equal_a_fresh_catalog():
    from lightfabric.catalog import Catalog, OpticalEngine, PluggableModule
    cached = Catalog.default()
    fresh = Catalog.from_directory()       # a new catalog object: empty caches
    for m in cached.of_kind(PluggableModule)[:20]:
        for _ in range(2):       # the second call is served by the cache
            a = rates.module_fit(cached, m)
        assert a.items == rates._module_fit(fresh, fresh.get(m.id), None, 3.0).items
        a.items.clear()                                    # a caller's copy: the cache is not touched
        assert rates.module_fit(cached, m).items
    for e in cached.of_kind(OpticalEngine):
        assert rates.engine_fit(cached, e).items == rates._engine_fit(fresh, fresh.get(e.id)).items
    from lightfabric.catalog import Nic, SwitchAsic
    for p in cached.of_kind(SwitchAsic) + cached.of_kind(Nic):
        for _ in range(2):
            assert rates.failure_rate(cached, p) == rates.failure_rate(fresh, fresh.get(p.id))
    # a part without an entry is refused every time, not only the first
    from lightfabric.catalog import OpticalEngine as Engine
    engine = cached.of_kind(Engine)[0]
    for _ in range(2):
        with pytest.raises(rates.NoFailureRate):
            rates.failure_rate(cached, engine)


def test_a_sweep_point_shares_traffic_figures_only_among_its_own_fabric():
    from lightfabric.compare import compare
    from lightfabric.sweep.evaluate import _traffic_key, traffic_figures
    sc = lightfabric.Scenario.model_validate({
        "name": "t", "cluster": {"gpus": 32768, "gpu": "gb300"},
        "scale_out": {"switch": "tomahawk-5", "port_rate_gbps": 400, "nic": "connectx-8", "tiers": 3,
                      "oversubscription": 2.0},
        "technologies": ["pluggable-dsp", "lpo", "cpo"]})
    results = [r for r in compare(sc).results if r.feasible]
    assert len(results) >= 2 and len({_traffic_key(r.design) for r in results}) == 1
    figures = {traffic_figures(r.design) for r in results}
    assert len(figures) == 1
    (u, e_u), (p, e_p) = figures.pop()
    assert 0 < e_u < 1 and 0 < e_p < 1 and not math.isnan(e_u)
