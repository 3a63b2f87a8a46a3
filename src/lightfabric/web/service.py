"""What the API does, apart from HTTP: find the scenario a request names, apply its edits, run an
analysis and attach its figures. Errors are raised as :class:`InputError` with the request field."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from lightfabric.catalog import Catalog
from lightfabric.errors import LightfabricError
from lightfabric.scenario.loader import ALLOWED, check_across_fields, packaged_scenarios, parse_scenario
from lightfabric.scenario.models import Scenario
from lightfabric.web.limits import Limits
from lightfabric.web.schemas import ScenarioInput

DEFAULT_EXAMPLE = "default"
# Where each edit lands in the scenario.
EDIT_PATHS = {"gpus": ("cluster", "gpus"), "gpu": ("cluster", "gpu"), "switch": ("scale_out", "switch"),
              "port_rate_gbps": ("scale_out", "port_rate_gbps"), "technologies": ("technologies",),
              "electricity_usd_per_kwh": ("economics", "electricity_usd_per_kwh")}


class InputError(Exception):
    """A request the server cannot act on: ``loc`` is the request field (as in FastAPI's 422s)."""

    def __init__(self, loc: list, msg: str, status: int = 422):
        super().__init__(msg)
        self.loc, self.msg, self.status = loc, msg, status

    def detail(self) -> list[dict]:
        return [{"loc": self.loc, "msg": self.msg, "type": "value_error"}]


class Cancelled(Exception):
    """The client went away; the work stopped at its next progress report."""


class CancelToken:
    """Set by the server when a request's client disconnects; the work's progress callbacks raise
    :class:`Cancelled` once it is set (between phases, Monte Carlo chunks, sensitivity inputs)."""

    def __init__(self):
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def progress(self, *args) -> None:
        if self.cancelled:
            raise Cancelled()


def examples() -> dict[str, Path]:
    """The packaged scenarios by name (:func:`lightfabric.scenario.loader.packaged_scenarios`).
    The API reads no other file."""
    return packaged_scenarios()


def example_summary(name: str) -> dict:
    sc = parse_scenario(examples()[name].read_text(), filename=name)
    return {"name": name, "scenario_name": sc.name, "description": sc.description, "gpus": sc.cluster.gpus,
            "gpu": sc.cluster.gpu, "switch": sc.scale_out.switch, "technologies": list(sc.technologies)}


def _source(req: ScenarioInput) -> tuple[dict, list]:
    """The scenario's data before edits, and the request field it came from."""
    if req.scenario is not None:
        return req.scenario.model_dump(exclude_none=True), ["body", "scenario"]
    if req.yaml is not None:
        try:
            data = parse_scenario(req.yaml, filename="yaml").model_dump(exclude_none=True)
        except LightfabricError as e:
            raise InputError(["body", "yaml"], str(e)) from None
        return data, ["body", "yaml"]
    name = req.example or DEFAULT_EXAMPLE
    if name not in examples():
        raise InputError(["body", "example"], f"example: got {name!r}; allowed: {', '.join(examples())}")
    data = yaml.safe_load(examples()[name].read_text())
    graph = (data.get("scale_out") or {}).get("graph")
    if isinstance(graph, str):   # a packaged example's graph file stands beside it
        data["scale_out"]["graph"] = str(examples()[name].parent / graph)
    return data, ["body", "example"]


def _edit_at(path: tuple, edits: dict) -> str | None:
    """The edit the request made at scenario field ``path``, if any."""
    return next((k for k, v in EDIT_PATHS.items() if v == path and k in edits), None)


def scenario_of(req: ScenarioInput, limits: Limits) -> Scenario:
    """The scenario a request names, with its edits applied, validated and within the limits."""
    data, where = _source(req)
    edits = req.edits.model_dump(exclude_none=True) if req.edits else {}
    for key, value in edits.items():
        node = data
        *parents, leaf = EDIT_PATHS[key]
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        path = tuple(str(x) for x in err["loc"])
        edit = _edit_at(path, edits)
        loc = ["body", "edits", edit] if edit else where + list(path)
        dotted = ".".join(path)
        raise InputError(loc, f"{dotted}: got {err.get('input')!r}; allowed: {ALLOWED.get(dotted, err['msg'])}") from None
    if sc.catalog:
        raise InputError(where + ["catalog"], "catalog: the web API reads no files on the server; give your parts' "
                         "figures as overrides, or run lightfabric with --catalog on your machine")
    if sc.scale_out.graph is not None and where != ["body", "example"]:
        raise InputError(where + ["scale_out", "graph"], "scale_out.graph: the web API reads no files on the server; "
                         "run lightfabric on your machine for your InfraGraph file, or name the packaged example "
                         "dragonfly-infragraph")
    check_across_fields(sc, "scenario")
    if sc.cluster.gpus > limits.max_gpus:
        edit = "gpus" in edits
        raise InputError(["body", "edits", "gpus"] if edit else where + ["cluster", "gpus"],
                         f"cluster.gpus: got {sc.cluster.gpus:,}; this server accepts at most {limits.max_gpus:,} GPUs",
                         status=413)
    return sc


def error_loc(e: LightfabricError, req: ScenarioInput | None, where_by_option: dict[str, list] | None = None) -> list:
    """The request field a pipeline error is about (its ``field``, mapped to the body)."""
    f = e.field or ""
    if f.startswith("--"):
        key = f[2:].replace("-", "_")
        return (where_by_option or {}).get(key, ["body", key])
    path = tuple(f.split(".")) if f else ()
    if req is not None and req.edits is not None:
        edit = _edit_at(path, req.edits.model_dump(exclude_none=True))
        if edit:
            return ["body", "edits", edit]
    if req is None:
        return ["body"] + list(path)
    src = "scenario" if req.scenario is not None else "yaml" if req.yaml is not None else "example"
    return ["body", src] + ([p for p in path] if src == "scenario" else [])


def option_loc(message: str) -> list:
    """The request field a message about a ``--option`` names (the CLI's option, the API's field)."""
    first = message.split(" ", 1)[0].rstrip(":")
    return ["body", first[2:].replace("-", "_")] if first.startswith("--") else ["body"]


def figure_json(fig) -> dict:
    """A figure as the JSON plotly.js draws (data and layout)."""
    return json.loads(fig.to_json())


def part_detail(catalog: Catalog, part_id: str) -> dict:
    part = catalog.get(part_id, field="id")
    figures = []
    for fname, value in part.figures().items():
        shown = [pc.label() for pc in value] if fname == "port_configs" else (
            list(value) if isinstance(value, tuple) else value)
        figures.append({"field": fname, "value": shown,
                        "sources": [s.model_dump(mode="json", exclude_none=True) for s in part.sources_for(fname)]})
    return {"id": part.id, "kind": part.kind, "name": part.name, "vendor": part.vendor, "notes": part.notes,
            "figures": figures, "sources": [s.model_dump(mode="json", exclude_none=True) for s in part.sources]}



def models() -> dict[str, Path]:
    """The packaged training models by name (``examples/models/*.yaml`` beside the packaged scenarios)."""
    found: dict[str, Path] = {}
    for path in packaged_scenarios().values():
        folder = path.parent / "models"
        if folder.is_dir():
            for p in sorted(folder.glob("*.yaml")):
                found.setdefault(p.stem, p)
    return found


MAX_SWEEP_POINTS = 2_000
MAX_SWEEP_FABRICS = 40       # a fabric takes up to about 0.25 s to build and assess: about ten seconds


def sweep_fabrics(sweep, points: int) -> int:
    """An upper bound of the distinct fabrics a sweep builds: a grid's structural axes multiplied; a
    sample with any structural axis, every point."""
    from lightfabric.sweep.spec import values_of
    structural = {k: v for k, v in sweep.spec.axes.items() if not k.startswith("economics.")}
    if not structural:
        return 1
    if sweep.spec.sample.method != "grid":
        return points
    n = 1
    for axis in structural.values():
        n *= len(values_of(axis))
    return n


def run_small_sweep(body: dict, max_rows: int, limits: Limits, token: CancelToken) -> dict:
    """A sweep given as data, on a packaged base scenario, of at most :data:`MAX_SWEEP_POINTS` points,
    run in this process into a temporary results file; the rows (at most ``max_rows``) and the
    column names. Its base must be a packaged scenario's name: the API reads no other file."""
    import tempfile

    import duckdb

    from lightfabric.sweep.run import run_sweep
    from lightfabric.sweep.spec import load_sweep, size

    names = packaged_scenarios()
    base = body.get("base", "default") if isinstance(body, dict) else None
    if base not in names:
        raise InputError(["body", "sweep", "base"], f"base: got {base!r}; allowed: a packaged scenario's name "
                                                     f"({', '.join(names)})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.yaml"
        path.write_text(yaml.safe_dump(body))
        try:
            sweep = load_sweep(path)
        except LightfabricError as e:
            raise InputError(["body", "sweep"], str(e).replace(str(path), "sweep")) from None
        points = size(sweep.spec)
        if points > MAX_SWEEP_POINTS:
            raise InputError(["body", "sweep"], f"sweep: {points:,} points; this server runs at most "
                                                 f"{MAX_SWEEP_POINTS:,} (lightfabric sweep run has no limit)", status=413)
        fabrics = sweep_fabrics(sweep, points)
        if fabrics > MAX_SWEEP_FABRICS:
            raise InputError(["body", "sweep"], f"sweep: up to {fabrics:,} distinct fabrics (points that change anything "
                                                 f"but economics.*); this server builds at most {MAX_SWEEP_FABRICS} in "
                                                 f"one request", status=413)
        if sweep_base_gpus(sweep) > limits.max_gpus:
            raise InputError(["body", "sweep"], f"sweep: clusters of up to {sweep_base_gpus(sweep):,} GPUs; this server "
                                                 f"builds at most {limits.max_gpus:,}", status=413)
        out = Path(tmp) / "results.duckdb"
        summary = run_sweep(sweep, out, workers=1, progress=lambda done, total: token.progress())
        con = duckdb.connect(str(out), read_only=True)
        try:
            cur = con.execute(f"SELECT * FROM results ORDER BY point, technology LIMIT {int(max_rows)}")
            columns = [d[0] for d in cur.description]
            rows = [[_plain(v) for v in row] for row in cur.fetchall()]
        finally:
            con.close()
    return {"result": {"points": points, "rows_total": summary.rows_written,
                       "columns": columns, "rows": rows}}


def sweep_base_gpus(sweep) -> int:
    """The largest cluster a sweep's points build (its base, or the largest value of a cluster.gpus axis)."""
    gpus = int(sweep.base.get("cluster", {}).get("gpus", 0) or 0)
    axis = sweep.spec.axes.get("cluster.gpus")
    if axis is not None:
        from lightfabric.sweep.spec import values_of
        try:
            gpus = max(gpus, *(int(v) for v in values_of(axis)))
        except (TypeError, ValueError):
            pass
    return gpus


def _plain(v):
    """A value of a results row as JSON carries it (NaN and infinities as None)."""
    if isinstance(v, float) and v != v or v in (float("inf"), float("-inf")):
        return None
    return v
