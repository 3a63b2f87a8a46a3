"""One training step: compute, and the communication of tensor, pipeline, data and expert
parallelism over the design's fabric, with what of it is exposed.

Placement of ranks (Megatron-LM order): tensor-parallel GPUs are adjacent (rank = (stage x dp +
replica) x tp + t), so a tensor-parallel group sits in one scale-up domain when tp divides the
domain; an expert-parallel group is ``ep`` consecutive replicas of one stage (GPUs ``tp`` apart);
a data-parallel group is every replica of one stage.

Per step and GPU (D. Narayanan et al., "Efficient large-scale language model training on GPU
clusters using Megatron-LM", SC'21; a mixture-of-experts layer dispatches and combines each
token's hidden state to its top-k experts by all-to-all):

* tensor: 4 all-reduces per layer and micro-batch (2 forward, 2 backward) of the micro-batch's
  activations, ``tokens x hidden x bytes``;
* expert: 4 all-to-alls per MoE layer and micro-batch of ``tokens x top_k x hidden x bytes / tp``;
* pipeline: a send forward and one backward per micro-batch of ``tokens x hidden x bytes / tp``;
* data: one all-reduce of the dense gradients over the data-parallel group and one of the expert
  gradients over the replicas that hold the same experts (``dp / ep``).

Compute: ``6 N_active + 12 layers x hidden x sequence`` FLOPs per token (Narayanan et al., eq. 2
without the vocabulary term), at ``mfu`` of the GPU's dense BF16 peak, stretched by the 1F1B
pipeline bubble ``(pp - 1) / micro-batches``. Tensor, expert and pipeline communication sit on the
critical path; the data-parallel all-reduce overlaps the backward pass (two thirds of the compute)
and only its excess is exposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lightfabric.errors import LightfabricError
from lightfabric.examples_index import model_path
from lightfabric.netsim.collectives import Phase, closed_form, phase_closed_form, simulated
from lightfabric.topology.paths import SAME_DOMAIN, PathModel

BACKWARD_SHARE = 2.0 / 3.0


class ModelSpec(BaseModel):
    """A transformer to train (docs/performance.md; examples/models/)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    parameters: float = Field(gt=0, description="total parameters")
    active_parameters: float = Field(gt=0, description="parameters each token passes through")
    layers: int = Field(gt=0)
    moe_layers: int = Field(default=0, ge=0)
    hidden: int = Field(gt=0)
    experts: int = Field(default=0, ge=0)
    top_k: int = Field(default=0, ge=0)
    sequence_length: int = Field(gt=0)
    global_batch_tokens: float = Field(gt=0)
    micro_batch_sequences: int = Field(default=1, gt=0)
    bytes_per_value: float = Field(default=2.0, gt=0)
    mfu: float = Field(default=0.4, gt=0, le=1)

    @model_validator(mode="after")
    def _consistent(self) -> "ModelSpec":
        if self.active_parameters > self.parameters:
            raise ValueError("active_parameters exceeds parameters")
        if self.moe_layers > self.layers:
            raise ValueError("moe_layers exceeds layers")
        if self.moe_layers and not (0 < self.top_k < self.experts):
            raise ValueError("a mixture-of-experts model needs 0 < top_k < experts")
        if self.global_batch_tokens < self.sequence_length * self.micro_batch_sequences:
            raise ValueError(f"global_batch_tokens holds no micro-batch of sequence_length x micro_batch_sequences = "
                             f"{self.sequence_length * self.micro_batch_sequences:,} tokens")
        return self

    @property
    def expert_parameters(self) -> float:
        """Parameters in experts: total - active = experts' params x (1 - top_k / experts)."""
        if not self.moe_layers:
            return 0.0
        return (self.parameters - self.active_parameters) / (1.0 - self.top_k / self.experts)


def load_model(path: str | Path) -> ModelSpec:
    """A model file, or an example model by name (``moe-1t``, ``dense-405b``) from any directory."""
    p = model_path(path)
    try:
        data = yaml.safe_load(p.read_text())
    except yaml.YAMLError as e:
        raise LightfabricError(f"{p}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise LightfabricError.for_field("--model", str(path), "a mapping of model fields", problem="not a mapping")
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "model"
        raise LightfabricError(f"{p}: {field}: {first['msg']}; fields: "
                               f"{', '.join(ModelSpec.model_fields)}") from None


@dataclass(frozen=True)
class Plan:
    tp: int
    pp: int
    dp: int
    ep: int

    @property
    def gpus(self) -> int:
        return self.tp * self.pp * self.dp

    def label(self) -> str:
        return f"tp={self.tp},pp={self.pp},dp={self.dp},ep={self.ep}"


def parse_plan(text: str, gpus: int, model: ModelSpec) -> Plan:
    """``tp=8,pp=8,ep=64,dp=...``: dp omitted or ``...`` fills the cluster, as far as the global
    batch has a micro-batch for every replica."""
    vals: dict[str, int | None] = {"tp": 1, "pp": 1, "dp": None, "ep": 1}
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise LightfabricError.for_field("--plan", text, "tp=N, pp=N, dp=N or ..., ep=N, comma-separated, at least one",
                                         problem="an empty plan")
    seen: set[str] = set()
    for item in items:
        key, _, v = item.partition("=")
        key = key.strip()
        if key not in vals:
            raise LightfabricError.for_field("--plan", item, "tp=N, pp=N, dp=N or ..., ep=N, comma-separated")
        if key in seen:
            raise LightfabricError.for_field("--plan", text, "each of tp, pp, dp and ep once",
                                             problem=f"{key} is given twice")
        seen.add(key)
        if key == "dp" and v.strip() in ("...", "auto", ""):
            continue
        try:
            n = int(v)
        except ValueError:
            raise LightfabricError.for_field(f"--plan {key}", v, "a whole number >= 1") from None
        if n < 1:
            raise LightfabricError.for_field(f"--plan {key}", n, "a whole number >= 1")
        vals[key] = n
    tp, pp, ep = vals["tp"], vals["pp"], vals["ep"]
    max_dp = int(model.global_batch_tokens // (model.sequence_length * model.micro_batch_sequences))
    dp = vals["dp"] or min(gpus // (tp * pp), max_dp)
    if tp * pp > gpus:
        raise LightfabricError.for_field("--plan", text, f"tp x pp <= {gpus:,} (the cluster's GPUs)",
                                         problem=f"tp x pp = {tp * pp:,}: no room for one replica")
    if vals["dp"] is None and ep > 1:
        if dp < ep:
            raise LightfabricError.for_field(
                "--plan ep", ep, f"a divisor of dp = {dp:,} (the replicas of tp={tp} x pp={pp} that {gpus:,} GPUs and "
                "the global batch hold)", problem="experts are spread over data-parallel replicas")
        dp -= dp % ep
    if tp * pp * dp > gpus:
        raise LightfabricError.for_field("--plan", text, f"tp x pp x dp <= {gpus:,} (the cluster's GPUs)",
                                         problem=f"tp x pp x dp = {tp * pp * dp:,}")
    if dp % ep:
        raise LightfabricError.for_field("--plan ep", ep, f"a divisor of dp = {dp}")
    if model.moe_layers and model.experts % ep:
        raise LightfabricError.for_field("--plan ep", ep, f"a divisor of the model's {model.experts} experts")
    if pp > model.layers:
        raise LightfabricError.for_field("--plan pp", pp, f"at most the model's {model.layers} layers")
    tokens_per_replica = model.global_batch_tokens / dp
    if tokens_per_replica < model.sequence_length * model.micro_batch_sequences:
        raise LightfabricError.for_field("--plan dp", dp, f"at most {int(model.global_batch_tokens // model.sequence_length):,} "
                                         "(each replica needs one micro-batch of the global batch)")
    return Plan(tp, pp, dp, ep)


def peak_tflops(gpu) -> float:
    """The GPU's dense BF16 rate (TFLOPS) the step's compute time needs; refused naming the field if
    the catalog has none."""
    if gpu.bf16_dense_tflops is None:
        raise LightfabricError.for_field(
            "cluster.gpu", gpu.id, f"a GPU with bf16_dense_tflops in the catalog, or overrides: "
            f"{{{gpu.id}.bf16_dense_tflops: N}}", problem="no dense BF16 rate for the compute time")
    return gpu.bf16_dense_tflops


def _network(topo: PathModel, src, dst) -> str:
    if topo.only_network:
        return topo.only_network
    cls = topo.path_class(src, dst)
    return "scale-up" if (cls == SAME_DOMAIN).all() else "scale-out"


def step_time(topo: PathModel, peak_tflops: float, model: ModelSpec, plan: Plan, *, graph=None,
              routing: str = "spread", seed: int = 0) -> dict:
    """Compute, communication by collective and network, exposed communication and step time."""
    b = model.bytes_per_value
    mb_tokens = model.micro_batch_sequences * model.sequence_length
    micro = max(1, int(model.global_batch_tokens / plan.dp // mb_tokens))
    layers_stage = ceil(model.layers / plan.pp)
    moe_stage = ceil(model.moe_layers / plan.pp)
    tp, pp, dp, ep = plan.tp, plan.pp, plan.dp, plan.ep

    def coll(op, alg, ranks, size):
        if graph is not None:
            return simulated(graph, op, alg, ranks, size, routing, seed)
        return closed_form(topo, op, alg, ranks, size)

    rows = []

    def add(name, calls, result, network):
        rows.append({"collective": name, "network": network, "calls": calls, "time_per_call_s": result["time_s"],
                     "bytes_per_call": result["size_bytes"], "time_s": calls * result["time_s"],
                     "algorithm": result["algorithm"]})

    if tp > 1:
        ranks = np.arange(tp)
        r = coll("all-reduce", "ring", ranks, mb_tokens * model.hidden * b)
        add("tensor (all-reduce)", 4 * layers_stage * micro, r.as_dict(), _network(topo, ranks, np.roll(ranks, 1)))
    if model.moe_layers and ep > 1:
        ranks = np.arange(ep) * tp
        r = coll("all-to-all", "direct", ranks, mb_tokens * model.top_k * model.hidden * b / tp)
        add("expert (all-to-all)", 4 * moe_stage * micro, r.as_dict(), _network(topo, ranks[:1].repeat(ep), ranks))
    if pp > 1:
        stage = np.arange(dp * tp)
        ph = Phase("stage to stage", stage, stage + dp * tp, mb_tokens * model.hidden * b / tp)
        t = phase_closed_form(topo, ph)["time_s"]
        add("pipeline (send/recv)", 2 * micro, {"time_s": t, "size_bytes": ph.bytes_per_flow, "algorithm": "p2p"},
            _network(topo, ph.src, ph.dst))
    dense = model.parameters - model.expert_parameters
    if dp > 1:
        ranks = np.arange(dp) * tp
        r = coll("all-reduce", "ring", ranks, dense / (tp * pp) * b)
        add("data (dense gradients, all-reduce)", 1, r.as_dict(), _network(topo, ranks, np.roll(ranks, 1)))
    if model.moe_layers and dp // ep > 1:
        ranks = np.arange(dp // ep) * ep * tp
        r = coll("all-reduce", "ring", ranks, model.expert_parameters / (tp * pp * ep) * b)
        add("data (expert gradients, all-reduce)", 1, r.as_dict(), _network(topo, ranks, np.roll(ranks, 1)))

    flops_per_token = 6 * model.active_parameters + 12 * model.layers * model.hidden * model.sequence_length
    compute = model.global_batch_tokens * flops_per_token / (plan.gpus * peak_tflops * 1e12 * model.mfu)
    bubble = compute * (pp - 1) / micro
    exposed: dict[str, float] = {"scale-up": 0.0, "scale-out": 0.0}
    overlap_left = BACKWARD_SHARE * compute
    for row in rows:
        if row["collective"].startswith("data"):
            hidden_ = min(row["time_s"], overlap_left)
            overlap_left -= hidden_
            row["exposed_s"] = row["time_s"] - hidden_
        else:
            row["exposed_s"] = row["time_s"]
        exposed[row["network"]] += row["exposed_s"]
    total_exposed = sum(exposed.values())
    step = compute + bubble + total_exposed
    return {"plan": plan.label(), "gpus": plan.gpus, "micro_batches": micro, "tokens_per_step": model.global_batch_tokens,
            "compute_s": compute, "bubble_s": bubble, "exposed_comm_s": exposed, "exposed_comm_total_s": total_exposed,
            "step_time_s": step, "exposed_share": total_exposed / step, "collectives": rows,
            "tokens_per_s": model.global_batch_tokens / step}
