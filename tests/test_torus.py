"""The reconfigurable torus (TPU pods): counts against TPU v4's published pod, slices formed around a
failed cube, torus collectives against their closed form and against routing every flow, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import lightfabric
from lightfabric import parse_scenario
from lightfabric.errors import LightfabricError
from lightfabric.netsim.collectives import Phase, ShiftPhases, closed_form, phase_closed_form, simulated
from lightfabric.netsim.topo import topo_of
from lightfabric.reliability.inventory import inventory
from lightfabric.topology.torus import allocate_slices, cube_links, face_positions, squarest_grid
from lightfabric.topology.torus_paths import ring_all_pairs_load

from test_cli import lf

POD = """
name: torus-test
cluster: {{gpus: {gpus}, gpu: tpu-ironwood}}
scale_out: {{topology: torus, {extra}}}
placement: {{gpus_per_rack: 64}}
economics: {{gpu_hour_usd: 4.0}}
technologies: [pluggable-dsp, copper]
"""


def pod(gpus: int = 4096, extra: str = "torus: {cube: [4, 4, 4]}") -> lightfabric.Scenario:
    return parse_scenario(POD.format(gpus=gpus, extra=extra), "torus.yaml")


@pytest.fixture(scope="module")
def v4_like(catalog):
    """TPU v4's pod geometry (64 cubes of 4x4x4) on the Palomar OCS."""
    return lightfabric.compare(pod(), catalog)


def test_counts_match_tpu_v4s_pod(v4_like):
    """Jouppi et al. (ISCA 2023) via HPCwire: 4,096 chips in 64 cubes joined by 48 OCS; 96 face
    links a cube, "1.5 optical transceivers per TPU" (NextBigFuture 2025)."""
    f = v4_like.plan.fabric
    assert f.summary["cubes"] == 64
    assert f.group("cube-faces").links == 64 * 96 and f.summary["face_ends_per_chip"] == 1.5
    assert f.group("in-cube").links == 64 * 3 * 16 * 3          # 16 lines of 3 links along each axis
    r = v4_like.result("copper")
    faces = next(g for g in r.design.link_groups if g.name == "cube-faces")
    assert faces.lower_end.fiber_pairs == 1                        # a WDM module: one OCS port with circulators
    assert r.design.ocs["ocs_units"] == 48
    # one pluggable at each face end, copper inside the cube
    modules = sum(line.count for line in r.design.bom if line.role.startswith("cube-faces links, lower end"))
    assert modules == 6144
    assert next(g for g in r.design.link_groups if g.name == "in-cube").technology == "copper"


def test_cube_arithmetic_by_hand():
    assert cube_links((4, 4, 4)) == (144, 96)
    assert cube_links((2, 3, 4)) == (1 * 3 * 4 + 2 * 2 * 4 + 2 * 3 * 3, 2 * (12 + 8 + 6))
    assert face_positions((4, 4, 4)) == 48
    assert squarest_grid(64) == (4, 4, 4) and squarest_grid(144) == (4, 6, 6) and squarest_grid(7) == (1, 1, 7)


def test_a_pod_larger_than_the_ocs_is_refused(catalog):
    """Each face position's 2 x 144 ends must meet on one OCS: Palomar has 136 ports a side."""
    with pytest.raises(LightfabricError) as e:
        lightfabric.compare(pod(9216), catalog)
    assert e.value.field == "scale_out.ocs" and "144 ports a side" in str(e.value)
    ok = lightfabric.compare(pod(9216, "ocs: lumentum-r300"), catalog)
    assert ok.result("copper").design.ocs["ocs_units"] == 48


def test_a_failed_cube_is_formed_around(catalog):
    """Slices take healthy cubes only; the circuits join each cube of a slice to its neighbours
    along each axis (one + and one - face per cube and axis); the collective on the re-formed slice
    takes the same time; with no spare cube left the slice cannot be formed."""
    healthy = lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 4]]}"), catalog)
    failed = lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 4]], failed_cubes: [1, 2]}"),
                                 catalog)
    s_ok, s_re = healthy.plan.fabric.detail.slices[0], failed.plan.fabric.detail.slices[0]
    assert s_ok.cubes.tolist() == [0, 1, 2, 3] and s_re.cubes.tolist() == [0, 3, 4, 5]
    for axis, pairs in s_re.circuits().items():
        assert not np.isin(pairs, [1, 2]).any()
        assert sorted(pairs[:, 0]) == sorted(pairs[:, 1]) == [0, 3, 4, 5]
    assert s_re.circuits()["x"].tolist() == [[0, 3], [3, 0], [4, 5], [5, 4]]   # a grid of 2 x 2 x 1 cubes
    assert s_re.circuits()["z"].tolist() == [[0, 0], [3, 3], [4, 4], [5, 5]]   # one cube long: its own faces
    assert failed.plan.fabric.summary["spare_cubes"] == 2
    times = [closed_form(topo_of(c.result("copper").design), "all-reduce", "torus", np.arange(256), 1e8).time_s
             for c in (healthy, failed)]
    assert times[0] == pytest.approx(times[1])
    with pytest.raises(LightfabricError) as e:
        lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 8]], failed_cubes: [7]}"), catalog)
    assert e.value.field == "scale_out.torus.slices" and "7 more cube(s)" in str(e.value)


def test_allocation_in_order_and_bad_shapes():
    out = allocate_slices(10, (2, 2, 2), [(4, 2, 2), (2, 2, 4)], [0, 3])
    assert [s.cubes.tolist() for s in out] == [[1, 2], [4, 5]]
    with pytest.raises(LightfabricError) as e:
        allocate_slices(10, (2, 2, 2), [(3, 2, 2)], [])
    assert e.value.field == "scale_out.torus.slices[0]" and "x a multiple of 2" in str(e.value)
    with pytest.raises(LightfabricError) as e:
        allocate_slices(10, (2, 2, 2), [(2, 2, 2)], [10])
    assert e.value.field == "scale_out.torus.failed_cubes"


def test_torus_all_reduce_closed_form_by_hand_and_simulated(catalog):
    """Rings along x, y, z in turn, both ways round: sum over axes of (k - 1) S_a / (2 k B), twice."""
    c = lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 4]]}"), catalog)
    topo = topo_of(c.result("copper").design)
    size, link_bytes_per_s = 1e9, 800e9 / 8
    beta, s = 0.0, size
    for k in (8, 8, 4):
        beta += (k - 1) * s / (2 * k * link_bytes_per_s)
        s /= k
    cf = closed_form(topo, "all-reduce", "torus", np.arange(256), size)
    alpha = sum(p["alpha_s"] * p["repeat"] for p in cf.phases)
    assert cf.time_s - alpha == pytest.approx(2 * beta, rel=1e-9)
    assert sum(p["repeat"] for p in cf.phases) == 2 * (7 + 7 + 3)
    sim = simulated(topo.build_graph(), "all-reduce", "torus", np.arange(256), size)
    assert sim.max_link_utilization == pytest.approx(1.0)
    assert sim.time_s == pytest.approx(cf.time_s, rel=0.01)
    # the torus algorithm only on a whole slice
    with pytest.raises(LightfabricError, match="whole slice"):
        closed_form(topo, "all-reduce", "torus", np.arange(128), size)


def test_all_to_all_link_load_closed_form_equals_routing_every_pair(catalog):
    """The arithmetic of the whole slice's all-to-all (N/k x a ring's all-pairs load, per axis)
    against routing all 65,280 pairs and counting each link's flows."""
    c = lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 4]]}"), catalog)
    topo = topo_of(c.result("copper").design)
    ranks = np.arange(256)
    i, j = np.divmod(np.arange(256 * 256), 256)
    keep = i != j
    links = topo.dor_links(ranks[i[keep]], ranks[j[keep]])
    counted = np.bincount(links[links >= 0]).max()
    assert topo.all_pairs_load(1.0) == counted
    # a ring's all-pairs load by hand: k^2/8 for k = 4 and 8 (the tie split by parity is exact there)
    assert ring_all_pairs_load(4) == 2 and ring_all_pairs_load(8) == 8 and ring_all_pairs_load(5) == 3


def test_shifted_closed_form_is_not_confused_by_reused_ids(catalog):
    """Each shift phase's closed form is its own: the sum equals the phases computed one by one
    (a cache keyed by array ids once took freed arrays' ids for later phases)."""
    c = lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 4]]}"), catalog)
    topo = topo_of(c.result("copper").design)
    ranks = np.arange(64)
    total = closed_form(topo, "all-to-all", "shifted", ranks, 1e6).time_s
    one_by_one = sum(phase_closed_form(topo, ph)["time_s"] for ph in ShiftPhases(ranks, 1e6 / 64))
    assert total == pytest.approx(one_by_one, rel=1e-12)
    assert len({round(phase_closed_form(topo, Phase("x", ranks, np.roll(ranks, -k), 1.0))["time_s"], 15)
                for k in (1, 8, 31)}) > 1                       # the phases do differ on a torus


def test_reliability_a_failed_link_takes_its_cube_and_an_ocs_every_slice(catalog):
    c = lightfabric.compare(pod(512, "torus: {cube: [4, 4, 4], slices: [[8, 8, 4], [4, 4, 8]]}"), catalog)
    classes = {fc.name: fc for fc in inventory(c.result("copper").design)}
    faces = classes["cube-faces links, lower-end modules"]
    assert faces.gpus_waiting == 64
    ocs = classes["optical circuit switches"]
    assert ocs.gpus_waiting == 6 * 64           # the chips of both slices


@pytest.mark.parametrize("extra, field", [
    ("switch: tomahawk-5, torus: {cube: [4, 4, 4]}", "scale_out.switch"),
    ("planes: 2", "scale_out.planes"),
])
def test_switch_keys_are_refused_on_a_torus(catalog, extra, field):
    with pytest.raises(LightfabricError) as e:
        lightfabric.compare(pod(512, extra), catalog)
    assert e.value.field == field


def test_bad_torus_input_exits_2(tmp_path):
    cases = {
        "whole cubes": (POD.format(gpus=500, extra="torus: {cube: [4, 4, 4]}"), "cluster.gpus"),
        "no direct links": (POD.format(gpus=512, extra="torus: {cube: [4, 4, 4]}").replace("tpu-ironwood", "gb300"),
                            "cluster.gpu"),
        "slice of part cubes": (POD.format(gpus=512, extra="torus: {cube: [4, 4, 4], slices: [[6, 4, 4]]}"),
                                "scale_out.torus.slices[0]"),
        "zero side": (POD.format(gpus=512, extra="torus: {cube: [0, 4, 4]}"), "scale_out.torus.cube"),
        "failed cube outside": (POD.format(gpus=512, extra="torus: {cube: [4, 4, 4], failed_cubes: [8]}"),
                                "scale_out.torus.failed_cubes"),
    }
    for name, (text, field) in cases.items():
        path = tmp_path / f"{name.replace(' ', '-')}.yaml"
        path.write_text(text)
        r = lf("compare", str(path))
        assert r.returncode == 2, (name, r.stdout + r.stderr)
        assert field in r.stderr + r.stdout and "Traceback" not in r.stderr, (name, r.stderr)


def test_torus_algorithm_refused_on_a_clos():
    r = lf("collective", "examples/fat-tree-64k-clos.yaml", "--op", "all-reduce", "--algorithm", "torus",
           "--gpus", "64", "--size-bytes", "1e6")
    assert r.returncode == 2 and "not a torus" in r.stderr + r.stdout
