"""The design question: the GPUs, the objective, the constraints and the space to search.

An architect's question ("for 100,000 GB300s under 25 MW of network power, with at least 95 %
goodput and full bisection, what should I build?") is a :class:`DesignQuestion`: the cluster, one
objective (a metric of :data:`METRICS` to minimise or maximise), constraints of the form
``METRIC OP NUMBER`` and, optionally, the parts of the space to search (every value the catalog and
the registries allow by default) and a date by which the parts must be available.

Each metric says how the search can bound it before a design is built in full
(:class:`Metric`.bound): ``exact`` (known from the fabric's structure: tiers, switches, bisection),
``lower`` (a lower bound from the bill of materials of each link class: power, capex, TCO) or
``none`` (known only after the full evaluation: goodput). Only bounded metrics prune.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lightfabric.errors import LightfabricError


@dataclass(frozen=True)
class Metric:
    """A figure of a design the search can optimise or constrain."""

    name: str
    sense: Literal["min", "max"]
    unit: str
    bound: Literal["exact", "lower", "none"]   # what is known before the full evaluation
    meaning: str


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("tco_usd", "min", "USD", "lower",
           "capex + energy + maintenance + downtime over the years, undiscounted (lightfabric economics); "
           "bounded below by capex + energy"),
    Metric("tco_per_gpu_usd", "min", "USD", "lower", "tco_usd per GPU"),
    Metric("capex_usd", "min", "USD", "lower", "bill of materials plus the packaging-yield premium (lightfabric economics)"),
    Metric("capex_per_gpu_usd", "min", "USD", "lower", "capex_usd per GPU"),
    Metric("network_power_mw", "min", "MW", "lower", "IT power of the network (lightfabric compare)"),
    Metric("power_per_gpu_w", "min", "W", "lower", "network power per GPU"),
    Metric("goodput", "max", "0-1", "none",
           "GPU-hour-weighted goodput of the scenario's job mix, every cause of interruption counted"),
    Metric("bisection", "max", "0-1", "exact",
           "the share of the GPUs' scale-out bandwidth the fabric carries across any cut: 1 / the leaf "
           "oversubscription built (a rail-only fabric forwards traffic between rails through the scale-up "
           "domain, so its rails' oversubscription is the figure)"),
    Metric("step_time_s", "min", "s", "none",
           "one training step of the question's model and plan (lightfabric step, closed form)"),
    Metric("tiers", "min", "", "exact", "switch tiers of the scale-out fabric"),
    Metric("switches", "min", "", "exact", "scale-out switches of all planes (an OCS spine's are not counted)"),
)}

OBJECTIVES: dict[str, str] = {"tco": "tco_usd", "capex": "capex_usd", "power": "network_power_mw",
                              "goodput": "goodput", "step-time": "step_time_s"}

MAX_GPUS = 4_194_304
MAX_CONSTRAINTS = 16

_CONSTRAINT = re.compile(r"^\s*([a-z_]+)\s*(<=|>=|<|>)\s*([-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Constraint:
    """``metric op value``, e.g. ``network_power_mw <= 25``."""

    metric: str
    op: str
    value: float

    def holds(self, x: float) -> bool:
        """Whether a design's figure ``x`` meets the constraint (a NaN never does)."""
        if x != x:
            return False
        return {"<=": x <= self.value, "<": x < self.value, ">=": x >= self.value, ">": x > self.value}[self.op]

    @property
    def upper(self) -> bool:
        """True for ``<=``/``<`` (the metric must stay low)."""
        return self.op in ("<=", "<")

    def text(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_constraint(text: str, field: str = "--constraint") -> Constraint:
    """``"network_power_mw <= 25"`` -> :class:`Constraint`; anything else raises naming the field."""
    allowed = ("METRIC <= NUMBER, METRIC < NUMBER, METRIC >= NUMBER or METRIC > NUMBER, METRIC one of "
               + ", ".join(METRICS))
    m = _CONSTRAINT.match(str(text))
    if not m:
        raise LightfabricError.for_field(field, text, allowed)
    name, op, number = m.groups()
    if name not in METRICS:
        from lightfabric.errors import did_you_mean
        raise LightfabricError.for_field(field, text, allowed, problem=f"unknown metric {name!r}"
                                         + did_you_mean(name, list(METRICS)))
    value = float(number.replace("_", ""))
    if value != value or value in (float("inf"), float("-inf")):
        raise LightfabricError.for_field(field, text, allowed, problem="the number must be finite")
    return Constraint(name, op, value)


class DesignQuestion(BaseModel):
    """What to design and what the search may choose (``None``: every value allowed)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    gpus: int = Field(ge=1, le=MAX_GPUS, description="GPUs in the cluster")
    gpu: str = Field(description="catalog GPU id")
    objective: Literal["tco", "capex", "power", "goodput", "step-time"] = Field(
        default="tco", description="what the best design minimises (goodput: maximises)")
    constraints: tuple[str, ...] = Field(default=(), max_length=MAX_CONSTRAINTS,
                                         description="METRIC OP NUMBER, e.g. 'network_power_mw <= 25'")
    available_by: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                     description="YYYY-MM: only parts shipping by then")
    include_sampling: bool = Field(default=False, description="with available_by: parts sampling by then count too")
    base: str | None = Field(default=None, description=(
        "a scenario (an example's name or a path) whose placement, economics, physical and reliability "
        "sections the designs take; default the built-in defaults"))
    topologies: tuple[str, ...] | None = Field(default=None, min_length=1, description="registered topologies with switches")
    switches: tuple[str, ...] | None = Field(default=None, min_length=1, description="scale-out switch ids")
    port_rates_gbps: tuple[float, ...] | None = Field(default=None, min_length=1)
    tiers: tuple[Literal[1, 2, 3], ...] = Field(default=(1, 2, 3), min_length=1)
    planes: tuple[int, ...] | None = Field(default=None, min_length=1, description="default: every divisor of one GPU's NIC links")
    oversubscription: tuple[float, ...] = Field(default=(1.0, 2.0, 3.0), min_length=1, max_length=8)
    technologies: tuple[str, ...] | None = Field(default=None, min_length=1,
                                                 description="link technologies per link class; default all registered")
    ocs_spine: tuple[bool, ...] = Field(default=(False, True), min_length=1,
                                        description="an OCS spine in place of the top switch tier, or not")
    nic: str | None = Field(default=None, description="the NIC; default the GPU's (the GPU's scale-out bandwidth is a given)")
    scale_up: Literal["platform", "none"] = Field(
        default="platform", description="the GPU platform's scale-up domain (catalog) or none")
    model: str = Field(default="moe-1t", min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$",
                       description="step time: a packaged training model by name (lightfabric step --model)")
    plan: str = Field(default="tp=8,pp=8", min_length=1, max_length=80,
                      description="step time: the parallelism plan (lightfabric step --plan)")

    @property
    def needs_step(self) -> bool:
        """Whether the step time is asked for (objective or constraint)."""
        return self.objective == "step-time" or any(c.metric == "step_time_s" for c in self.parsed_constraints())

    @field_validator("oversubscription")
    @classmethod
    def _oversubscription(cls, v):
        for x in v:
            if not 1 <= x <= 64:
                raise ValueError(f"each oversubscription must be 1 to 64, got {x:g}")
        return v

    @field_validator("constraints")
    @classmethod
    def _constraints(cls, v):
        for i, text in enumerate(v):
            try:
                parse_constraint(text, f"constraints[{i}]")
            except LightfabricError as e:
                raise ValueError(str(e)) from None
        return v

    @property
    def objective_metric(self) -> Metric:
        return METRICS[OBJECTIVES[self.objective]]

    def parsed_constraints(self) -> list[Constraint]:
        return [parse_constraint(t, f"constraints[{i}]") for i, t in enumerate(self.constraints)]


def question_from(data: dict, where: str = "<question>") -> DesignQuestion:
    """Validate a question's keys (a file's or the command line's), naming the field on error."""
    if not isinstance(data, dict):
        raise LightfabricError.for_field(where, type(data).__name__, "a mapping of the keys of docs/design.md")
    try:
        return DesignQuestion.model_validate(data)
    except LightfabricError:
        raise
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or where
        value = first.get("input")
        allowed = {k: (f.description or str(f.annotation)) for k, f in DesignQuestion.model_fields.items()}.get(
            str(first["loc"][0]) if first["loc"] else "", "the keys of docs/design.md")
        raise LightfabricError.for_field(f"{where}: {field}" if where != "<question>" else field,
                                         value if isinstance(value, (int, float, str, bool, type(None))) else str(value)[:80],
                                         allowed, problem=first["msg"]) from None


def load_question(path: str | Path) -> dict:
    """The keys of a question file (YAML, no aliases), for :func:`question_from` after the command
    line's options are laid over them."""
    from lightfabric.inputs import load_yaml, read_text_file
    try:
        text = read_text_file(Path(path), "question")
    except FileNotFoundError:
        raise LightfabricError.for_field("QUESTION", str(path), "a design question file (YAML)",
                                         problem="no such file") from None
    data, _ = load_yaml(text, str(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LightfabricError.for_field(str(path), type(data).__name__, "a mapping of the keys of docs/design.md")
    return data
