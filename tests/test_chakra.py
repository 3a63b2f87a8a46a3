"""Chakra traces of the training step (``lightfabric step --export-chakra``), read back and held
against the step's own report: the collectives each rank issues (count, kind, bytes, communicator),
the compute time, the dependencies, the pipeline's sends matched to their receives, the
communicator groups of the plan, and one rank's first nodes worked out by hand."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from lightfabric.errors import LightfabricError
from lightfabric.interop import chakra
from lightfabric.interop import chakra_et_pb2 as et
from tests.test_cli import lf

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "h100-1k-400g-lpo.yaml"     # 1,024 H100 (989 TFLOPS dense BF16 in the catalog)

# A small mixture-of-experts model: every kind of collective of the step, in a handful of nodes.
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
# A dense model over four stages: the middle stages send and receive both ways.
TINY_DENSE = """name: tiny-dense
parameters: 1.0e9
active_parameters: 1.0e9
layers: 8
hidden: 512
sequence_length: 512
global_batch_tokens: 6144
"""


def messages(buf: bytes) -> list[bytes]:
    """Split a length-delimited stream (a reader of its own, not the package's)."""
    out, i = [], 0
    while i < len(buf):
        n = shift = 0
        while True:
            b = buf[i]
            i += 1
            n += (b & 127) << shift
            shift += 7
            if not b & 128:
                break
        out.append(buf[i:i + n])
        i += n
    assert i == len(buf)
    return out


def attrs(node) -> dict:
    return {a.name: getattr(a, a.WhichOneof("value")) for a in node.attr}


def export(tmp_path: Path, model_text: str, plan: str):
    model = tmp_path / "model.yaml"
    model.write_text(model_text)
    out = tmp_path / "traces"
    p = lf("step", SCENARIO, "--model", model, "--plan", plan, "--export-chakra", out, "--format", "json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    files = sorted(out.glob("step.*.et"), key=lambda f: int(f.name.split(".")[1]))
    traces = {}
    for f in files:
        raw = messages(f.read_bytes())
        meta = et.GlobalMetadata.FromString(raw[0])
        nodes = [et.Node.FromString(m) for m in raw[1:]]
        # the encoding is the canonical one: each message re-serializes to its own bytes
        assert all(n.SerializeToString() == m for n, m in zip(nodes, raw[1:]))
        traces[int(f.name.split(".")[1])] = (meta, nodes)
    groups = {int(k): v for k, v in json.loads((out / "comm_group.json").read_text()).items()}
    return report, traces, groups, out, p.stderr


def plan_of(report):
    v = dict(x.split("=") for x in report["plan"].split(","))
    return int(v["tp"]), int(v["pp"]), int(v["dp"]), int(v["ep"])


def expected_groups(tp, pp, dp, ep):
    """The plan's groups, by kind, written out from the rank layout rank = (stage dp + replica) tp + t."""
    rank = lambda s, q, t: (s * dp + q) * tp + t  # noqa: E731
    return {
        "tensor": [[rank(s, q, t) for t in range(tp)] for s in range(pp) for q in range(dp)],
        "expert": [[rank(s, e * ep + j, t) for j in range(ep)] for s in range(pp) for e in range(dp // ep)
                   for t in range(tp)],
        "data": [[rank(s, q, t) for q in range(dp)] for s in range(pp) for t in range(tp)],
        "expert-data": [[rank(s, pos + k * ep, t) for k in range(dp // ep)] for s in range(pp) for pos in range(ep)
                        for t in range(tp)],
    }


def rows_of(report):
    """The first feasible design's collectives by kind: (calls, bytes per call). The trace is the same
    for every design (work and sizes, not times); the test checks that the designs agree."""
    feasible = [r for r in report["results"] if r["feasible"]]
    assert len(feasible) >= 2
    first = feasible[0]
    for other in feasible[1:]:
        assert [(c["collective"], c["calls"], c["bytes_per_call"]) for c in other["collectives"]] == \
               [(c["collective"], c["calls"], c["bytes_per_call"]) for c in first["collectives"]]
        assert other["compute_s"] == first["compute_s"]
    kinds = {"tensor": "tensor", "expert": "expert", "pipeline": "pipeline", "data (dense": "data",
             "data (expert": "expert-data"}
    out = {}
    for c in first["collectives"]:
        kind = next(v for k, v in kinds.items() if c["collective"].startswith(k))
        out[kind] = (c["calls"], c["bytes_per_call"])
    return first, out


def check_against_report(report, traces, groups):
    tp, pp, dp, ep = plan_of(report)
    row, calls = rows_of(report)
    assert sorted(traces) == list(range(tp * pp * dp))
    # comm_group.json holds exactly the plan's groups of the kinds the step uses
    want = expected_groups(tp, pp, dp, ep)
    kinds_used = [k for k in ("tensor", "expert", "data", "expert-data") if k in calls]
    assert sorted(map(tuple, groups.values())) == sorted(tuple(g) for k in kinds_used for g in want[k])
    kind_of_group = {gid: k for gid, members in groups.items() for k in kinds_used if members in want[k]}
    assert len(kind_of_group) == len(groups)
    assert min(groups) == 1 and sorted(groups) == list(range(1, len(groups) + 1))
    stride = tp * dp
    sends, recvs = [], []
    for rank, (meta, nodes) in traces.items():
        stage = rank // stride
        assert meta.version == "0.0.4"
        ids = [n.id for n in nodes]
        assert ids == list(range(len(nodes)))
        known = set(ids)
        for n in nodes:                           # every dependency is a node of this file, earlier in it
            assert set(n.data_deps) | set(n.ctrl_deps) <= known
            assert all(d < n.id for d in n.data_deps)
        assert [list(n.data_deps) for n in nodes] == [[]] + [[i] for i in range(len(nodes) - 1)]
        # collectives: count, kind, bytes, communicator (one containing this rank, of its kind)
        per_kind = defaultdict(list)
        for n in nodes:
            a = attrs(n)
            if n.type == et.COMM_COLL_NODE:
                assert a["is_cpu_op"] is False
                gid = int(a["pg_name"])
                assert rank in groups[gid]
                kind = kind_of_group[gid]
                assert a["comm_type"] == (et.ALL_TO_ALL if kind == "expert" else et.ALL_REDUCE)
                per_kind[kind].append(a["comm_size"])
            elif n.type in (et.COMM_SEND_NODE, et.COMM_RECV_NODE):
                per_kind["pipeline"].append(a["comm_size"])
                (sends if n.type == et.COMM_SEND_NODE else recvs).append(
                    (a["comm_src"], a["comm_dst"], a["comm_tag"], a["comm_size"]))
                me = a["comm_src"] if n.type == et.COMM_SEND_NODE else a["comm_dst"]
                other = a["comm_dst"] if n.type == et.COMM_SEND_NODE else a["comm_src"]
                assert me == rank and abs(other - rank) == stride
        for kind, (n_calls, size) in calls.items():
            got = per_kind[kind]
            if kind == "pipeline":
                # the report's calls: one each way per micro-batch over one stage boundary; a middle
                # stage stands at two boundaries
                assert len(got) == n_calls * ((stage > 0) + (stage < pp - 1))
            else:
                assert len(got) == n_calls, kind
            assert set(got) == {round(size)}
            assert abs(sum(got) - len(got) * size) <= 0.5 * len(got)
        assert set(per_kind) == set(calls)
        # compute: the step's compute time per GPU, to the microsecond
        comp = [n for n in nodes if n.type == et.COMP_NODE]
        assert sum(n.duration_micros for n in comp) == round(row["compute_s"] * 1e6)
        assert len(comp) == 2 * row["micro_batches"] * len({n.name.split("/")[2] for n in comp})
        assert all(attrs(n)["is_cpu_op"] is False for n in comp)
        # every node is one of the four kinds, nothing else
        assert set(Counter(n.type for n in nodes)) <= {et.COMP_NODE, et.COMM_COLL_NODE, et.COMM_SEND_NODE,
                                                      et.COMM_RECV_NODE}
    # every send has its receive on the peer (source, destination, tag and size), and no receive is left
    assert sorted(sends) == sorted(recvs)
    assert len(set(sends)) == len(sends)


def test_moe_step_traces_match_the_report(tmp_path):
    report, traces, groups, out, stderr = export(tmp_path, TINY_MOE, "tp=2,pp=2,ep=2,dp=4")
    check_against_report(report, traces, groups)
    assert "wrote 16 Chakra traces" in stderr and str(out) in stderr
    row, calls = rows_of(report)
    assert set(calls) == {"tensor", "expert", "pipeline", "data", "expert-data"}
    # the package's reader gives the same as the test's own
    meta, nodes = chakra.read_trace(out / "step.5.et")
    assert meta == traces[5][0] and nodes == traces[5][1]


def test_rank_zero_first_nodes_by_hand(tmp_path):
    report, traces, groups, _, _ = export(tmp_path, TINY_MOE, "tp=2,pp=2,ep=2,dp=4")
    assert report["bf16_dense_tflops"] == 989          # H100 in the catalog
    # by hand: 16,384 tokens x (6 x 6e8 + 12 x 4 layers x 1,024 hidden x 1,024 sequence) FLOPs over
    # 16 GPUs at 989e12 x 0.4 = 9,448.8 us a GPU; 16,384 / 4 replicas / 1,024 = 4 micro-batches;
    # 2 layers a stage: 1,181.1 us a layer and micro-batch, a third forward: 393.7 us.
    compute_us = 16384 * (6 * 6e8 + 12 * 4 * 1024 * 1024) / (16 * 989e12 * 0.4) * 1e6
    assert compute_us == pytest.approx(9448.8, abs=0.1)
    fwd = compute_us / (4 * 2) / 3
    # activations 1,024 tokens x 1,024 x 2 B; the all-to-all 1,024 x top-2 x 1,024 x 2 B / tp 2; the
    # pipeline 1,024 x 1,024 x 2 B / tp 2
    ar, a2a, p2p = 1024 * 1024 * 2, 1024 * 2 * 1024 * 2 // 2, 1024 * 1024 * 2 // 2
    # communicators: tensor 1-8 (rank 0's: 1 = [0, 1]), expert 9-16 (rank 0's: 9 = [0, 2]),
    # data 17-20 (17 = [0, 2, 4, 6]), expert-data 21-28 (21 = [0, 4])
    assert groups[1] == [0, 1] and groups[9] == [0, 2] and groups[17] == [0, 2, 4, 6] and groups[21] == [0, 4]
    # stage 0 of 2 starts with pp - 1 = 1 forward pass; layer 1 of the stage is the MoE one; then it
    # sends its activations to rank 0 + tp x dp = 8, tag 0
    want = [
        ("mb0/fwd/layer0/compute", et.COMP_NODE, round(fwd), {}),
        ("mb0/fwd/layer0/tensor-all-reduce-1", et.COMM_COLL_NODE, 0, {"comm_type": 0, "comm_size": ar, "pg_name": "1"}),
        ("mb0/fwd/layer0/tensor-all-reduce-2", et.COMM_COLL_NODE, 0, {"comm_type": 0, "comm_size": ar, "pg_name": "1"}),
        ("mb0/fwd/layer1/compute", et.COMP_NODE, round(2 * fwd) - round(fwd), {}),
        ("mb0/fwd/layer1/tensor-all-reduce-1", et.COMM_COLL_NODE, 0, {"comm_type": 0, "comm_size": ar, "pg_name": "1"}),
        ("mb0/fwd/layer1/expert-all-to-all-dispatch", et.COMM_COLL_NODE, 0,
         {"comm_type": 6, "comm_size": a2a, "pg_name": "9"}),
        ("mb0/fwd/layer1/expert-all-to-all-combine", et.COMM_COLL_NODE, 0,
         {"comm_type": 6, "comm_size": a2a, "pg_name": "9"}),
        ("mb0/fwd/layer1/tensor-all-reduce-2", et.COMM_COLL_NODE, 0, {"comm_type": 0, "comm_size": ar, "pg_name": "1"}),
        ("mb0/fwd/send-activations", et.COMM_SEND_NODE, 0,
         {"comm_src": 0, "comm_dst": 8, "comm_tag": 0, "comm_size": p2p}),
        ("mb1/fwd/layer0/compute", et.COMP_NODE, round(3 * fwd) - round(2 * fwd), {}),
    ]
    nodes = traces[0][1]
    for i, (name, typ, us, a) in enumerate(want):
        n = nodes[i]
        assert (n.id, n.name, n.type, n.duration_micros) == (i, name, typ, us), i
        got = attrs(n)
        assert got.pop("is_cpu_op") is False
        if typ == et.COMP_NODE:
            assert got == {"num_ops": round(fwd * 1e-6 * 989e12 * 0.4)}
        else:
            assert got == a
    # after the forward passes of micro-batch 1, the first backward pass waits for rank 8's gradients
    names = [n.name for n in nodes]
    first_bwd = names.index("mb0/bwd/layer1/compute")
    assert names[first_bwd - 2:first_bwd] == ["mb1/fwd/send-activations", "mb0/bwd/recv-gradients"]
    # the last stage starts by receiving: rank 8's first node
    first = traces[8][1][0]
    assert first.name == "mb0/fwd/recv-activations" and first.type == et.COMM_RECV_NODE
    assert attrs(first) == {"is_cpu_op": False, "comm_src": 0, "comm_dst": 8, "comm_tag": 0, "comm_size": p2p}
    # the data-parallel all-reduces close the step: dense gradients over 17, expert ones over 21
    tail = [(n.name, attrs(n)["pg_name"]) for n in nodes[-2:]]
    assert tail == [("data/all-reduce-dense-gradients", "17"), ("data/all-reduce-expert-gradients", "21")]


def test_dense_four_stages(tmp_path):
    report, traces, groups, _, _ = export(tmp_path, TINY_DENSE, "tp=4,pp=4,dp=2")
    check_against_report(report, traces, groups)
    row, calls = rows_of(report)
    assert set(calls) == {"tensor", "pipeline", "data"}
    assert row["micro_batches"] == 6144 // 2 // 512
    # a middle stage: as many sends as receives, two per micro-batch each
    kinds = Counter(n.type for n in traces[8 * 1][1])          # rank 8: stage 1
    assert kinds[et.COMM_SEND_NODE] == kinds[et.COMM_RECV_NODE] == 2 * row["micro_batches"]
    # 1F1B: stage 1 of 4 runs pp - 1 - 1 = 2 forward passes before its first backward one
    order = [n.name.split("/")[:2] for n in traces[8][1] if n.name.endswith("/compute")]
    passes = [p for i, p in enumerate(order) if i == 0 or p != order[i - 1]]
    assert passes[:5] == [["mb0", "fwd"], ["mb1", "fwd"], ["mb2", "fwd"], ["mb0", "bwd"], ["mb3", "fwd"]]


def test_schedule_is_one_forward_one_backward():
    # Narayanan et al. 2021: stage s of p warms up with p - 1 - s forward passes
    assert chakra.schedule(4, 4, 0) == [("fwd", 0), ("fwd", 1), ("fwd", 2), ("fwd", 3), ("bwd", 0), ("bwd", 1),
                                        ("bwd", 2), ("bwd", 3)]
    assert chakra.schedule(4, 4, 3) == [("fwd", 0), ("bwd", 0), ("fwd", 1), ("bwd", 1), ("fwd", 2), ("bwd", 2),
                                        ("fwd", 3), ("bwd", 3)]
    assert chakra.schedule(4, 2, 0) == [("fwd", 0), ("fwd", 1), ("bwd", 0), ("bwd", 1)]


def test_varint_round_trip():
    for n in (0, 1, 127, 128, 300, 2**31, 2**63 - 1):
        data = chakra.varint(n)
        assert chakra.read_varint(data, 0) == (n, len(data))
    assert chakra.varint(300) == bytes([0xAC, 0x02])        # the protobuf encoding guide's example
    with pytest.raises(ValueError):
        chakra.read_varint(bytes([0x80]), 0)


def test_too_big_a_step_is_refused_before_writing(tmp_path):
    model = tmp_path / "big.yaml"
    model.write_text(TINY_MOE.replace("global_batch_tokens: 16384", "global_batch_tokens: 1.0e9"))
    out = tmp_path / "traces"
    p = lf("step", SCENARIO, "--model", model, "--plan", "tp=2,pp=2,ep=2,dp=4", "--export-chakra", out)
    assert p.returncode == 2
    assert "--export-chakra" in p.stderr and str(out) in p.stderr and "20,000,000 Chakra nodes" in p.stderr
    assert not out.exists()


def test_export_into_a_file_is_refused(tmp_path):
    f = tmp_path / "a-file"
    f.write_text("x")
    model = tmp_path / "model.yaml"
    model.write_text(TINY_MOE)
    p = lf("step", SCENARIO, "--model", model, "--plan", "tp=2,pp=2,ep=2,dp=4", "--export-chakra", f)
    assert p.returncode == 2
    assert "--export-chakra" in p.stderr and "a directory" in p.stderr


def test_reader_refuses_a_truncated_file(tmp_path):
    report, traces, groups, out, _ = export(tmp_path, TINY_MOE, "tp=2,pp=2,ep=2,dp=4")
    cut = tmp_path / "cut.et"
    cut.write_bytes((out / "step.0.et").read_bytes()[:-3])
    with pytest.raises(LightfabricError, match="not a Chakra trace"):
        chakra.read_trace(cut)
