"""Fast paths of issue 25 against the general ones: the value key of a link group (the
``try_technology`` cache), the routing of a whole phase through the tree at once, the leaf classes
computed for the pairs on different leaves only, the reused renumbering tables of
:class:`~lightfabric.netsim.maxmin.FlowLinks`, and the closed form of a phase at a million GPUs (pods,
leaf classes and the busiest GPU by arithmetic, no copies of the flows) against the one before."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lightfabric.compare import compare
from lightfabric.design import choice
from lightfabric.netsim.maxmin import FlowLinks
from lightfabric.netsim.topo import topo_of
from lightfabric.scenario.loader import load_scenario, parse_scenario
from lightfabric.technologies.base import Endpoint, GroupSpec
from lightfabric.topology.clos_paths import ClosPaths

# --- the value key of a group ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tried():
    """(plan, spec, technology) of every try_technology call of a compare of the default scenario."""
    seen = []
    original = choice.try_technology

    def spy(plan, spec, tech):
        seen.append((plan, spec, tech))
        return original(plan, spec, tech)

    choice.try_technology = spy
    try:
        compare(load_scenario(None))
    finally:
        choice.try_technology = original
    assert seen
    return seen


def _other(value):
    """A different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "-x"
    if value is None:
        return 41.0
    raise TypeError(type(value))


def _variants(spec: GroupSpec):
    """(what changed, spec) for a change of every field of the spec, of its ends and its lengths."""
    for f in dataclasses.fields(GroupSpec):
        value = getattr(spec, f.name)
        if isinstance(value, Endpoint):
            for e in dataclasses.fields(Endpoint):
                v = getattr(value, e.name)
                if e.name == "device":
                    continue            # below: another part of the catalog
                if e.name == "port":
                    for k in type(v).model_fields:
                        port = v.model_copy(update={k: getattr(v, k) + 1})
                        yield f"{f.name}.port.{k}", dataclasses.replace(spec, **{f.name: dataclasses.replace(value, port=port)})
                    continue
                yield f"{f.name}.{e.name}", dataclasses.replace(spec, **{f.name: dataclasses.replace(value, **{e.name: _other(v)})})
        elif f.name == "lengths":
            for lf in dataclasses.fields(value):
                if lf.compare:
                    yield f"lengths.{lf.name}", dataclasses.replace(
                        spec, lengths=dataclasses.replace(value, **{lf.name: _other(getattr(value, lf.name))}))
        else:
            yield f.name, dataclasses.replace(spec, **{f.name: _other(value)})


def test_specs_differing_in_any_field_have_different_keys_and_equal_specs_equal_keys(tried):
    seen_specs = {id(s): s for _, s, _ in tried}
    for spec in seen_specs.values():
        twin = dataclasses.replace(spec)                   # equal, another object (its key computed anew)
        assert twin is not spec and twin == spec
        assert twin.value_key == spec.value_key and hash(twin.value_key) == hash(spec.value_key)
        names = set()
        for what, changed in _variants(spec):
            names.add(what.split(".")[0])
            assert changed != spec, what
            assert changed.value_key != spec.value_key, what
        # every field of the spec was changed once
        assert names == {f.name for f in dataclasses.fields(GroupSpec)}


def test_another_device_is_another_key(tried):
    plan, spec, _ = tried[0]
    others = [p for p in plan.catalog.of_kind(type(spec.upper.device)) if p.id != spec.upper.device.id]
    assert others
    changed = dataclasses.replace(spec, upper=dataclasses.replace(spec.upper, device=others[0]))
    assert changed.value_key != spec.value_key


def test_a_device_that_is_not_the_catalogs_part_is_keyed_by_value(tried):
    """A device of the same id with other values (not the catalog's own part) must not hit the
    cached result of the catalog's part: the key is then the spec itself, every value of it."""
    plan, spec, tech = tried[0]
    device = spec.upper.device
    field = next(k for k, v in type(device).model_fields.items()
                 if isinstance(getattr(device, k), float) and not isinstance(getattr(device, k), bool))
    altered = device.model_copy(update={field: getattr(device, field) + 1.0})
    other = dataclasses.replace(spec, upper=dataclasses.replace(spec.upper, device=altered))
    assert other.value_key == spec.value_key          # the id alone does not tell them apart ...
    calls = []
    original = choice._try_technology

    def counting(plan_, spec_, tech_):
        calls.append(spec_)
        return original(plan_, spec_, tech_)

    choice._try_technology = counting
    try:
        choice.try_technology(plan, spec, tech)       # cached
        assert not calls
        choice.try_technology(plan, other, tech)      # ... so it is not served from the cache
        assert calls == [other]
    finally:
        choice._try_technology = original


# --- routing a phase at once ----------------------------------------------------------------------

SMALL = """
name: small
cluster: {{gpus: {gpus}, gpu: gb300}}
scale_out: {{switch: tomahawk-5, port_rate_gbps: 800, nic: connectx-8, tiers: {tiers}}}
technologies: [pluggable-dsp]
"""


@pytest.fixture(scope="module", params=[(512, 2), (4096, 3), (2000, 3)])
def clos_graph(request):
    gpus, tiers = request.param
    topo = topo_of(compare(parse_scenario(SMALL.format(gpus=gpus, tiers=tiers))).result("pluggable-dsp").design)
    graph = topo.build_graph()
    assert type(graph.model) is ClosPaths
    return graph


@pytest.mark.parametrize("routing", ["spread", "hash"])
@pytest.mark.parametrize("failed", [False, True])
def test_routing_all_flows_at_once_equals_routing_them_as_rows(clos_graph, routing, failed):
    rng = np.random.default_rng(5)
    graph, model = clos_graph, clos_graph.model
    if failed:
        pick = rng.choice(len(graph.failable_up), max(1, len(graph.failable_up) // 20), replace=False)
        graph = graph.with_failures(np.concatenate([graph.failable_up[pick], graph.failable_down[pick]]))
    n = model.gpus
    for case in range(6):
        k = int(rng.integers(1, 3 * n))
        src = rng.integers(0, n, k)
        dst = rng.integers(0, n, k) if case % 2 else (src + int(rng.integers(1, n))) % n
        fast = np.full((k, 6), -1, dtype=np.int64)
        general = np.full((k, 6), -1, dtype=np.int64)
        model.route_clos(graph, src, dst, routing, 3, out=fast, rows=None)
        model.route_clos(graph, src, dst, routing, 3, out=general, rows=np.arange(k))
        assert np.array_equal(fast, general)
        assert np.array_equal(graph.route(src, dst, routing, 3), general)
        # the leaf classes of the pairs on different leaves only, against the formula on all pairs
        ls, ld = model.leaf_of(src), model.leaf_of(dst)
        if model.tiers == 3:
            plain = np.where(ls == ld, 1, np.where(model.pod_of_leaf(ls) == model.pod_of_leaf(ld), 2, 3))
            assert np.array_equal(model.leaf_class(ls, ld), plain)


# --- the reused tables of FlowLinks ---------------------------------------------------------------

def test_flow_links_with_reused_tables_equal_the_sort():
    """Many graphs in turn (larger and smaller, so the per-thread tables are reused and sliced):
    the links found by marking equal those of the sort of the few, on random paths with padding."""
    rng = np.random.default_rng(11)
    for case in range(40):
        n_links = int(rng.integers(1, 5000))
        flows, hops = int(rng.integers(1, 300)), int(rng.integers(1, 7))
        paths = rng.integers(0, n_links, (flows, hops))
        paths[rng.random(paths.shape) < rng.random()] = -1
        if case % 3 == 0:
            paths = np.asfortranarray(paths)          # laid out hop by hop, as the Clos routing gives
        marked = FlowLinks(paths, n_links)
        # the sort of the few, forced by a link count far above the entries (ids unchanged)
        sorted_ = FlowLinks(paths, n_links * 64 + 10**6)
        assert np.array_equal(marked.used, sorted_.used)
        assert np.array_equal(marked.local(), sorted_.local())
        assert np.array_equal(marked.degree, sorted_.degree)
        assert marked.incidences == int((paths >= 0).sum())
        capacity = rng.uniform(1, 10, len(marked.used))
        assert np.array_equal(marked.solve(capacity), sorted_.solve(capacity))


# --- the kept lengths -----------------------------------------------------------------------------


def test_kept_lengths_are_the_lengths_of_their_own_placement_and_cluster():
    """link_lengths keeps results by value: a second call returns equal figures in a new dict, and
    a placement or cluster that differs in one field is placed again, not served the kept ones."""
    from lightfabric.placement.lengths import ROW_END, amid, clear_lengths_cache, link_lengths
    base = load_scenario(None).placement
    groups = [("nic-leaf", amid(4096), ROW_END)]
    clear_lengths_cache()
    first = link_lengths(base, 65_536, groups)
    again = link_lengths(base, 65_536, groups)
    assert again == first and again is not first
    wider = base.model_copy(update={"rack_width_m": 0.8})
    for placement, gpus in ((wider, 65_536), (base, 16_384)):
        kept = link_lengths(placement, gpus, groups)
        clear_lengths_cache()
        assert kept == link_lengths(placement, gpus, groups)
        assert kept["nic-leaf"].max_m != first["nic-leaf"].max_m


# --- the closed form at a million GPUs ------------------------------------------------------------

def test_leaf_classes_and_pods_by_arithmetic_equal_the_general_formula(clos_graph):
    """Pods of one copy without the copy's division, and the leaf classes of pairs mostly on one leaf
    (a ring: the pods of the others only) and mostly apart (added up): the formula on all pairs."""
    model = clos_graph.model
    s = model.shape
    rng = np.random.default_rng(2)
    n = model.gpus
    leaves = rng.integers(0, s.leaves, 5000)
    assert np.array_equal(model.pod_of_leaf(leaves), (leaves // s.leaves) * s.pods + (leaves % s.leaves) // s.leaves_per_pod)
    ring = np.arange(n)
    for src, dst in ((ring, np.roll(ring, -1)), (rng.integers(0, n, 5000), rng.integers(0, n, 5000)),
                     (rng.integers(0, n, (40, 30)), rng.integers(0, n, (40, 30)))):
        ls, ld = model.leaf_of(src), model.leaf_of(dst)
        pod = lambda leaf: (leaf // s.leaves) * s.pods + (leaf % s.leaves) // s.leaves_per_pod  # noqa: E731
        plain = np.where(ls == ld, 1, np.where(pod(ls) == pod(ld), 2, 3)) if model.tiers == 3 else \
            np.where(ls == ld, 1, 2)
        assert np.array_equal(model.leaf_class(ls, ld), plain)


def test_the_busiest_gpu_counted_either_way():
    from lightfabric.netsim.collectives import _most_flows
    rng = np.random.default_rng(4)
    for k, top in ((3, 1_000_000), (50, 100_000), (10_000, 1_000), (5, 5)):
        gpus = rng.integers(0, top, k)
        assert _most_flows(gpus) == np.bincount(gpus).max()


def _phase_closed_form_before(topo, ph):
    """The closed form of a listed phase as computed before the million-GPU work (masks over every flow)."""
    from lightfabric.netsim.collectives import _busiest
    from lightfabric.topology.paths import SAME_DOMAIN
    bo, bu, b = topo.gpu_bw_gbps * topo.planes * 1e9 / 8.0, topo.scale_up_bw_gbps * 1e9 / 8.0, ph.bytes_per_flow
    src, dst = ph.src, ph.dst
    cls = topo.path_class(src, dst)
    alpha = float(topo.class_latency_s()[np.unique(cls)].max()) if len(src) else 0.0
    su = cls == SAME_DOMAIN if topo.domain_gpus else np.zeros(len(src), dtype=bool)
    out = ~su
    relay = topo.relay(src[out], dst[out]) if out.any() else src[out]
    fwd = relay != src[out]
    t = _busiest(relay, dst[out]) * b / bo if out.any() else 0.0
    if su.any() or fwd.any():
        t = max(t, _busiest(np.concatenate([src[su], src[out][fwd]]), np.concatenate([dst[su], relay[fwd]])) * b / bu)
    if out.any():
        t = max(t, topo.inter_block_time_s(src[out], dst[out], b), topo.link_bound_time_s(src[out], dst[out], b))
    return alpha, t


def _examples():
    from tests.build_speed_cases import EXAMPLES
    return sorted(p.name for p in EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("example", _examples())
def test_the_closed_form_of_each_phase_is_unchanged(example):
    from lightfabric.errors import LightfabricError
    from lightfabric.netsim.collectives import phase_closed_form, phases
    from lightfabric.topology.paths import PathModel
    from tests.build_speed_cases import EXAMPLES
    design = next((r.design for r in compare(load_scenario(EXAMPLES / example)).results if r.feasible), None)
    if design is None:
        pytest.skip("no feasible design")
    topo = topo_of(design)
    if type(topo).max_latency_s is not PathModel.max_latency_s:
        pytest.skip(f"{type(topo).__name__} keeps its own latencies")
    n = min(topo.gpus, 4096)
    ranks = np.arange(n, dtype=np.int64)
    checked = 0
    for op, algorithm in (("all-reduce", "ring"), ("all-reduce", "halving-doubling"), ("all-reduce", "tree"),
                          ("all-reduce", "hierarchical"), ("reduce-scatter", "ring"), ("all-gather", "ring")):
        try:
            listed = list(phases(op, algorithm, ranks, 1e9, topo.domain_gpus, topo.torus_shape()))
        except LightfabricError:   # an algorithm the fabric does not take (hierarchical without domains)
            continue
        for ph in listed:
            if ph.all_pairs is None:
                cf = phase_closed_form(topo, ph)
                assert (cf["alpha_s"], cf["beta_s"]) == _phase_closed_form_before(topo, ph), (op, algorithm, ph.name)
                checked += 1
    assert checked >= 10
