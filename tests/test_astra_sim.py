"""``lightfabric export astra-sim``: the network and system configurations read back and held against
the design's own figures (converted by hand), the traces beside them, and bad input."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

import lightfabric as lf
from lightfabric.interop.chakra import read_trace
from lightfabric.netsim.topo import topo_of
from tests.test_cli import lf as lf_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# The keys of ASTRA-sim's published system example (astra-sim/astra-sim,
# examples/system/native_collectives/HGX-H100-validated.json).
SYSTEM_KEYS = {"scheduling-policy", "endpoint-delay", "active-chunks-per-dimension", "preferred-dataset-splits",
               "all-reduce-implementation", "all-gather-implementation", "reduce-scatter-implementation",
               "all-to-all-implementation", "collective-optimization", "local-mem-bw", "boost-mode"}
# The building blocks and algorithm names ASTRA-sim parses (NetworkParser::parse_topology_name;
# generate_collective_impl_from_input in astra-sim/system/astraccl/CollectiveImplLookup.cc).
BLOCKS = {"Ring", "FullyConnected", "Switch"}
ALGORITHMS = {"ring", "oneRing", "doubleBinaryTree", "direct", "oneDirect", "halvingDoubling", "oneHalvingDoubling"}

TINY_MOE = """name: tiny-moe
parameters: 2.0e9
active_parameters: 6.0e8
layers: 4
moe_layers: 2
hidden: 1024
experts: 8
top_k: 2
sequence_length: 1024
global_batch_tokens: 16384
"""


def exported(tmp_path, scenario, technology, *extra):
    out = tmp_path / "astra"
    p = lf_cli("export", "astra-sim", EXAMPLES / f"{scenario}.yaml", "--technology", technology, "-o", out, *extra)
    assert p.returncode == 0, p.stderr
    net = yaml.safe_load((out / "network.yml").read_text())
    system = json.loads((out / "system.json").read_text())
    topo = topo_of(lf.compare(lf.load_scenario(EXAMPLES / f"{scenario}.yaml")).result(technology).design)
    return out, net, system, topo, p


def latency_ns(topo, class_name) -> float:
    """A path class's latency from the design's path model, in ns."""
    return float(topo.class_latency_s()[topo.class_names.index(class_name)]) * 1e9


def check_common(net, system, out):
    dims = len(net["topology"])
    assert set(net) == {"topology", "npus_count", "bandwidth", "latency"}
    assert all(len(net[k]) == dims for k in net)
    assert set(net["topology"]) <= BLOCKS and all(n > 1 for n in net["npus_count"])
    assert set(system) == SYSTEM_KEYS
    for op in ("all-reduce", "all-gather", "reduce-scatter", "all-to-all"):
        impl = system[f"{op}-implementation"]
        assert len(impl) == dims and set(impl) <= ALGORITHMS
    # lightfabric's step: ring all-reduce, direct all-to-all; one chunk, no endpoint delay
    assert system["all-reduce-implementation"] == ["ring"] * dims
    assert system["all-to-all-implementation"] == ["direct"] * dims
    assert system["preferred-dataset-splits"] == 1 and system["endpoint-delay"] == 0
    assert json.loads((out / "remote_memory.json").read_text()) == {"memory-type": "NO_MEMORY_EXPANSION"}


def test_no_scale_up_is_one_switch_dimension(tmp_path):
    out, net, system, topo, p = exported(tmp_path, "h100-1k-400g-lpo", "lpo")
    check_common(net, system, out)
    assert net["topology"] == ["Switch"] and net["npus_count"] == [1024]
    # ConnectX-7 at 400 Gb/s, one plane: 400 / 8 = 50 GB/s each way
    assert topo.gpu_bw_gbps * topo.planes == 400
    assert net["bandwidth"] == [50.0]
    # two tiers: the longest path is one through a spine; ASTRA-sim's Switch is two links of `latency`
    assert 2 * net["latency"][0] == pytest.approx(latency_ns(topo, "across pods"), abs=2e-6)
    assert 2 * net["latency"][0] == pytest.approx(2011.9, abs=0.05)       # the design's figure, printed by `collective`
    assert "AstraSim_Analytical_Congestion_Aware" in (out / "README.txt").read_text()


def test_scale_up_domain_is_dimension_one(tmp_path):
    out, net, system, topo, p = exported(tmp_path, "gb300-nvl72-64k-cpo", "cpo")
    check_common(net, system, out)
    assert net["topology"] == ["Switch", "Switch"]
    # 65,536 GPUs in NVL72 domains: 910 whole domains and 16 GPUs, rounded up to 911 domains
    assert net["npus_count"] == [72, 911] and math.prod(net["npus_count"]) == 72 * math.ceil(65536 / 72)
    assert "not whole domains of 72" in p.stderr
    assert net["bandwidth"] == [topo.scale_up_bw_gbps / 8, topo.gpu_bw_gbps * topo.planes / 8]
    assert net["bandwidth"] == [7200 / 8, 800 / 8]       # NVLink 7.2 Tb/s each way, one 800G NIC
    assert 2 * net["latency"][0] == pytest.approx(latency_ns(topo, "scale-up"), abs=2e-6)
    assert 2 * net["latency"][1] == pytest.approx(latency_ns(topo, "across pods"), abs=2e-6)
    assert "AstraSim_Analytical_Congestion_Unaware" in (out / "README.txt").read_text()


def test_rail_only_dimensions_multiply_to_the_cluster(tmp_path):
    out, net, system, topo, p = exported(tmp_path, "rail-only-gb300-37k", "lpo")
    check_common(net, system, out)
    assert net["npus_count"] == [72, 512] and math.prod(net["npus_count"]) == 36864 == topo.gpus
    assert net["bandwidth"] == [topo.scale_up_bw_gbps / 8, topo.gpu_bw_gbps * topo.planes / 8]
    # dimension 2 joins GPUs of the same rank in their domains: one rail, never forwarded
    assert 2 * net["latency"][1] == pytest.approx(latency_ns(topo, "rail across pods"), abs=2e-6)
    assert 2 * net["latency"][0] == pytest.approx(latency_ns(topo, "scale-up"), abs=2e-6)


def test_torus_is_three_rings(tmp_path):
    out, net, system, topo, p = exported(tmp_path, "tpu-v4-like-pod-torus", "copper")
    check_common(net, system, out)
    shape, cube = topo.torus_shape(), topo.cube
    assert net["topology"] == ["Ring"] * 3 and net["npus_count"] == list(shape)
    assert math.prod(net["npus_count"]) == topo.gpus
    assert net["bandwidth"] == [topo.link_rate_gbps / 8] * 3
    # by hand: a ring of k chips through cubes of c crosses k / c circuits (two face ends each) and
    # k - k / c links inside a cube; the ring's mean link latency
    inside, faces = topo.link_latency_s["in-cube"], topo.link_latency_s["cube-faces"]
    for k, c, got in zip(shape, cube, net["latency"]):
        crossings = k // c
        assert got == pytest.approx(((k - crossings) * inside + crossings * 2 * faces) / k * 1e9, abs=1e-6)


def test_with_model_and_plan_writes_the_workload(tmp_path):
    model = tmp_path / "tiny.yaml"
    model.write_text(TINY_MOE)
    out, net, system, topo, p = exported(tmp_path, "h100-1k-400g-lpo", "lpo", "--model", model,
                                         "--plan", "tp=2,pp=2,ep=2,dp=4")
    wl = out / "workload"
    files = list(wl.glob("step.*.et"))
    assert len(files) == math.prod(net["npus_count"]) == 1024
    groups = json.loads((wl / "comm_group.json").read_text())
    assert groups["1"] == [0, 1]
    for rank in (0, 15):
        assert len(read_trace(wl / f"step.{rank}.et")[1]) > 0
    for rank in (16, 1023):                           # past the plan's 16 GPUs: metadata, no work
        meta, nodes = read_trace(wl / f"step.{rank}.et")
        assert meta.version == "0.0.4" and nodes == []
    readme = (out / "README.txt").read_text()
    flags = dict(re.findall(r"--([a-z-]+-configuration)=(\S+)", readme))
    assert set(flags) == {"workload-configuration", "comm-group-configuration", "system-configuration",
                          "remote-memory-configuration", "network-configuration"}
    assert Path(flags["workload-configuration"] + ".0.et").exists()
    assert all(Path(v).exists() for k, v in flags.items() if k != "workload-configuration")
    assert "1,024 traces (16 ranks with work)" in p.stdout


@pytest.mark.parametrize("args, words", [
    (("mi355x-tomahawk-6", "--technology", "cpo"), ("--technology", "'cpo'", "infeasible", "pluggable-dsp, lpo")),
    (("h100-1k-400g-lpo", "--technology", "lpp"), ("--technology", "'lpp'", "unknown design", "lpo")),
    (("h100-1k-400g-lpo", "--technology", "lpo", "--model", "moe-1t"), ("--plan", "--model")),
])
def test_bad_input_exits_2_naming_the_option(tmp_path, args, words):
    scenario, *rest = args
    p = lf_cli("export", "astra-sim", EXAMPLES / f"{scenario}.yaml", *rest, "-o", tmp_path / "x")
    assert p.returncode == 2
    for w in words:
        assert w in p.stderr
    assert "Traceback" not in p.stderr


def test_too_big_a_step_is_refused_before_anything_is_written(tmp_path):
    # moe-1t on 65,536 GPUs, tp=8,pp=8,ep=64: 16 micro-batches x 8 layers a stage, 87,687,168 nodes
    out = tmp_path / "astra"
    p = lf_cli("export", "astra-sim", EXAMPLES / "gb300-nvl72-64k-cpo.yaml", "-t", "cpo", "-o", out,
               "--model", "moe-1t", "--plan", "tp=8,pp=8,ep=64")
    assert p.returncode == 2
    assert "--plan" in p.stderr and "tp=8,pp=8,ep=64" in p.stderr and "87,687,168 nodes" in p.stderr
    assert not out.exists()


def test_output_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "f"
    f.write_text("")
    p = lf_cli("export", "astra-sim", EXAMPLES / "h100-1k-400g-lpo.yaml", "-t", "lpo", "-o", f)
    assert p.returncode == 2 and "--output" in p.stderr


def test_dimension_two_latency_is_the_longest_of_its_pairs(tmp_path):
    """Independent of the path classes: the longest latency among every pair GPU 0 - GPU k D."""
    out, net, system, topo, p = exported(tmp_path, "gb300-nvl72-64k-cpo", "cpo")
    D = topo.domain_gpus
    peers = np.arange(D, topo.gpus, D)
    lat = topo.class_latency_s()[topo.path_class(np.zeros_like(peers), peers)]
    assert 2 * net["latency"][1] == pytest.approx(float(lat.max()) * 1e9, abs=2e-6)
