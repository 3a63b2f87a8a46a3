"""The API's request bodies. Every field says its unit and range; a bad one is a 422 naming it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lightfabric.catalog.models import PART_TYPES
from lightfabric.netsim.collectives import OPS
from lightfabric.physics.chains import DESIGN_MARGIN_DB
from lightfabric.scenario.models import Scenario, Technology
from lightfabric.technologies.registry import DESIGN_CHOICES, LINK_TECHNOLOGIES
from lightfabric.web.limits import MAX_HORIZON_DAYS, MAX_TRIALS, MAX_YAML_CHARS


PartKind = Literal[tuple(sorted(PART_TYPES))]  # type: ignore[valid-type]


class _Body(BaseModel):
    # strict: a bool is not a number (nor 0 a bool), as the schema says; NaN and infinity are refused
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Edits(_Body):
    """The main fields of a scenario, changed on top of the chosen one (the web page's form)."""

    gpus: int | None = Field(None, gt=0, description="GPUs in the cluster")
    gpu: str | None = Field(None, min_length=1, max_length=80, description="catalog id of the GPU")
    switch: str | None = Field(None, min_length=1, max_length=80, description="catalog id of the scale-out switch")
    port_rate_gbps: float | None = Field(None, gt=0, le=12_800, description="switch port rate, Gb/s")
    technologies: list[Technology] | None = Field(None, min_length=1, max_length=len(DESIGN_CHOICES),
                                                  description="technologies to build the fabric with")
    electricity_usd_per_kwh: float | None = Field(None, ge=0, le=10, description="electricity price, USD/kWh")


# the one-of rule in JSON Schema terms: no two of the three sources given together
ONE_SOURCE = {"not": {"anyOf": [{"required": ["example", "yaml"]}, {"required": ["example", "scenario"]},
                                {"required": ["yaml", "scenario"]}]}}


class ScenarioInput(_Body):
    """Which scenario: a packaged example by name, YAML text (an upload) or a scenario object; none of
    them means the built-in default. ``edits`` then change its main fields."""

    example: str | None = Field(None, max_length=100, description="name from GET /api/examples")
    yaml: str | None = Field(None, max_length=MAX_YAML_CHARS, description="scenario YAML text")
    scenario: Scenario | None = Field(None, description="a scenario object, the same keys as the YAML")
    edits: Edits | None = None

    @model_validator(mode="after")
    def _one_source(self):
        # a key given as null counts as given, as the schema's one-of rule says
        given = [k for k in ("example", "yaml", "scenario") if k in self.model_fields_set]
        if len(given) > 1:
            raise ValueError(f"give one of example, yaml or scenario, not {' and '.join(given)}")
        return self


SCENARIO_RULE = ("The scenario comes from at most one of example, yaml and scenario (none: the built-in "
                 "default; two or more: 422); edits then change its main fields. A yaml text is read without "
                 "anchors, aliases or duplicate keys.")


class CompareRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})


class ReliabilityRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    job_gpus: int | None = Field(None, gt=0, description="GPUs of the training job; default: the scenario's")
    trials: int = Field(200, ge=2, le=MAX_TRIALS, description="Monte Carlo trials")
    horizon_days: float = Field(180.0, ge=1, le=MAX_HORIZON_DAYS, description="Monte Carlo horizon, days")
    seed: int = Field(0, ge=0, le=2**32 - 1)


class EconomicsRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    job_gpus: int | None = Field(None, gt=0, description="GPUs of the training job; default: the scenario's")


class CollectiveRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    op: Literal[OPS] = "all-reduce"  # type: ignore[valid-type]
    algorithm: str | None = Field(None, max_length=40, description="default: the op's (ring or direct)")
    size_bytes: float = Field(1e9, gt=0, le=1e13, description="message size, bytes")
    gpus: int | None = Field(None, ge=2, description="GPUs taking part; default: all")
    simulate: bool = Field(False, description="max-min fair flow simulation instead of the closed form")


class TrafficRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    patterns: list[Literal["uniform", "permutation", "matrix"]] = Field(
        ["uniform", "permutation"], min_length=1, max_length=3,
        description="traffic patterns between blocks (lightfabric traffic); matrix needs matrix")
    matrix: list[list[float]] | None = Field(None, max_length=4096, description=(
        "bytes from block i to block j, one row and column per block (the pattern 'matrix')"))
    size_bytes: float = Field(1e9, gt=0, le=1e13, description="bytes each GPU sends (uniform, permutation)")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="the permutation's seed")


class ReportRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    trials: int = Field(100, ge=2, le=MAX_TRIALS, description="Monte Carlo trials of the reliability section")
    horizon_days: float = Field(180.0, ge=1, le=MAX_HORIZON_DAYS, description="Monte Carlo horizon, days")
    seed: int = Field(0, ge=0, le=2**32 - 1)


class SensitivityRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    metric: Literal["tco_usd", "npv_usd"] = Field("tco_usd", description="undiscounted TCO or NPV, USD")
    versus: list[str] | None = Field(None, min_length=2, max_length=2, description=(
        "two feasible designs A, B: the tornado of A minus B and their break-even points; default cpo against "
        "the first design"))
    job_gpus: int | None = Field(None, gt=0, description="GPUs of the training job; default: the scenario's")


class StepRequest(ScenarioInput):
    model_config = ConfigDict(json_schema_extra={"description": SCENARIO_RULE, **ONE_SOURCE})
    model: str = Field("moe-1t", min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$",
                       description="a packaged model by name (GET /api/models)")
    plan: str = Field("tp=8,pp=8", min_length=1, max_length=80, description="tp=N,pp=N,dp=N or ...,ep=N")
    simulate: bool = Field(False, description="flow simulation of every collective instead of the closed form")


class SweepRequest(_Body):
    """A sweep file's body (docs/sweeps.md) with at most the server's points, run here into a temporary
    results file; the rows come back."""

    sweep: dict = Field(description="the sweep file's keys: base, sample, axes, constraints (base: an example name or default)")
    max_rows: int = Field(2000, ge=1, le=20_000, description="rows returned at most")


class LaserRequest(_Body):
    """What the lasers of one port must do, as ``lightfabric laser`` computes it."""

    technology: Literal[tuple(t for t in LINK_TECHNOLOGIES if t != "copper")]  # type: ignore[valid-type]
    lane_rate_gbps: float = Field(100.0, gt=0, le=1_000, description="optical lane rate, Gb/s")
    port_rate_gbps: float = Field(800.0, gt=0, le=12_800, description="port rate, Gb/s")
    lanes_per_laser: int | None = Field(None, ge=1, le=64, description="CPO: lanes fed by one laser")
    temperature_c: float | None = Field(None, ge=-40, le=150, description="laser case temperature, C")
    design_margin_db: float = Field(DESIGN_MARGIN_DB, ge=0, le=10, description="laser sized this far above closing, dB")
    engine: str | None = Field(None, max_length=80, description="engine technologies: the optical engine")


class LinkRequest(_Body):
    """One link's budget, as ``lightfabric link`` computes it."""

    technology: Literal[LINK_TECHNOLOGIES]  # type: ignore[valid-type]
    length_m: float = Field(ge=0, le=100_000, description="fiber or cable length, m")
    lane_rate_gbps: float = Field(100.0, gt=0, le=1_000, description="100 or 200 for optics; 112, 224 or 448 for copper")
    laser_power_mw: float | None = Field(None, ge=1e-3, le=2_000, description="optics: run the laser at this power")
    lanes_per_laser: int | None = Field(None, ge=1, le=64, description="CPO: lanes one external laser feeds")
    ocs_passes: int = Field(0, ge=0, le=4, description="optics: passes through an optical circuit switch")
    design_margin_db: float = Field(DESIGN_MARGIN_DB, ge=0, le=10, description="optics: laser sized this far above closing")
    cable: str | None = Field(None, max_length=80, description="copper: twinax part id")
    engine: str | None = Field(None, max_length=80, description="engine technologies: the optical engine; default the "
                                                                "cheapest of the technology at the lane rate (named)")
