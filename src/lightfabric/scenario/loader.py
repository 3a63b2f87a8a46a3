"""Reading a scenario file: YAML syntax, schema and catalog ids, each error named with its line."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from lightfabric.catalog import Catalog
from lightfabric.errors import CatalogError, ScenarioError, did_you_mean, either
from lightfabric.examples_index import example_scenarios
from lightfabric.examples_index import find as find_example
from lightfabric.inputs import InputError, load_yaml, read_text_file, summarise
from lightfabric.placement import LEAF_LOCATIONS
from lightfabric.scenario.models import Scenario
from lightfabric.technologies.registry import DESIGN_CHOICES, LINK_TECHNOLOGIES, SPINE_DESIGNS
from lightfabric.topology.registry import TOPOLOGY_NAMES

DEFAULT_SCENARIO = "default.yaml"

# What is allowed, said the way a user reads it, for the fields where pydantic's words are not clear.
ALLOWED: dict[str, str] = {
    "name": "a non-empty text",
    "cluster.gpus": "a whole number from 1 to 100,000,000",
    "cluster.gpu": "a GPU id from the catalog",
    "scale_out.topology": either(TOPOLOGY_NAMES),
    "scale_out.planes": "a whole number of planes from 1 to 16 that divides each NIC's links",
    "cluster.gpus_per_server": "a whole number from 1 to 72",
    "parts.available_by": "a month written YYYY-MM, e.g. 2026-06 (only parts shipping by then)",
    "scale_up.domain_gpus": "a whole number of GPUs >= 1",
    "scale_up.bandwidth_per_gpu_gbps": "Gb/s per GPU, both directions added (NVLink 5: 14400)",
    "scale_up.switch": "a scale-up switch id from the catalog, e.g. nvlink5-switch",
    "technology.scale_up": f"one of {', '.join(LINK_TECHNOLOGIES)} or auto",
    "technology.nic_leaf": f"one of {', '.join(LINK_TECHNOLOGIES)} or auto",
    "technology.leaf_spine": f"one of {', '.join(LINK_TECHNOLOGIES)} or auto",
    "technology.spine_core": f"one of {', '.join(LINK_TECHNOLOGIES)} or auto",
    "technology.spine_switch": either(("electrical",) + tuple(SPINE_DESIGNS)),
    "placement.leaf_location": either(LEAF_LOCATIONS),
    "scale_out.tiers": "1, 2, 3 or auto",
    "scale_out.oversubscription": "a number from 1.0 (non-blocking) to 64 (leaf down:up bandwidth)",
    "scale_out.switch": "a switch id from the catalog",
    "scale_out.port_rate_gbps": "a port rate of the switch in Gb/s, e.g. 400, 800, 1600",
    "scale_out.nics_per_gpu": "a whole number from 1 to 16",
    "economics.electricity_usd_per_kwh": "a number >= 0",
    "economics.pue": "a number from 1.0 to 5.0",
    "economics.years": "a number of years > 0 and <= 30",
    "physical.design_margin_db": "a number of dB from 0 to 10",
    "physical.laser_case_temperature_c": "a temperature in C from -40 to 150",
    "physical.ocs_passes": "a mapping of link group (the topology's, e.g. host-leaf, leaf-spine) to 0-4 passes",
    "reliability.job_gpus": "a whole number of GPUs >= 1, at most the cluster's",
    "reliability.jobs": "training-cluster, single, or a list of {gpus, share} with shares adding up to at most 1",
    "reliability.jobs.gpus": "a whole number of GPUs >= 1, at most the cluster's",
    "reliability.jobs.share": "a share of the cluster's GPU-hours, > 0 and at most 1",
    "reliability.job_placement": "packed, contiguous or scattered",
    "reliability.failure_effects.gpu_links": "interrupt or degrade",
    "reliability.failure_effects.first_switches": "interrupt or degrade",
    "reliability.failure_effects.switch_links": "interrupt or degrade",
    "reliability.failure_effects.upper_switches": "interrupt or degrade",
    "reliability.failure_effects.scale_up_switches": "interrupt or degrade",
    "reliability.exposed_communication_share": "a share of the step time from 0 to 1",
    "reliability.repair_policy": "swap-now, maintenance-window or swap-sub-assembly",
    "reliability.maintenance_window_days": "days > 0, at most 365",
    "reliability.checkpoint_write_s": "seconds > 0, at most 86400",
    "reliability.detection_min": "minutes from 0 to 1440",
    "reliability.restart_min": "minutes from 0 to 1440",
    "reliability.repair_wait_h": "hours from 0 to 720",
    "reliability.els_spare_lasers": "a whole number of spare lasers from 0 to 16",
    "reliability.spares_fill_rate": "a probability between 0 and 1 (exclusive), e.g. 0.99",
    "technologies": f"a list of distinct technologies from: {', '.join(DESIGN_CHOICES)}",
    "overrides": "a mapping of PART_ID.FIELD to a number, true/false or text",
    "catalog": "a list of the paths of your catalog files (at most 16), relative to the scenario file",
    "scale_out.graph": "the path of an InfraGraph file (YAML or JSON), relative to the scenario file",
}


def default_scenario_path() -> Path:
    return Path(str(resources.files("lightfabric.scenario") / DEFAULT_SCENARIO))


@lru_cache(maxsize=1)
def packaged_scenarios() -> dict[str, Path]:
    """The scenarios known by name: ``default`` (the built-in one) and every example installed with
    the package (:func:`lightfabric.examples_index.example_scenarios`) by its stem (e.g. ``gb300-nvl72-64k-cpo``)."""
    return {"default": default_scenario_path(), **example_scenarios()}


def _marks(node: yaml.Node, path: tuple = (), out: dict | None = None, filename: str = "") -> dict:
    """Map every key path of a composed YAML document to ``file:line:col`` (1-based)."""
    out = {} if out is None else out
    out.setdefault(path, f"{filename}:{node.start_mark.line + 1}:{node.start_mark.column + 1}")
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            try:
                key = int(key) if key_node.tag.endswith(":int") else key
            except ValueError:
                pass
            out[path + (key,)] = f"{filename}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"
            child = {}
            _marks(value_node, path + (key,), child, filename)
            child.pop(path + (key,), None)
            out.update(child)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _marks(item, path + (i,), out, filename)
    return out


def _model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The sub-model found by following ``path`` through ``model``'s fields."""
    for key in path:
        field = model.model_fields.get(key) if isinstance(key, str) else None
        ann = getattr(field, "annotation", None)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    return model


def _allowed_from_error(err: dict) -> str:
    etype, ctx = err["type"], err.get("ctx", {})
    if etype == "literal_error":
        return str(ctx.get("expected", "")).replace("'", "")
    if etype in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        ops = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
        bound = next(iter(ctx.values()), "")
        return f"a number {ops[etype]} {bound}"
    if etype.startswith("int"):
        return "a whole number"
    if etype.startswith("float"):
        return "a number"
    if etype.startswith("string"):
        return "text"
    if etype in ("model_type", "dict_type", "model_attributes_type"):
        return "a mapping of keys to values"
    return err["msg"].lower()


def _messages(err: ValidationError, marks: dict, filename: str) -> list[str]:
    msgs = []
    for e in err.errors():
        loc = tuple(e["loc"])
        # a validator on a list (e.g. "each technology once") reports at the list itself
        dotted = ".".join(str(x) for x in loc)
        where = marks.get(loc) or marks.get(loc[:-1]) or filename
        if e["type"] == "extra_forbidden":
            parent = _model_at(Scenario, loc[:-1])
            keys = list(parent.model_fields) if parent else []
            key = str(loc[-1])
            msgs.append(f"{where}: {dotted}: unknown key{did_you_mean(key, keys)}; "
                        f"allowed keys{' in ' + '.'.join(map(str, loc[:-1])) if loc[:-1] else ''}: {', '.join(keys)}")
            continue
        field_path = ".".join(str(x) for x in loc if not isinstance(x, int))
        allowed = ALLOWED.get(field_path) or _allowed_from_error(e)
        if e["type"] == "missing":
            msgs.append(f"{where}: {dotted}: missing; required: {allowed}")
            continue
        value = e.get("input")
        if e["type"] == "value_error":
            problem = e["msg"].removeprefix("Value error, ")
            msgs.append(f"{where}: {dotted}: got {value!r} ({problem}); allowed: {allowed}")
        else:
            hint = did_you_mean(value, DESIGN_CHOICES) if field_path == "technologies" and isinstance(value, str) else ""
            msgs.append(f"{where}: {dotted}: got {value!r}{hint}; allowed: {allowed}")
    return msgs


def parse_scenario(text: str, filename: str = "<scenario>", max_chars: int | None = None) -> Scenario:
    """Parse and validate scenario YAML text (schema only; see :func:`check_parts`).

    The YAML is read by :func:`lightfabric.inputs.load_yaml`: no anchors or aliases, no duplicate
    keys, bounded nesting; ``max_chars`` bounds the text.
    """
    try:
        data, node = load_yaml(text, filename, max_chars=max_chars)
    except InputError as e:
        raise ScenarioError(str(e), location=filename) from None
    if data is None:
        raise ScenarioError(f"{filename}: the scenario is empty; it needs at least name, cluster and scale_out "
                            f"(see 'lightfabric scenario init FILE' for a commented example)")
    if not isinstance(data, dict):
        raise ScenarioError(f"{filename}:1:1: the scenario must be a mapping of keys (name, cluster, scale_out, ...); "
                            f"got a {type(data).__name__}")
    marks = _marks(node, filename=filename) if node is not None else {}
    if isinstance(data.get("catalog"), list):
        # the user's catalog files are found beside the scenario file, wherever it is run from
        base = Path(filename).parent if Path(filename).is_file() else Path.cwd()
        data = {**data, "catalog": [str(base / c) if isinstance(c, str) and not Path(c).is_absolute() else c
                                    for c in data["catalog"]]}
    so = data.get("scale_out")
    if isinstance(so, dict) and isinstance(so.get("graph"), str) and so["graph"] and not Path(so["graph"]).is_absolute():
        # the graph file of an infragraph fabric is found beside the scenario file too
        base = Path(filename).parent if Path(filename).is_file() else Path.cwd()
        data = {**data, "scale_out": {**so, "graph": str(base / so["graph"])}}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        msgs = _messages(e, marks, filename)
        raise ScenarioError(summarise(msgs), location=filename) from None
    scenario._locations = marks
    check_across_fields(scenario, filename)
    return scenario


def check_across_fields(scenario: Scenario, filename: str = "<scenario>") -> None:
    """What one field's schema cannot check alone (:meth:`Scenario.check_jobs_fit`: the job mix must
    fit the cluster); raises :class:`ScenarioError` naming the field."""
    scenario.check_jobs_fit(filename)


def check_parts(scenario: Scenario, catalog: Catalog) -> Catalog:
    """Check that the scenario's part ids exist, and return the catalog with its overrides applied."""
    def at(*path):
        loc = scenario.location(*path)
        return f"{loc}: " if loc else ""

    if scenario.catalog:
        catalog = catalog.with_user_files(scenario.catalog)
    try:
        catalog = catalog.with_overrides(scenario.overrides)
    except CatalogError as e:
        key = e.field.removeprefix("overrides.") if e.field else None
        loc = None
        if key:
            loc = scenario.location("overrides", key) or next(
                (scenario.location("overrides", k) for k in scenario.overrides if key.startswith(k) or k.startswith(key)), None)
        raise CatalogError(f"{loc + ': ' if loc else ''}{e}", field=e.field, value=e.value, allowed=e.allowed) from None
    checks = [(("cluster", "gpu"), scenario.cluster.gpu, "gpu"), (("scale_out", "ocs"), scenario.scale_out.ocs, "ocs")]
    if scenario.scale_out.switch is not None:
        checks.append((("scale_out", "switch"), scenario.scale_out.switch, "switch"))
    if scenario.scale_out.nic is not None:
        checks.append((("scale_out", "nic"), scenario.scale_out.nic, "nic"))
    if scenario.scale_up is not None and scenario.scale_up.switch is not None:
        checks.append((("scale_up", "switch"), scenario.scale_up.switch, "switch"))
    for path, value, kind in checks:
        try:
            catalog.get(value, kind=kind, field=".".join(path))
        except CatalogError as e:
            raise CatalogError(f"{at(*path)}{e}", field=e.field, value=value, allowed=e.allowed) from None
    if scenario.parts.available_by:
        catalog = _available(scenario, catalog, checks, at)
    return catalog


def _available(scenario: Scenario, catalog: Catalog, checks: list, at) -> Catalog:
    """The catalog without the hardware not available by ``parts.available_by``; a part the scenario
    names (or takes from its GPU's platform) that is not available is refused naming the field."""
    from lightfabric.catalog.availability import available_by
    parts = scenario.parts
    f = available_by(catalog, parts.available_by, parts.include_sampling)
    gone = {d[0]: d for d in f.dropped}
    gpu = catalog.get(scenario.cluster.gpu, kind="gpu")
    named = [(p, v) for p, v, _ in checks if p != ("scale_out", "ocs") or "ocs" in scenario.scale_out.model_fields_set]
    if scenario.scale_out.nic is None and gpu.default_nic:
        named.append((("scale_out", "nic"), gpu.default_nic))
    if scenario.scale_up is not None and scenario.scale_up.switch is None and gpu.default_scale_up_switch:
        named.append((("scale_up", "switch"), gpu.default_scale_up_switch))
    what = "shipping" + (" or sampling" if parts.include_sampling else "")
    for path, value in named:
        if value in gone:
            _, kind, status, date = gone[value]
            raise CatalogError.for_field(".".join(path), value, f"a {kind} {what} by {parts.available_by} "
                                         f"(lightfabric catalog list --available-by {parts.available_by})",
                                         problem=f"{status} {date}", location=(at(*path) or "").rstrip(": ") or None)
    return f.catalog


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read a scenario file (the built-in default when ``path`` is None) and validate its schema.

    Raises :class:`~lightfabric.errors.ScenarioError` with the file, line, field, value and what is
    allowed. Part ids and overrides are checked against the catalog by :func:`lightfabric.compare`.
    """
    p = Path(path) if path is not None else default_scenario_path()
    if not p.exists():
        # a name ("h100-16k-llama3-like") or the docs' "examples/..." path from outside a checkout
        p = find_example(p, packaged_scenarios()) or p
    try:
        text = read_text_file(p, "scenario")
    except FileNotFoundError:
        raise ScenarioError(f"scenario file {str(p)!r} not found{did_you_mean(p.stem, packaged_scenarios())}; give "
                            f"the path of a YAML file or the name of an example ({', '.join(packaged_scenarios())}), "
                            f"or create one with "
                            f"'lightfabric scenario init {p}'", field="SCENARIO") from None
    except IsADirectoryError:
        raise ScenarioError(f"scenario {str(p)!r} is a directory; give the path of a YAML file") from None
    except InputError as e:
        raise ScenarioError(str(e), field="SCENARIO") from None
    return parse_scenario(text, filename=str(p))
