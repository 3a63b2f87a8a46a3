"""The scenario: the user's description of a cluster, as a typed model.

The schema is documented in ``docs/scenario.md``; a test checks that document against these models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StrictInt, ValidationError,
                      field_validator)

from lightfabric.catalog.defaults import OCS_PART
from lightfabric.errors import ScenarioError
from lightfabric.inputs import summarise
from lightfabric.physics.chains import DESIGN_MARGIN_DB
from lightfabric.placement import LEAF_LOCATIONS
from lightfabric.technologies.registry import DEFAULT_DESIGNS, DESIGN_CHOICES, LINK_TECHNOLOGIES, SPINE_DESIGNS
from lightfabric.topology.registry import TOPOLOGY_NAMES

# The choices below come from the registries: a link technology can be named for a link group or
# listed to be compared everywhere it is feasible; a spine design ("ocs") listed gives a design with
# that spine.
Technology = Literal[DESIGN_CHOICES]  # type: ignore[valid-type]
LinkTechnology = Literal[LINK_TECHNOLOGIES + ("auto",)]  # type: ignore[valid-type]
TopologyName = Literal[TOPOLOGY_NAMES]  # type: ignore[valid-type]
SpineSwitch = Literal[("electrical",) + tuple(SPINE_DESIGNS)]  # type: ignore[valid-type]
LeafLocation = Literal[LEAF_LOCATIONS]  # type: ignore[valid-type]


def _not_a_bool(v):
    if isinstance(v, bool):
        raise ValueError("a number, not true or false")
    return v


# A number as the user means it: not true/false (which would pass as 1 and 0), never NaN or infinite.
Number = Annotated[float, BeforeValidator(_not_a_bool)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Cluster(_Strict):
    gpus: StrictInt = Field(gt=0, le=100_000_000, description="number of GPUs in the cluster")
    gpu: str = Field(description="catalog id of the GPU")
    gpus_per_server: StrictInt | None = Field(
        default=None, gt=0, le=72, description="GPUs per server or compute tray (the rails of a rail-optimized "
                                               "fabric); default: the GPU's platform (catalog), else 8")


class LinkLengths(_Strict):
    """Typical cable length of each link tier, used for fiber cost and the reach check."""

    nic_leaf_m: Number = Field(default=15.0, gt=0, le=100_000)
    leaf_spine_m: Number = Field(default=60.0, gt=0, le=100_000)
    spine_core_m: Number = Field(default=200.0, gt=0, le=100_000)


Shape = tuple[StrictInt, StrictInt, StrictInt]


class Torus(_Strict):
    """A TPU-style reconfigurable torus (``scale_out.topology: torus``): cubes of chips wired inside,
    joined through optical circuit switches into the 3-D torus of each slice (docs/topologies.md)."""

    cube: Shape = Field(default=(4, 4, 4), description="chips along x, y, z of one cube, wired inside the cube")
    slices: tuple[Shape, ...] | None = Field(default=None, max_length=1024, description=(
        "torus shape (chips along x, y, z, whole cubes) of each slice allocated from the pod, in order; the "
        "first is where collectives and the step run; default: the whole pod as one slice"))
    failed_cubes: tuple[StrictInt, ...] = Field(default=(), max_length=100_000, description=(
        "cubes out of service (ids from 0): slices are formed around them"))

    @field_validator("cube", "slices")
    @classmethod
    def _positive(cls, v):
        shapes = (v,) if v and isinstance(v[0], int) else (v or ())
        for shape in shapes:
            if any(n < 1 or n > 4096 for n in shape):
                raise ValueError(f"{list(shape)}: chips along each axis from 1 to 4096")
        return v


class ScaleOut(_Strict):
    topology: TopologyName = Field(default="fat-tree", description="a registered topology (lightfabric topologies)")
    planes: StrictInt = Field(default=1, gt=0, le=16, description="independent fabric planes a NIC's links spread over")
    tiers: Literal[1, 2, 3, "auto"] = "auto"
    oversubscription: Number = Field(default=1.0, ge=1.0, le=64.0,
                                    description="leaf downlink : uplink bandwidth")
    leaf_host_ports: StrictInt | None = Field(default=None, gt=0, le=1024,
                                              description="ports of each leaf used for hosts (a top-of-rack leaf that "
                                                          "serves one rack); default: every downlink of the leaf")
    switch: str | None = Field(default=None, description=(
        "catalog id of the switch (every topology with switches; a torus has none)"))
    port_rate_gbps: Number | None = Field(default=None, gt=0, le=12_800, description=(
        "switch port rate (every topology with switches)"))
    nic: str | None = Field(default=None, description="catalog id of the NIC; default: the GPU's default NIC")
    nics_per_gpu: StrictInt = Field(default=1, gt=0, le=16)
    link_length_m: LinkLengths | None = Field(default=None, description="fixed lengths; default: from placement")
    circuits: Literal["uniform", "demand"] = Field(default="uniform", description=(
        "direct-connect only: how circuits between blocks are set (topology engineering)"))
    demand_matrix: list[list[Number]] | None = Field(default=None, description=(
        "direct-connect only: traffic between blocks (one row and column per block, any unit) for circuits: demand"))
    circuit_matrix: list[list[StrictInt]] | None = Field(default=None, description=(
        "direct-connect only: circuits between blocks, set by hand (overrides circuits)"))
    torus: Torus = Field(default=Torus(), description="torus only: cubes, slices and failed cubes")
    ocs: str = Field(default=OCS_PART, description=(
        "catalog id of the optical circuit switch of an OCS spine, a direct-connect or a torus fabric"))
    graph: str | None = Field(default=None, min_length=1, max_length=4096, description=(
        "infragraph only: the InfraGraph file (YAML or JSON) of the fabric, relative to the scenario file; its "
        "annotation beside it (<stem>.annotations<suffix>) is read too"))


class ScaleUp(_Strict):
    """The scale-up (NVLink-class) domain: GPUs that share memory-semantic links through switch chips."""

    domain_gpus: StrictInt = Field(gt=0, le=100_000, description="GPUs in one scale-up domain")
    bandwidth_per_gpu_gbps: Number = Field(gt=0, le=1_000_000,
                                           description="scale-up bandwidth per GPU, both directions added")
    switch: str | None = Field(default=None, description="catalog id of the scale-up switch chip; default: the GPU's "
                                                          "platform's (catalog)")


class TechnologyPolicy(_Strict):
    """Which technology builds each link class; ``auto`` picks the lowest-cost (capex + energy) feasible one."""

    scale_up: LinkTechnology = "copper"
    nic_leaf: LinkTechnology = "auto"
    leaf_spine: LinkTechnology = "auto"
    spine_core: LinkTechnology = "auto"
    spine_switch: SpineSwitch = "electrical"

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.model_dump().items())


class Placement(_Strict):
    """Where racks stand, from which the length of every link follows (docs/scenario.md)."""

    gpus_per_rack: StrictInt = Field(default=72, gt=0, le=1024)
    racks_per_row: StrictInt = Field(default=16, gt=0, le=200)
    rows_per_hall: StrictInt = Field(default=12, gt=0, le=200)
    rack_width_m: Number = Field(default=0.6, gt=0, le=3)
    rack_depth_m: Number = Field(default=1.2, gt=0, le=3)
    rack_height_m: Number = Field(default=2.2, gt=0, le=4)
    aisle_width_m: Number = Field(default=1.2, gt=0, le=10)
    hall_gap_m: Number = Field(default=20.0, ge=0, le=2000)
    hall_columns: StrictInt | None = Field(default=None, gt=0, le=100, description=(
        "halls of a building side by side in a grid of this many columns; default the squarest grid"))
    halls_per_building: StrictInt = Field(default=32, gt=0, le=1000, description=(
        "halls in one building (estimate: Fairwater's two-story 37,000 m2 GPU building)"))
    building_columns: StrictInt | None = Field(default=None, gt=0, le=100, description=(
        "buildings of the campus in a grid of this many columns; default the squarest grid"))
    building_gap_m: Number = Field(default=150.0, ge=0, le=5000, description="space between buildings")
    tray_height_m: Number = Field(default=0.6, ge=0, le=5, description="cable tray above the rack top")
    slack_m: Number = Field(default=2.0, ge=0, le=50, description="routing slack of a cable between racks")
    in_rack_slack_m: Number = Field(default=0.3, ge=0, le=5)
    leaf_location: LeafLocation = "end-of-row"


class Economics(_Strict):
    """Prices and rates of the total cost of ownership (see docs/economics.md for the sources)."""

    electricity_usd_per_kwh: Number = Field(default=0.08, ge=0, le=10)
    pue: Number = Field(default=1.3, ge=1.0, le=5.0)
    years: Number = Field(default=5.0, gt=0, le=30)
    discount_rate: Number = Field(default=0.08, ge=0, le=0.5, description="yearly rate the NPV discounts costs at")
    labour_usd_per_h: Number = Field(default=52.0, ge=0, le=1000, description="loaded cost of a technician-hour")
    handling_h_per_repair: Number = Field(default=0.5, ge=0, le=24,
                                         description="technician time per repair besides the hands-on swap")
    replaced_part_cost_fraction: Number = Field(default=1.0, ge=0, le=1,
                                               description="share of a replaced unit's price the operator pays")
    gpu_hour_usd: Number | None = Field(default=None, ge=0, le=1000,
                                       description="value of one GPU-hour lost; default: the GPU's rental price")


JOB_MIX_PRESETS = ("training-cluster", "single")
JOB_PLACEMENTS = ("packed", "contiguous", "scattered")
FAILURE_EFFECTS = ("interrupt", "degrade")
REPAIR_POLICIES = ("swap-now", "maintenance-window", "swap-sub-assembly")
Effect = Literal[FAILURE_EFFECTS]  # type: ignore[valid-type]


class JobSize(_Strict):
    """Jobs of one size: ``gpus`` each, holding ``share`` of the cluster's GPU-hours together."""

    gpus: StrictInt = Field(gt=0, le=100_000_000, description="GPUs of one job")
    share: Number = Field(gt=0, le=1, description="share of the cluster's GPU-hours held by jobs of this size")


def _job_mix(v):
    if isinstance(v, str) and v not in JOB_MIX_PRESETS:
        raise ValueError(f"unknown job mix {v!r}; the presets are {', '.join(JOB_MIX_PRESETS)}, or give a list "
                         f"of {{gpus, share}}")
    return v


JobMixSpec = Annotated[Literal[JOB_MIX_PRESETS] | tuple[JobSize, ...],  # type: ignore[valid-type]
                       BeforeValidator(_job_mix)]


class FailureEffects(_Strict):
    """Per kind of element, whether its failure interrupts the jobs whose GPUs or traffic it carries
    or only degrades their bandwidth (docs/reliability.md gives the field data behind the defaults)."""

    gpu_links: Effect = Field(default="interrupt", description="a GPU's own links, its NIC and their optics")
    first_switches: Effect = Field(default="interrupt", description="leaf / top-of-rack switches")
    switch_links: Effect = Field(default="interrupt", description="links between switches and their optics "
                                                                  "(degrade: a fabric that reroutes within the "
                                                                  "NCCL timeout)")
    upper_switches: Effect = Field(default="interrupt", description="spine and core switches, optical circuit switches")
    scale_up_switches: Effect = Field(default="interrupt", description="scale-up (NVLink-class) switch chips and "
                                                                       "the links between them")


class Reliability(_Strict):
    """How the operator repairs and how the training job recovers (see docs/reliability.md)."""

    job_gpus: StrictInt | None = Field(default=None, gt=0,
                                       description="one job of this many GPUs instead of the job mix")
    jobs: JobMixSpec = Field(default="training-cluster",
                             description="the job mix: a preset or a list of {gpus, share} (share of GPU-hours)")
    job_placement: Literal[JOB_PLACEMENTS] = Field(  # type: ignore[valid-type]
        default="packed", description="how the scheduler places a job's GPUs")
    failure_effects: FailureEffects = FailureEffects()
    exposed_communication_share: Number = Field(
        default=0.23, ge=0, le=1, description="share of a training step spent in exposed communication: what a "
                                              "lost share of bandwidth slows the job by")
    repair_policy: Literal[REPAIR_POLICIES] = Field(  # type: ignore[valid-type]
        default="swap-now", description="how a failed port of a co-packaged device is repaired")
    maintenance_window_days: Number = Field(default=7.0, gt=0, le=365,
                                            description="days between maintenance windows (maintenance-window)")
    checkpoint_write_s: Number = Field(default=30.0, gt=0, le=86_400, description="time to write one checkpoint")
    detection_min: Number = Field(default=2.0, ge=0, le=1440, description="from a failure to the job noticing it")
    restart_min: Number = Field(default=8.0, ge=0, le=1440,
                               description="re-scheduling, re-initialising and reloading the last checkpoint")
    repair_wait_h: Number | None = Field(default=None, ge=0, le=720,
                                        description="wait before any replacement starts; default: the catalog's per unit")
    els_spare_lasers: StrictInt = Field(default=0, ge=0, le=16, description="spare lasers in each external laser source")
    spares_fill_rate: Number = Field(default=0.99, gt=0, lt=1, description="chance a spare is on the shelf when needed")


class Physical(_Strict):
    """Assumptions of the physical-layer checks every design gets (see docs/physics.md)."""

    design_margin_db: Number = Field(default=DESIGN_MARGIN_DB, ge=0.0, le=10.0,
                                    description="laser power above the point where the worst-case link closes")
    laser_case_temperature_c: Number | None = Field(
        default=None, ge=-40.0, le=150.0,
        description="case temperature of CPO lasers; default 55 C for a front-panel ELS")
    ocs_passes: dict[str, StrictInt] = Field(default_factory=dict,
                                             description="optical circuit switch passes per link group (the "
                                                         "topology's group names; checked when the fabric is built)")

    @field_validator("ocs_passes")
    @classmethod
    def _passes_in_range(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if not 0 <= n <= 4:
                raise ValueError(f"{k}: {n} passes; allowed: 0 to 4")
        return v


class Parts(_Strict):
    """Which parts of the catalog a design may use (docs/scenario.md)."""

    available_by: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description=(
        "YYYY-MM: only hardware shipping by then (switches, NICs, modules, engines, laser sources, cables, "
        "OCS); an announced part never counts"))
    include_sampling: bool = Field(default=False, description="with available_by: parts sampling by then count too")


PUBLISHED_COMMANDS = ("reliability",)


class Published(_Strict):
    """A figure published for the cluster the scenario describes, shown beside the tool's own.

    ``figure``: where the tool's figure is in the command's JSON result row of each design (dotted
    keys; the values at several paths are added, e.g. the interruptions of three categories)."""

    command: Literal[PUBLISHED_COMMANDS] = Field(description="the command whose output shows it")  # type: ignore[valid-type]
    label: str = Field(min_length=1, max_length=200, description="what the figure is")
    value: Number = Field(description="the published figure")
    unit: str = Field(default="", max_length=40)
    low: Number | None = Field(default=None, description="the published figure's range (e.g. a Poisson 95 % interval)")
    high: Number | None = None
    figure: tuple[str, ...] = Field(min_length=1, max_length=8, description=(
        "dotted paths into each design's result row whose values, added, are the tool's figure"))
    source: str = Field(min_length=1, max_length=400, description="title, section, date")


class Scenario(_Strict):
    name: str = Field(min_length=1)
    description: str | None = None
    cluster: Cluster
    scale_out: ScaleOut
    scale_up: ScaleUp | None = None
    technology: TechnologyPolicy | None = None
    technologies: tuple[Technology, ...] = Field(default=DEFAULT_DESIGNS, min_length=1)
    placement: Placement = Placement()
    economics: Economics = Economics()
    physical: Physical = Physical()
    reliability: Reliability = Reliability()
    catalog: tuple[str, ...] = Field(default=(), max_length=16,
                                     description="the user's catalog files, added to the built-in catalog (paths "
                                                 "relative to the scenario file)")
    parts: Parts = Parts()
    overrides: dict[str, float | bool | str] = Field(default_factory=dict)
    published: tuple[Published, ...] = Field(default=(), max_length=32, description=(
        "figures published for this cluster, each shown beside the tool's in its command's output"))

    # where each key stood in the file (path -> "file:line:col"), for error messages
    _locations: dict[tuple, str] = PrivateAttr(default_factory=dict)

    @field_validator("technologies")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("each technology may be listed once")
        return v

    @property
    def designs(self) -> list[str]:
        """What compare builds: the per-tier policy if given, and each listed technology (the
        listed ones only if the list was written, or if there is no policy)."""
        out = ["policy"] if self.technology is not None else []
        if self.technology is None or "technologies" in self.model_fields_set:
            out += list(self.technologies)
        return out

    def location(self, *path: str | int) -> str | None:
        """``file:line:col`` of a key in the scenario file, if it was read from one."""
        return self._locations.get(tuple(path))

    def with_changes(self, changes: Mapping[str, Any] | None = None, /, **more: Any) -> "Scenario":
        """A copy of the scenario with some keys changed, validated like a scenario file.

        Keys are dotted paths of the schema (docs/scenario.md), given as a mapping or as keyword
        arguments: ``sc.with_changes({"cluster.gpus": 1024, "economics.pue": 1.2})``,
        ``sc.with_changes(technologies=["pluggable-dsp", "cpo"])``,
        ``sc.with_changes(cluster={"gpus": 1024})``. A mapping given for a section (``cluster``,
        ``scale_out``, ``economics``, ...) changes only the keys it names; ``overrides.PART.FIELD``
        sets one catalog override (``overrides={...}`` replaces them all).

        Raises :class:`~lightfabric.errors.ScenarioError` naming the field, the value and what is
        allowed, for the schema and for the job mix against the cluster (:meth:`check_jobs_fit`). The
        file locations of the keys not changed are kept for later messages.
        """
        tree: dict[str, Any] = {}
        paths = {**(changes or {}), **more}
        for path, value in paths.items():
            _put(tree, path, value, self.overrides)
        new = _validated(self, tree)
        # the file no longer holds the changed keys: their locations go, the others' stay
        changed = [("overrides", p.partition(".")[2]) if p.startswith("overrides.") else tuple(p.split("."))
                   for p in paths]
        new._locations = {k: v for k, v in self._locations.items() if not any(k[:len(c)] == c for c in changed)}
        new.check_jobs_fit()
        return new

    def check_jobs_fit(self, filename: str = "<scenario>") -> None:
        """What one field's schema cannot check alone: the job mix must fit the cluster (every job at
        most its GPUs, the shares at most all of them; job_gpus or jobs, not both). Raises
        :class:`~lightfabric.errors.ScenarioError` naming the field, with its file location if known.

        The loader runs it on every file (``lightfabric.scenario.loader.check_across_fields``)."""
        rel, gpus = self.reliability, self.cluster.gpus

        def fail(path: tuple, value, problem: str, allowed: str):
            where = self.location(*path) or self.location(*path[:2]) or filename
            raise ScenarioError(f"{where}: {'.'.join(map(str, path))}: got {value!r} ({problem}); allowed: {allowed}",
                                field=".".join(map(str, path)), value=value, allowed=allowed, location=where)

        if rel.job_gpus is not None:
            if rel.job_gpus > gpus:
                fail(("reliability", "job_gpus"), rel.job_gpus, "the job does not fit",
                     f"1 to {gpus:,} (the cluster's GPUs)")
            if "jobs" in rel.model_fields_set:
                fail(("reliability", "job_gpus"), rel.job_gpus, "reliability.jobs is given too",
                     "either job_gpus (one job) or jobs (a mix), not both")
        if isinstance(rel.jobs, tuple):
            if not rel.jobs:
                fail(("reliability", "jobs"), [], "no jobs", "at least one {gpus, share}")
            for i, j in enumerate(rel.jobs):
                if j.gpus > gpus:
                    fail(("reliability", "jobs", i, "gpus"), j.gpus, "the job does not fit",
                         f"1 to {gpus:,} (the cluster's GPUs)")
            total = sum(j.share for j in rel.jobs)
            if total > 1 + 1e-9:
                fail(("reliability", "jobs"), [j.model_dump() for j in rel.jobs], f"the shares add up to {total:.4g}",
                     "shares of the cluster's GPU-hours adding up to at most 1")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> "Scenario":
        """pydantic's copy, but ``update`` is validated: a bad value raises
        :class:`~lightfabric.errors.ScenarioError` naming the field (pydantic's own ``model_copy``
        does not validate). ``update`` names top-level keys; a mapping given for a section changes
        only the keys it names; a section given as a model (``sc.cluster.model_copy(...)``) is taken
        as it is, as pydantic takes a model instance. The file locations are kept.
        :meth:`with_changes` takes dotted paths."""
        if not update:
            return super().model_copy(deep=deep)
        new = _validated(self, dict(update))
        new._locations = dict(self._locations)
        return super(Scenario, new).model_copy(deep=True) if deep else new


def _put(tree: dict, path: str, value: Any, overrides: Mapping[str, Any]) -> None:
    """Set ``value`` at the dotted ``path`` of the nested mapping ``tree`` (``overrides.PART.FIELD``
    is one key of the overrides, added to the scenario's)."""
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise ScenarioError.for_field("with_changes", path, "dotted paths of the scenario's keys, e.g. cluster.gpus")
    head, _, rest = path.partition(".")
    if head == "overrides" and rest:
        current = tree.get("overrides")
        tree["overrides"] = {**(current if isinstance(current, Mapping) else overrides), rest: value}
        return
    parts = path.split(".")
    node = tree
    for i, key in enumerate(parts[:-1]):
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ScenarioError.for_field(path, value, f"paths that do not overlap ({'.'.join(parts[:i + 1])} is "
                                                       f"given whole too)")
    old = node.get(parts[-1])
    node[parts[-1]] = _deep_merged(old, value) if isinstance(old, dict) and isinstance(value, Mapping) else value


def _deep_merged(old: dict, new: Mapping) -> dict:
    out = dict(old)
    for k, v in new.items():
        out[k] = _deep_merged(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, Mapping) else v
    return out


def _applied(current: Any, new: Any) -> Any:
    """``new`` applied onto ``current``: a mapping onto a section (a sub-model) keeps the section's
    other keys as they were set; anything else replaces the value."""
    if not (isinstance(new, Mapping) and isinstance(current, BaseModel)):
        return new
    fields = type(current).model_fields
    data: dict[str, Any] = {k: getattr(current, k) for k in current.model_fields_set}
    for k, v in new.items():
        data[k] = _applied(getattr(current, k) if k in fields else None, v)
    return data


def _validated(scenario: Scenario, update: dict[str, Any]) -> Scenario:
    """The scenario with ``update`` applied, validated by the schema (sub-models given as model
    instances are taken as they are, as pydantic does)."""
    try:
        return type(scenario).model_validate(_applied(scenario, update))
    except ValidationError as e:
        problems = [_problem(err) for err in e.errors()]
        field, value, allowed, _ = problems[0]
        raise ScenarioError(summarise([m for *_, m in problems]), field=field, value=value, allowed=allowed) from None


def _model_at(path: tuple) -> type[BaseModel] | None:
    """The sub-model of the scenario at ``path`` (keys of nested sections), if there is one."""
    model: type[BaseModel] = Scenario
    for key in path:
        ann = model.model_fields[key].annotation if isinstance(key, str) and key in model.model_fields else None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    return model


_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}


def _problem(err: dict) -> tuple[str, Any, str, str]:
    """(field, value, what is allowed, message) of one pydantic error, in the words of the scenario
    file's messages: ``cluster.gpus: got -5; allowed: a number > 0``."""
    loc = tuple(err["loc"])
    field = ".".join(str(x) for x in loc)
    etype, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if etype == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = "the keys " + ", ".join(parent.model_fields) if parent else "the keys of docs/scenario.md"
        return field, value, allowed, f"{field}: unknown key; allowed: {allowed}"
    if etype == "missing":
        return field, None, "a value", f"{field}: missing; required (docs/scenario.md)"
    if etype == "literal_error":
        allowed = str(ctx.get("expected", "")).replace("'", "")
    elif etype in _BOUNDS:
        allowed = f"a number {_BOUNDS[etype]} {next(iter(ctx.values()), '')}"
    elif etype.startswith("int"):
        allowed = "a whole number"
    elif etype.startswith("float") or etype.startswith("finite"):
        allowed = "a finite number"
    elif etype.startswith("string"):
        allowed = "text"
    elif etype in ("model_type", "dict_type", "model_attributes_type"):
        allowed = "a mapping of keys to values"
    else:
        allowed = str(err["msg"]).removeprefix("Value error, ")
    return field, value, allowed, f"{field}: got {value!r}; allowed: {allowed}"
