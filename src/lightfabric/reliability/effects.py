"""Which failures stop a job and which only slow it, and by how much.

Every failure class carries a *role* (the kind of element it is: a GPU's own link, a first-tier
switch, a link between switches, an upper switch, the scale-up switching); the scenario's
``reliability.failure_effects`` says, per role, whether a failure interrupts the jobs it reaches or
degrades their bandwidth. By default every role interrupts, which is what the one field count
says: on Meta's RoCE fabric (Llama 3, 54 days on 16,384 H100), 35 "network switch/cable"
interruptions, 0.65 a day (Poisson 95 %: 0.45-0.90); the model gives about 0.8 when switch links and
spines interrupt and 0.23 when they only degrade (docs/reliability.md). A GPU's own link, its NIC
and its leaf cut the GPU from a synchronous job whatever the fabric (Alibaba HPN, SIGCOMM 2024:
"training halts immediately" on a NIC-ToR link failure); a fabric that routes around a failed
uplink or spine within the NCCL transport timeout (InfiniBand SHIELD, per-packet adaptive
routing) loses bandwidth instead, which ``degrade`` models.

What a degrading failure costs is measured, not assumed: :func:`degraded_bandwidth` runs the flow
simulator on an all-to-all over the first leaves of the design with one uplink of the first leaf
failed, and keeps the share of the collective's speed that survives.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lightfabric.design import Design

ROLES = ("gpu_links", "first_switches", "switch_links", "upper_switches", "scale_up_switches")
ROLE_LABELS = {
    "gpu_links": "a GPU's own links, its NIC and their optics",
    "first_switches": "leaf / top-of-rack switches",
    "switch_links": "links between switches and their optics",
    "upper_switches": "spine, core and optical circuit switches",
    "scale_up_switches": "scale-up switch chips and the links between them",
}
PROBE_GPUS = 256                 # the all-to-all the degraded bandwidth is measured with
PROBE_BYTES = 1e9
PROBE_OP, PROBE_ALGORITHM, PROBE_ROUTING = "all-to-all", "direct", "spread"


def effect_of(role: str, effects) -> str:
    """``interrupt`` or ``degrade`` for a failure of ``role`` under the scenario's ``failure_effects``."""
    return getattr(effects, role)


def _fingerprint(design: Design) -> tuple:
    plan = design.plan
    sc = plan.scenario
    return (design.fabric.topology, repr(sorted(design.fabric.summary.items(), key=lambda kv: kv[0])),
            sc.cluster.gpus, sc.scale_out.model_dump_json(), sc.scale_up.model_dump_json() if sc.scale_up else None)


def degraded_bandwidth(design: Design) -> dict:
    """Share of a collective's speed left with one switch-to-switch link failed, from the flow simulator.

    An all-to-all (direct, 1 GB per GPU, ``spread`` routing with resilient ECMP) among the first
    :data:`PROBE_GPUS` GPUs, healthy and with one uplink of the first leaf failed, bandwidth only
    (links without latency): ``retained`` = healthy time / degraded time. A non-blocking tree whose leaves are not saturated keeps all of it;
    an oversubscribed leaf loses about 1/uplinks. Returns the run's settings with ``retained``.
    """
    return dict(_degraded(design, _fingerprint(design)))


_CACHE: dict[tuple, tuple] = {}


def _degraded(design: Design, key: tuple) -> tuple:
    if key in _CACHE:
        return _CACHE[key]
    from lightfabric.netsim.collectives import simulated
    from lightfabric.netsim.topo import topo_of

    topo = topo_of(design)
    # bandwidth only: without latency the result depends on the fabric and its rates, not on the
    # technology, so the designs of a scenario share one run
    graph = topo.build_graph()
    graph = replace(graph, latency_s=np.zeros(graph.links))
    n = int(min(design.plan.scenario.cluster.gpus, PROBE_GPUS))
    base = {"op": PROBE_OP, "algorithm": PROBE_ALGORITHM, "routing": PROBE_ROUTING, "size_bytes": PROBE_BYTES,
            "gpus": n}
    if n < 2 or not len(graph.failable_up):
        out = {**base, "retained": 1.0, "failed": None,
               "note": "the fabric has no links between switches to fail: nothing degrades"}
    else:
        ranks = np.arange(n, dtype=np.int64)
        ok = simulated(graph, PROBE_OP, PROBE_ALGORITHM, ranks, PROBE_BYTES, PROBE_ROUTING, 0)
        bad = simulated(graph.with_failures([graph.failable_up[0], graph.failable_down[0]]), PROBE_OP,
                        PROBE_ALGORITHM, ranks, PROBE_BYTES, PROBE_ROUTING, 0)
        out = {**base, "retained": float(ok.time_s / bad.time_s), "failed": f"one of the first leaf's "
               f"{graph.failable_label}", "note": "flow-level simulation (lightfabric collective --simulate)"}
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = tuple(out.items())
    return _CACHE[key]
