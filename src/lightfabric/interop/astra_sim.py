"""A design's fabric as ASTRA-sim inputs: the analytical network configuration, the system
configuration, and (with a model and a plan) the training step's Chakra traces.

ASTRA-sim (https://github.com/astra-sim/astra-sim; W. Won et al., "ASTRA-sim2.0: Modeling
Hierarchical Networks and Disaggregated Systems for Large-model Training at Scale", ISPASS 2023)
with its analytical backend (https://github.com/astra-sim/astra-network-analytical) sees a network
as dimensions, each one building block (``Ring``, ``FullyConnected`` or ``Switch``) of
``npus_count`` NPUs, a link bandwidth (GB/s) and a link latency (ns); NPU ``i`` sits at position
``i mod n1`` of dimension 1, ``(i div n1) mod n2`` of dimension 2 (``MultiDimTopology``), and a
message crosses ``hops x latency + bytes / bandwidth`` (``BasicTopology``; a ``Switch`` is two
hops, NPU to switch to NPU; a bidirectional ``Ring`` the shorter way round). Key names and formats
follow the repository's ``examples/network/analytical/*.yml`` and
``examples/system/native_collectives/*.json``.

The figures are the design's path model (:func:`lightfabric.netsim.topo.topo_of`):

* a scale-up domain of ``D`` GPUs: dimension 1, a ``Switch`` of ``D`` NPUs, bandwidth the scale-up
  bandwidth of one GPU one way (``scale_up_bw_gbps`` / 8), latency half the GPU-to-GPU path through
  the domain (``class_latency_s()[0]``), so two hops give the design's figure;
* the scale-out network: a ``Switch`` of ``GPUs / D`` NPUs (all GPUs without a domain), bandwidth a
  GPU's NICs over all planes (``gpu_bw_gbps x planes`` / 8), latency half the longest path from
  GPU 0 to the GPUs of its dimension (the same place in every other domain: ``max_latency_s``);
* a torus (its first slice, where the step runs): one bidirectional ``Ring`` per axis longer than
  one chip, bandwidth one link one way (``link_rate_gbps`` / 8), latency the mean of that axis's
  links (a ring's hops add up to the same total).

Rank ``g`` of lightfabric is NPU ``g`` of ASTRA-sim: consecutive GPUs share a domain in both. A
cluster that is not a whole number of domains is rounded up to one (the NPUs past the cluster have
empty traces), since ASTRA-sim's dimensions form a full grid.

System configuration: the algorithms of :func:`lightfabric.netsim.step.step_time` (ring all-reduce,
reduce-scatter and all-gather, direct all-to-all) on every dimension, one chunk per collective
(``preferred-dataset-splits`` 1, ``active-chunks-per-dimension`` 1: the closed form does not
pipeline inside a collective), no endpoint delay (the path latency holds every hop), and
``local-mem-bw`` so high that the reductions' memory passes, which lightfabric does not model, take
no time (put the GPU's memory bandwidth there to add them; ASTRA-sim's HGX-H100 example uses 3,350
GB/s).
"""

from __future__ import annotations

import json
from math import ceil, prod
from pathlib import Path

import numpy as np

from lightfabric import __version__
from lightfabric.catalog import Catalog
from lightfabric.compare import design_of
from lightfabric.errors import LightfabricError
from lightfabric.interop.chakra import COMM_GROUP_FILE, PREFIX, check_size, write_step_traces
from lightfabric.netsim.step import load_model, parse_plan, peak_tflops
from lightfabric.netsim.topo import SAME_DOMAIN, topo_of
from lightfabric.scenario.models import Scenario

NETWORK_FILE = "network.yml"
SYSTEM_FILE = "system.json"
REMOTE_MEMORY_FILE = "remote_memory.json"
README_FILE = "README.txt"
WORKLOAD_DIR = "workload"
# The reductions' memory passes take size / local-mem-bw each (PacketBundle.cc): 1e6 GB/s makes a
# 1 GB reduction cost 3 us, against the 3,350 GB/s of ASTRA-sim's HGX-H100 example.
LOCAL_MEM_BW_GBPS = 1_000_000
# ASTRA-sim's build (build/astra_analytical/build.sh) and its example run scripts
# (examples/run_scripts/analytical/*/*.sh); the congestion-aware backend takes one dimension only.
BINARY_MULTI_DIM = "build/astra_analytical/build/bin/AstraSim_Analytical_Congestion_Unaware"
BINARY_ONE_DIM = "build/astra_analytical/build/bin/AstraSim_Analytical_Congestion_Aware"


def dimensions(topo) -> list[dict]:
    """ASTRA-sim's dimensions for a path model: building block, NPUs, bandwidth (GB/s) and latency
    (ns) of one link, with where each figure came from."""
    shape = topo.torus_shape()
    if shape is not None:
        lat = topo.link_latencies_s().reshape(topo.gpus, 6)
        out = []
        for axis, k in enumerate(shape):
            if k > 1:
                out.append({"name": f"torus axis {'xyz'[axis]}", "topology": "Ring", "npus": k,
                            "bandwidth_GBps": topo.link_rate_gbps / 8.0,
                            "latency_ns": float(lat[:, 2 * axis:2 * axis + 2].mean()) * 1e9,
                            "source": f"one link of {topo.link_rate_gbps:g} Gb/s each way; the mean latency of the "
                                      f"axis's links (in-cube and circuits)"})
        return out
    n, D = topo.gpus, topo.domain_gpus
    scale_out = {"name": "scale-out", "topology": "Switch", "bandwidth_GBps": topo.gpu_bw_gbps * topo.planes / 8.0}
    if not D or D >= n:
        if D:       # every GPU in one domain: the scale-up network is the only one
            return [{"name": "scale-up", "topology": "Switch", "npus": n, "bandwidth_GBps": topo.scale_up_bw_gbps / 8.0,
                     "latency_ns": float(topo.class_latency_s()[SAME_DOMAIN]) * 1e9 / 2,
                     "source": "the scale-up domain: one GPU's scale-up bandwidth one way; half its GPU-to-GPU path"}]
        peers = np.arange(1, n, dtype=np.int64)
        return [{**scale_out, "npus": n, "latency_ns": topo.max_latency_s(np.zeros_like(peers), peers) * 1e9 / 2,
                 "source": f"a GPU's NICs over {topo.planes} plane(s) one way; half the longest GPU-to-GPU path"}]
    domains = ceil(n / D)
    peers = np.arange(1, domains, dtype=np.int64) * D
    peers = peers[peers < n]
    return [{"name": "scale-up", "topology": "Switch", "npus": D, "bandwidth_GBps": topo.scale_up_bw_gbps / 8.0,
             "latency_ns": float(topo.class_latency_s()[SAME_DOMAIN]) * 1e9 / 2,
             "source": "one GPU's scale-up bandwidth one way; half the GPU-to-GPU path through the domain"},
            {**scale_out, "npus": domains, "latency_ns": topo.max_latency_s(np.zeros_like(peers), peers) * 1e9 / 2,
             "source": f"a GPU's NICs over {topo.planes} plane(s) one way; half the longest path from GPU 0 to the "
                       f"same place in another domain"}]


def _num(x: float) -> str:
    """A figure to a millionth (of a GB/s, of a ns), as Python's shortest text for it."""
    return repr(round(float(x), 6))


def network_yaml(dims: list[dict], header: list[str]) -> str:
    """The analytical backend's network file, in the layout of its examples (flow lists)."""
    lines = [f"# {h}" for h in header]
    lines += [f"# dimension {i + 1}: {d['name']}: {d['source']}" for i, d in enumerate(dims)]
    lines += [f"topology: [ {', '.join(d['topology'] for d in dims)} ]",
              f"npus_count: [ {', '.join(str(d['npus']) for d in dims)} ]",
              f"bandwidth: [ {', '.join(_num(d['bandwidth_GBps']) for d in dims)} ]  # GB/s",
              f"latency: [ {', '.join(_num(d['latency_ns']) for d in dims)} ]  # ns"]
    return "\n".join(lines) + "\n"


def system_config(dims: int) -> dict:
    """The system layer's configuration: lightfabric's algorithms on every dimension."""
    return {"scheduling-policy": "LIFO", "endpoint-delay": 0, "active-chunks-per-dimension": 1,
            "preferred-dataset-splits": 1, "all-reduce-implementation": ["ring"] * dims,
            "all-gather-implementation": ["ring"] * dims, "reduce-scatter-implementation": ["ring"] * dims,
            "all-to-all-implementation": ["direct"] * dims, "collective-optimization": "localBWAware",
            "local-mem-bw": LOCAL_MEM_BW_GBPS, "boost-mode": 0}


def command_line(out: Path, dims: int, workload: str | None) -> str:
    """The one command that runs these inputs, from the root of an ASTRA-sim checkout (``workload``:
    the traces' prefix; None: a placeholder and no communicator groups)."""
    binary = BINARY_MULTI_DIM if dims > 1 else BINARY_ONE_DIM
    groups = f"    --comm-group-configuration={out / WORKLOAD_DIR / COMM_GROUP_FILE} \\\n" if workload else ""
    return (f"{binary} \\\n    --workload-configuration={workload or '<your Chakra traces prefix>'} \\\n{groups}"
            f"    --system-configuration={out / SYSTEM_FILE} \\\n"
            f"    --remote-memory-configuration={out / REMOTE_MEMORY_FILE} \\\n"
            f"    --network-configuration={out / NETWORK_FILE}")


def export(scenario: Scenario, technology: str, out_dir: str | Path, *, model_path: str | None = None,
           plan: str | None = None, catalog: Catalog | None = None) -> dict:
    """Write ASTRA-sim's network, system and remote-memory configurations for the design of
    ``technology``, a README with the command line, and with ``model_path`` and ``plan`` the step's
    traces in ``out_dir/workload``. Returns what was written and the figures."""
    if (model_path is None) != (plan is None):
        missing, given = ("--plan", "--model") if plan is None else ("--model", "--plan")
        raise LightfabricError.for_field(missing, "missing", f"given together with {given} (both or neither)")
    comparison, design = design_of(scenario, technology, catalog)
    topo = topo_of(design)
    dims = dimensions(topo)
    npus = prod(d["npus"] for d in dims)
    step = None
    if model_path is not None:       # the step is checked, and its size bounded, before anything is written
        model = load_model(model_path)
        gpu = comparison.plan.gpu
        tflops = peak_tflops(gpu)
        p = parse_plan(plan, comparison.plan.fabric.gpus_for_jobs, model)
        check_size(model, p, tflops, option="--plan", value=plan)
        step = (model, p, tflops)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise LightfabricError.for_field("--output", str(out_dir), "a directory (made if missing)",
                                         problem="a file of that name exists")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LightfabricError.for_field("--output", str(out_dir), "a directory that can be written",
                                         problem=e.strerror or str(e)) from None
    out = out.resolve()
    notes = []
    if npus > topo.gpus:
        notes.append(f"{topo.gpus:,} GPUs are not whole domains of {topo.domain_gpus}: ASTRA-sim gets {npus:,} NPUs, "
                     f"the last {npus - topo.gpus:,} with no GPU behind them (no work in their traces)")
    if topo.torus_shape() is not None and topo.gpus != scenario.cluster.gpus:
        notes.append(f"a torus: the first slice ({'x'.join(map(str, topo.torus_shape()))}, {topo.gpus:,} chips), where "
                     f"collectives and the step run, not the whole cluster of {scenario.cluster.gpus:,}")
    if scenario.scale_out.oversubscription > 1:
        notes.append(f"oversubscription {scenario.scale_out.oversubscription:g}:1 is not expressed: a Switch "
                     "dimension is non-blocking")
    trace = None
    if step is not None:
        model, p, tflops = step
        trace = write_step_traces(out / WORKLOAD_DIR, model, p, tflops, idle_ranks=npus - p.gpus, option="--output")
        notes += trace["notes"]
        if p.gpus < npus:
            notes.append(f"plan {p.label()} uses {p.gpus:,} of the {npus:,} NPUs; the others have empty traces")
    header = [f"lightfabric {__version__}: ASTRA-sim analytical network for {scenario.name}, design {technology} "
              f"({comparison.plan.headline()})",
              f"{npus:,} NPUs = {' x '.join(str(d['npus']) for d in dims)}; bandwidth of one link one way (GB/s), "
              "latency of one link (ns)"]
    try:
        (out / NETWORK_FILE).write_text(network_yaml(dims, header))
        (out / SYSTEM_FILE).write_text(json.dumps(system_config(len(dims)), indent=4) + "\n")
        (out / REMOTE_MEMORY_FILE).write_text(json.dumps({"memory-type": "NO_MEMORY_EXPANSION"}, indent=4) + "\n")
        workload = str(out / WORKLOAD_DIR / PREFIX) if trace else None
        (out / README_FILE).write_text(_readme(scenario, technology, dims, notes, command_line(out, len(dims), workload),
                                               trace, model_path, plan))
    except OSError as e:
        raise LightfabricError.for_field("--output", str(out_dir), "a directory with room to write",
                                         problem=e.strerror or str(e)) from None
    return {"directory": str(out), "scenario": scenario.name, "technology": technology, "npus": npus,
            "gpus": topo.gpus, "dimensions": dims,
            "files": sorted(p.name for p in out.iterdir() if p.is_file()) + ([f"{WORKLOAD_DIR}/"] if trace else []),
            "trace": trace, "notes": notes}


def _readme(scenario, technology, dims, notes, command, trace, model_path, plan) -> str:
    lines = [f"ASTRA-sim inputs written by lightfabric {__version__} for scenario {scenario.name}, design {technology}.",
             "",
             f"  {NETWORK_FILE:<20} analytical network: {len(dims)} dimension(s), "
             + ", ".join(f"{d['name']} {d['topology']} x{d['npus']}" for d in dims),
             f"  {SYSTEM_FILE:<20} system layer: ring all-reduce/reduce-scatter/all-gather, direct all-to-all",
             f"  {REMOTE_MEMORY_FILE:<20} no remote memory"]
    if trace:
        lines.append(f"  {WORKLOAD_DIR + '/':<20} Chakra traces of the step (model {model_path}, plan {plan}): "
                     f"{trace['files']:,} files {PREFIX}.<rank>.et, {trace['nodes']:,} nodes, comm_group.json with "
                     f"{trace['comm_groups']:,} communicators")
    lines += ["", "Run from the root of an ASTRA-sim checkout built with build/astra_analytical/build.sh "
                  "(https://github.com/astra-sim/astra-sim):", "", command, ""]
    if len(dims) > 1:
        lines += ["The congestion-aware analytical binary takes one dimension only, so this uses the congestion-unaware "
                  "one.", ""]
    if not trace:
        lines += ["No workload here: add --model and --plan to write the step's traces, or point "
                  "--workload-configuration at your own (with --comm-group-configuration if they name communicators).", ""]
    lines += ["Figures (docs/interop.md):"] + [f"  dimension {i + 1} ({d['name']}): {d['npus']} NPUs, "
                                                f"{_num(d['bandwidth_GBps'])} GB/s, {_num(d['latency_ns'])} ns: "
                                                f"{d['source']}" for i, d in enumerate(dims)]
    lines += [f"  local-mem-bw {LOCAL_MEM_BW_GBPS:,} GB/s: lightfabric models no memory time; put the GPU's memory "
              "bandwidth there to add the reductions' memory passes"]
    if notes:
        lines += ["", "Notes:"] + [f"  {n}" for n in notes]
    return "\n".join(lines) + "\n"
