"""The training step of ``lightfabric step`` as Chakra execution traces, so ASTRA-sim can replay it.

Chakra (MLCommons, https://github.com/mlcommons/chakra; S. Sridharan et al., "Chakra: Advancing
Performance Benchmarking and Co-design using Standardized Execution Traces", arXiv:2305.14516)
describes the work of one rank as a graph of nodes. What is written, in the layout ASTRA-sim reads
(``Workload::Workload`` opens ``<prefix>.<rank>.et``; ``--comm-group-configuration`` a JSON object
of communicator id to ranks):

* ``DIR/<prefix>.<rank>.et`` for every rank of the plan: a stream of length-delimited protobuf
  messages (a base-128 varint of the length, then the bytes), first a ``GlobalMetadata`` (version
  ``0.0.4``, the version of ASTRA-sim's own example traces; neither Chakra's feeder nor ASTRA-sim
  checks it), then the ``Node`` messages, ids 0, 1, ... in program order, each with a data
  dependency on the one before (a chain: the order of the step is kept, and every dependency is a
  node of the same file).
* ``DIR/comm_group.json``: ``{"1": [ranks], ...}``, one communicator per group of the plan, ids
  from 1 (ASTRA-sim keeps 0 for all ranks). In order: tensor-parallel groups (``tp`` consecutive
  ranks), expert-parallel groups (``ep`` replicas of one stage, ranks ``tp`` apart), data-parallel
  groups (every replica of a stage), expert-data groups (the replicas holding the same experts,
  ``dp / ep`` of them); a kind is left out where the step has no such collective.

The rank layout, the counts and the sizes are those of :func:`lightfabric.netsim.step.step_time`
(Megatron order, rank = (stage x dp + replica) x tp + t). Each rank runs the non-interleaved 1F1B
schedule (D. Narayanan et al., SC'21, section 2.2: ``pp - 1 - stage`` warm-up forward passes, then
one forward and one backward, then the remaining backward passes). A micro-batch's pass over one
layer of the stage is:

* ``COMP_NODE``: ``duration_micros`` the step's compute per GPU (``compute_s``) over micro-batches x
  layers of the stage, a third forward and two thirds backward (``BACKWARD_SHARE``); the
  microseconds are rounded on the running total, so a rank's durations add up to ``compute_s`` to
  the microsecond. ``num_ops``: the FLOPs behind that time at the model's MFU. No ``tensor_size``
  (the step has no memory model).
* two tensor all-reduces (``COMM_COLL_NODE``, ``ALL_REDUCE``) of ``tokens x hidden x bytes``, and
  in a mixture-of-experts layer (the last ``moe_layers / pp`` of the stage) two expert all-to-alls
  (``ALL_TO_ALL``, dispatch and combine) of ``tokens x top_k x hidden x bytes / tp`` between them.

Forward passes start with a ``COMM_RECV_NODE`` of the activations from the stage before and end
with a ``COMM_SEND_NODE`` to the next; backward passes receive the gradients from the next stage
and send them to the one before (``tokens x hidden x bytes / tp``; ``comm_tag`` 2 x micro-batch,
+1 backward). After the last backward pass: the data-parallel all-reduce of the dense gradients
(``dense parameters / (tp pp) x bytes``) and that of the expert gradients. Collective nodes carry
``comm_type``, ``comm_size`` (bytes, each rank's buffer as in NCCL's tests), ``pg_name`` (the
communicator id) and ``is_cpu_op`` false, with the attribute types Chakra's feeder reads
(``src/feeder/et_feeder_node.cpp``). Byte counts are rounded to whole bytes.

What the trace does not say: the pipeline bubble (it appears in a replay from the receives), the
overlap of the data-parallel all-reduce with the backward pass that the step model assumes (the
chain puts it after the last backward pass), and any time of communication (the replay's network
decides it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil
from pathlib import Path

import numpy as np

from lightfabric import __version__
from lightfabric.errors import LightfabricError, WorkTooLarge
from lightfabric.interop import chakra_et_pb2 as et
from lightfabric.netsim.step import BACKWARD_SHARE, ModelSpec, Plan

VERSION = "0.0.4"
PREFIX = "step"
COMM_GROUP_FILE = "comm_group.json"
# Written at roughly 1 M nodes a second and 80-120 bytes a node: 20 M nodes is about 2 GB and under
# half a minute. A bigger step is refused (exit 2) rather than left to fill a disk.
MAX_NODES = 20_000_000
# ASTRA-sim numbers a communicator's streams ``id x 1,000,000`` in an int (CommunicatorGroup.cc):
# ids above this overflow it.
ASTRA_SIM_MAX_GROUP_ID = 2_147

OPTION = "--export-chakra"
KINDS = ("tensor", "expert", "data", "expert-data")


@dataclass(frozen=True)
class StepShape:
    """What one rank of the step does, from the model, the plan and the GPU (sizes in bytes, times
    in seconds, as :func:`lightfabric.netsim.step.step_time` counts them)."""

    plan: Plan
    micro_batches: int
    layers_stage: int
    moe_stage: int
    compute_s: float
    flops_per_s: float               # the GPU's dense BF16 peak x MFU
    tensor_bytes: float | None       # None: no such collective in this step
    expert_bytes: float | None
    pipeline_bytes: float | None
    dense_grad_bytes: float | None
    expert_grad_bytes: float | None


def step_shape(model: ModelSpec, plan: Plan, peak_tflops: float) -> StepShape:
    """The step's counts and sizes per rank (the formulas of ``step_time``)."""
    tp, pp, dp, ep = plan.tp, plan.pp, plan.dp, plan.ep
    b = model.bytes_per_value
    mb_tokens = model.micro_batch_sequences * model.sequence_length
    micro = max(1, int(model.global_batch_tokens / dp // mb_tokens))
    flops_per_token = 6 * model.active_parameters + 12 * model.layers * model.hidden * model.sequence_length
    flops_per_s = peak_tflops * 1e12 * model.mfu
    compute = model.global_batch_tokens * flops_per_token / (plan.gpus * flops_per_s)
    moe = bool(model.moe_layers)
    dense = model.parameters - model.expert_parameters
    return StepShape(
        plan=plan, micro_batches=micro, layers_stage=ceil(model.layers / pp), moe_stage=ceil(model.moe_layers / pp),
        compute_s=compute, flops_per_s=flops_per_s,
        tensor_bytes=mb_tokens * model.hidden * b if tp > 1 else None,
        expert_bytes=mb_tokens * model.top_k * model.hidden * b / tp if moe and ep > 1 else None,
        pipeline_bytes=mb_tokens * model.hidden * b / tp if pp > 1 else None,
        dense_grad_bytes=dense / (tp * pp) * b if dp > 1 else None,
        expert_grad_bytes=model.expert_parameters / (tp * pp * ep) * b if moe and dp // ep > 1 else None)


# --- communicators ---------------------------------------------------------------------------------

def group_ids(plan: Plan, shape: StepShape) -> dict[str, np.ndarray]:
    """Per kind of communicator the step uses, the id of each rank's group (ids from 1, kinds in
    the order of :data:`KINDS`, each kind a block of consecutive ids)."""
    tp, pp, dp, ep = plan.tp, plan.pp, plan.dp, plan.ep
    r = np.arange(plan.gpus, dtype=np.int64)
    t, q, s = r % tp, (r // tp) % dp, r // (tp * dp)
    local = {"tensor": (s * dp + q, pp * dp, shape.tensor_bytes),
             "expert": ((s * (dp // ep) + q // ep) * tp + t, pp * (dp // ep) * tp, shape.expert_bytes),
             "data": (s * tp + t, pp * tp, shape.dense_grad_bytes),
             "expert-data": ((s * ep + q % ep) * tp + t, pp * ep * tp, shape.expert_grad_bytes)}
    out, base = {}, 1
    for kind in KINDS:
        index, count, size = local[kind]
        if size is None:
            continue
        out[kind] = base + index
        base += count
    return out


def comm_groups(ids: dict[str, np.ndarray]) -> dict[int, list[int]]:
    """Communicator id -> its ranks (ascending), from :func:`group_ids`."""
    groups: dict[int, list[int]] = {}
    for gid in ids.values():
        order = np.argsort(gid, kind="stable")
        keys, starts = np.unique(gid[order], return_index=True)
        for k, members in zip(keys, np.split(order, starts[1:])):
            groups[int(k)] = [int(x) for x in members]
    return dict(sorted(groups.items()))


def comm_group_json(groups: dict[int, list[int]]) -> str:
    """``comm_group.json``: one line per communicator, ``"id": [ranks]``."""
    return "{\n" + ",\n".join(f' "{k}": {json.dumps(v)}' for k, v in groups.items()) + "\n}\n"


# --- the program of one stage ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Op:
    name: str
    type: int
    seconds: float = 0.0            # compute
    kind: str | None = None         # a communicator kind of KINDS, or "send"/"recv"
    comm_type: int = 0
    size: int = 0
    tag: int = 0
    peer: int = 0                   # send/recv: +1 the next stage, -1 the one before


def schedule(pp: int, micro: int, stage: int) -> list[tuple[str, int]]:
    """The 1F1B order of one stage: ("fwd" | "bwd", micro-batch)."""
    warm = min(pp - stage - 1, micro)
    out = [("fwd", m) for m in range(warm)]
    for i in range(micro - warm):
        out += [("fwd", warm + i), ("bwd", i)]
    out += [("bwd", m) for m in range(micro - warm, micro)]
    return out


def _stage_program(shape: StepShape, stage: int) -> list[_Op]:
    plan = shape.plan
    L, micro = shape.layers_stage, shape.micro_batches
    per_layer = shape.compute_s / (micro * L)
    share = {"fwd": 1.0 - BACKWARD_SHARE, "bwd": BACKWARD_SHARE}
    first, last = stage == 0, stage == plan.pp - 1
    ops: list[_Op] = []

    def coll(name, kind, comm_type, size):
        ops.append(_Op(name, et.COMM_COLL_NODE, kind=kind, comm_type=comm_type, size=int(round(size))))

    def p2p(name, typ, direction, m, peer):
        ops.append(_Op(name, typ, kind="send" if typ == et.COMM_SEND_NODE else "recv",
                       size=int(round(shape.pipeline_bytes)), tag=2 * m + (direction == "bwd"), peer=peer))

    for direction, m in schedule(plan.pp, micro, stage):
        fwd = direction == "fwd"
        if shape.pipeline_bytes is not None:
            if fwd and not first:
                p2p(f"mb{m}/fwd/recv-activations", et.COMM_RECV_NODE, direction, m, -1)
            if not fwd and not last:
                p2p(f"mb{m}/bwd/recv-gradients", et.COMM_RECV_NODE, direction, m, +1)
        layers = range(L) if fwd else range(L - 1, -1, -1)
        for layer in layers:
            at = f"mb{m}/{direction}/layer{layer}"
            ops.append(_Op(f"{at}/compute", et.COMP_NODE, seconds=per_layer * share[direction]))
            if shape.tensor_bytes is not None:
                coll(f"{at}/tensor-all-reduce-1", "tensor", et.ALL_REDUCE, shape.tensor_bytes)
            if shape.expert_bytes is not None and layer >= L - shape.moe_stage:
                coll(f"{at}/expert-all-to-all-dispatch", "expert", et.ALL_TO_ALL, shape.expert_bytes)
                coll(f"{at}/expert-all-to-all-combine", "expert", et.ALL_TO_ALL, shape.expert_bytes)
            if shape.tensor_bytes is not None:
                coll(f"{at}/tensor-all-reduce-2", "tensor", et.ALL_REDUCE, shape.tensor_bytes)
        if shape.pipeline_bytes is not None:
            if fwd and not last:
                p2p(f"mb{m}/fwd/send-activations", et.COMM_SEND_NODE, direction, m, +1)
            if not fwd and not first:
                p2p(f"mb{m}/bwd/send-gradients", et.COMM_SEND_NODE, direction, m, -1)
    if shape.dense_grad_bytes is not None:
        coll("data/all-reduce-dense-gradients", "data", et.ALL_REDUCE, shape.dense_grad_bytes)
    if shape.expert_grad_bytes is not None:
        coll("data/all-reduce-expert-gradients", "expert-data", et.ALL_REDUCE, shape.expert_grad_bytes)
    return ops


def nodes_per_stage(shape: StepShape) -> list[int]:
    """Nodes of one rank of each stage, by arithmetic (before any is made)."""
    p = shape.plan
    per_pass = shape.layers_stage * (1 + 2 * (shape.tensor_bytes is not None)) + \
        2 * shape.moe_stage * (shape.expert_bytes is not None)
    tail = (shape.dense_grad_bytes is not None) + (shape.expert_grad_bytes is not None)
    out = []
    for s in range(p.pp):
        neighbours = 0 if shape.pipeline_bytes is None else (s > 0) + (s < p.pp - 1)
        out.append(shape.micro_batches * (2 * per_pass + 2 * neighbours) + tail)
    return out


# --- bytes -----------------------------------------------------------------------------------------

def varint(n: int) -> bytes:
    """Base-128 varint, least significant group first (the protobuf encoding of a length)."""
    if n < 0:
        raise ValueError(f"varint of a negative number: {n}")
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``buf[pos:]`` and the position after it."""
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 64 bits")


def _attrs(**values) -> list:
    """AttributeProto entries of the types Chakra's feeder reads each name as."""
    kinds = {"is_cpu_op": "bool_val", "comm_type": "int64_val", "comm_size": "int64_val", "num_ops": "int64_val",
             "comm_src": "int32_val", "comm_dst": "int32_val", "comm_tag": "int32_val", "pg_name": "string_val"}
    return [et.AttributeProto(name=k, **{kinds[k]: v}) for k, v in values.items()]


def _suffix(**values) -> bytes:
    """Serialized attribute entries to append to a serialized Node: concatenated encodings of one
    message type parse as their merge, and repeated fields append (protobuf encoding guide)."""
    return et.Node(attr=_attrs(**values)).SerializeToString()


def _heads(ops: list[_Op], flops_per_s: float) -> tuple[list[bytes], list[str | None]]:
    """Each node serialized without its rank's own attributes, and which of those it takes."""
    heads, keys, total_s, done_us = [], [], 0.0, 0
    for i, op in enumerate(ops):
        node = et.Node(id=i, name=op.name, type=op.type, data_deps=[i - 1] if i else [])
        key = None
        if op.type == et.COMP_NODE:
            total_s += op.seconds
            us = int(round(total_s * 1e6))
            node.duration_micros = us - done_us
            done_us = us
            node.attr.extend(_attrs(is_cpu_op=False, num_ops=int(round(op.seconds * flops_per_s))))
        elif op.type == et.COMM_COLL_NODE:
            node.attr.extend(_attrs(is_cpu_op=False, comm_type=op.comm_type, comm_size=op.size))
            key = op.kind
        else:
            node.attr.extend(_attrs(is_cpu_op=False, comm_size=op.size, comm_tag=op.tag))
            key = f"{op.kind}{op.peer:+d}"
        heads.append(node.SerializeToString())
        keys.append(key)
    return heads, keys


def _metadata(text: str) -> bytes:
    meta = et.GlobalMetadata(version=VERSION, attr=[et.AttributeProto(name="source", string_val=text)])
    data = meta.SerializeToString()
    return varint(len(data)) + data


# --- writing ---------------------------------------------------------------------------------------

def _out_dir(path: str | Path) -> Path:
    d = Path(path)
    if d.exists() and not d.is_dir():
        raise LightfabricError.for_field(OPTION, str(path), "a directory (made if missing)",
                                         problem="a file of that name exists")
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LightfabricError.for_field(OPTION, str(path), "a directory that can be written",
                                         problem=e.strerror or str(e)) from None
    return d


def check_size(model: ModelSpec, plan: Plan, peak_tflops: float, *, max_nodes: int = MAX_NODES,
               option: str = OPTION, value: object = None) -> StepShape:
    """The step's shape, or :class:`WorkTooLarge` naming ``option`` and ``value`` if its traces
    would hold more than ``max_nodes`` nodes over all ranks (counted by arithmetic, before any is made)."""
    shape = step_shape(model, plan, peak_tflops)
    per_stage = nodes_per_stage(shape)
    total = sum(per_stage) * plan.tp * plan.dp
    if total > max_nodes:
        raise WorkTooLarge.for_field(
            option, value, f"a step of at most {max_nodes:,} Chakra nodes over all ranks (fewer micro-batches: a "
            f"smaller global_batch_tokens or more dp; fewer layers per stage: more pp)",
            problem=f"{plan.gpus:,} ranks x {min(per_stage):,}-{max(per_stage):,} nodes = {total:,} nodes")
    return shape


def write_step_traces(out_dir: str | Path, model: ModelSpec, plan: Plan, peak_tflops: float, *,
                      prefix: str = PREFIX, idle_ranks: int = 0, max_nodes: int = MAX_NODES,
                      option: str = OPTION, progress: Callable[[int, int], None] | None = None) -> dict:
    """Write one trace per rank of ``plan`` (and ``idle_ranks`` more with no work, for a network
    of more GPUs than the plan uses) and the communicator groups into ``out_dir``; return what was
    written. A step of more than ``max_nodes`` nodes over all ranks is refused before anything is
    written (the error names ``option`` with ``out_dir``)."""
    shape = check_size(model, plan, peak_tflops, max_nodes=max_nodes, option=option, value=str(out_dir))
    per_stage = nodes_per_stage(shape)
    total = sum(per_stage) * plan.tp * plan.dp
    d = _out_dir(out_dir)
    ids = group_ids(plan, shape)
    groups = comm_groups(ids)
    stride = plan.tp * plan.dp
    written = 0
    try:
        for stage in range(plan.pp):
            heads, keys = _heads(_stage_program(shape, stage), shape.flops_per_s)
            for rank in range(stage * stride, (stage + 1) * stride):
                own = {kind: _suffix(pg_name=str(int(gid[rank]))) for kind, gid in ids.items()}
                for peer in (-1, 1):
                    other = rank + peer * stride
                    own[f"send{peer:+d}"] = _suffix(comm_src=rank, comm_dst=other)
                    own[f"recv{peer:+d}"] = _suffix(comm_src=other, comm_dst=rank)
                parts = [_metadata(f"lightfabric {__version__} step: model {model.name}, plan {plan.label()}, "
                                   f"rank {rank} (stage {stage})")]
                for head, key in zip(heads, keys):
                    tail = own[key] if key is not None else b""
                    parts += (varint(len(head) + len(tail)), head, tail)
                (d / f"{prefix}.{rank}.et").write_bytes(b"".join(parts))
                written += 1
                if progress:
                    progress(written, plan.gpus + idle_ranks)
        for rank in range(plan.gpus, plan.gpus + idle_ranks):
            (d / f"{prefix}.{rank}.et").write_bytes(
                _metadata(f"lightfabric {__version__}: rank {rank} is outside plan {plan.label()}; no work"))
        (d / COMM_GROUP_FILE).write_text(comm_group_json(groups))
    except OSError as e:
        raise LightfabricError.for_field(option, str(out_dir), "a directory with room to write the traces",
                                         problem=e.strerror or str(e)) from None
    notes = []
    if groups and max(groups) > ASTRA_SIM_MAX_GROUP_ID:
        notes.append(f"{len(groups):,} communicators: ASTRA-sim numbers a communicator's streams id x 1,000,000 in "
                     f"an int, so ids above {ASTRA_SIM_MAX_GROUP_ID:,} overflow it")
    return {"directory": str(d), "prefix": prefix, "version": VERSION, "ranks": plan.gpus, "idle_ranks": idle_ranks,
            "files": plan.gpus + idle_ranks, "nodes": total, "nodes_per_rank_by_stage": per_stage,
            "comm_groups": len(groups), "comm_group_file": str(d / COMM_GROUP_FILE),
            "micro_batches": shape.micro_batches, "compute_s": shape.compute_s, "notes": notes}


def plan_of(label: str) -> Plan:
    """The :class:`Plan` of a report's ``plan`` label (``tp=8,pp=2,dp=64,ep=1``)."""
    values = dict(item.split("=") for item in label.split(","))
    return Plan(tp=int(values["tp"]), pp=int(values["pp"]), dp=int(values["dp"]), ep=int(values["ep"]))


def write_report_traces(report: dict, out_dir: str | Path, **kwargs) -> dict:
    """The traces of a :func:`lightfabric.netsim.run.step_report` (its model, plan and GPU rate):
    the same for every design of the report, since a trace carries work and sizes, not times."""
    model = ModelSpec.model_validate(report["model"])
    return write_step_traces(out_dir, model, plan_of(report["plan"]), report["bf16_dense_tflops"], **kwargs)


# --- reading ---------------------------------------------------------------------------------------

def read_trace(path: str | Path) -> tuple[et.GlobalMetadata, list[et.Node]]:
    """A Chakra trace file: its ``GlobalMetadata`` and its nodes in file order."""
    buf = Path(path).read_bytes()
    messages, pos = [], 0
    try:
        while pos < len(buf):
            n, pos = read_varint(buf, pos)
            if pos + n > len(buf):
                raise ValueError(f"a message of {n} bytes at byte {pos} runs past the end")
            messages.append(buf[pos:pos + n])
            pos += n
    except ValueError as e:
        raise LightfabricError(f"{path}: not a Chakra trace: {e}") from None
    if not messages:
        raise LightfabricError(f"{path}: not a Chakra trace: empty (no GlobalMetadata)")
    meta = et.GlobalMetadata.FromString(messages[0])
    return meta, [et.Node.FromString(m) for m in messages[1:]]


def attr(node: et.Node, name: str, default=None):
    """The value of a node's attribute ``name`` (whichever value field is set), or ``default``."""
    for a in node.attr:
        if a.name == name:
            field = a.WhichOneof("value")
            return getattr(a, field) if field else default
    return default


def read_comm_groups(path: str | Path) -> dict[int, list[int]]:
    """``comm_group.json``: communicator id -> ranks."""
    return {int(k): list(v) for k, v in json.loads(Path(path).read_text()).items()}


def node_types(nodes: Iterable[et.Node]) -> list[str]:
    """The NodeType names of ``nodes``, for messages and tests."""
    return [et.NodeType.Name(n.type) for n in nodes]
