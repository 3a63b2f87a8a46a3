"""The FastAPI app: the page, the catalog browser and the JSON API (schema at /openapi.json, /docs)."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import anyio
import plotly
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from lightfabric import __version__, plots
from lightfabric.catalog import Catalog
from lightfabric.compare import compare
from lightfabric.economics import economics as run_economics
from lightfabric.economics import value_chain
from lightfabric.errors import LightfabricError
from lightfabric.netsim.collectives import ALGORITHMS, DEFAULT_ALGORITHM, flow_counts
from lightfabric.netsim.run import collective_report, collective_sweep
from lightfabric.netsim.traffic import traffic_report
from lightfabric.physics.chains import LinkOptionError
from lightfabric.reliability import assess
from lightfabric.technologies import registry as technology_registry
from lightfabric.technologies.registry import REGISTRY
from lightfabric.topology.registry import TOPOLOGIES
from lightfabric.web import service
from lightfabric.optimize.question import DesignQuestion
from lightfabric.web.limits import Limits
from lightfabric.web.schemas import (PartKind, CollectiveRequest, CompareRequest, EconomicsRequest, LinkRequest,
                                     LaserRequest, ReportRequest, SensitivityRequest, StepRequest, SweepRequest,
                                     TrafficRequest,
                                     ReliabilityRequest)
from lightfabric.web.service import Cancelled, CancelToken, InputError, error_loc, figure_json, scenario_of

STATIC = Path(str(resources.files("lightfabric.web") / "static"))
# Swagger UI 5 (OpenAPI 3.1), as the fastapi-offline package installs it: /docs needs no CDN
SWAGGER = Path(str(resources.files("fastapi_offline") / "static"))
MAX_JSON_DEPTH = 32
# what every analysis endpoint may answer besides 200, documented in the OpenAPI schema
RESPONSES = {
    400: {"description": "The request cannot be read"},
    404: {"description": "An example, part or other named thing does not exist"},
    413: {"description": "The request asks for more work or a larger body than this server allows; the message "
                         "names the limit"},
    422: {"description": "A field is invalid; `loc` names it and `msg` says what is allowed"},
    503: {"description": "Every analysis slot stayed busy for the queue timeout; try again"},
}


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lightfabric API</title>
<link rel="stylesheet" href="/swagger/swagger-ui.css"><link rel="icon" href="/swagger/favicon.png"></head>
<body><div id="swagger-ui"></div><script src="/swagger/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "{openapi}", dom_id: "#swagger-ui", layout: "BaseLayout", deepLinking: true,
presets: [SwaggerUIBundle.presets.apis]});</script></body></html>
"""


def _printable(value):
    """A request value as JSON can carry it: NaN and infinities as their names, containers shortened."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        text = repr(value)
        return text if len(text) <= 200 else text[:200] + "..."
    return value
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests its arrays and objects (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for c in body:
        if in_string:
            if escaped:
                escaped = False
            elif c == 0x5C:            # backslash
                escaped = True
            elif c == 0x22:            # quote
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c in (0x5B, 0x7B):        # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif c in (0x5D, 0x7D):
            depth -= 1
    return deepest


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (413), whether or not Content-Length is sent, and JSON
    nested deeper than ``MAX_JSON_DEPTH`` (422: the parser would recurse past Python's stack): the body
    is read (up to the limit) before the app sees it, then replayed."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self._refuse(scope, receive, send)
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message]), send)
            chunks.append(message)
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                return await self._refuse(scope, receive, send)
            more = message.get("more_body", False)
        if json_depth(b"".join(m.get("body", b"") for m in chunks)) > MAX_JSON_DEPTH:
            response = JSONResponse({"detail": [{"loc": ["body"], "type": "too_deep",
                                                 "msg": f"JSON nested deeper than {MAX_JSON_DEPTH} levels"}]},
                                    status_code=422)
            return await response(scope, receive, send)
        await self.app(scope, _replay(chunks, receive), send)

    async def _refuse(self, scope, receive, send):
        response = JSONResponse({"detail": [{"loc": ["body"], "type": "too_large",
                                             "msg": f"request body over {self.max_bytes:,} bytes"}]}, status_code=413)
        await response(scope, receive, send)


def _replay(messages: list, then=None):
    """An ASGI receive that gives back ``messages``, then defers to ``then`` (disconnects)."""
    pending = list(messages)

    async def receive():
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}
    return receive


def check_collective_work(sc, op: str, algorithm: str, gpus: int, simulate: bool, limits: Limits) -> None:
    """Refuse (413, naming the limit) a collective whose phases this server would route too many flows
    for: counted by arithmetic before any phase is made."""
    widest, total = flow_counts(op, algorithm, gpus, sc.scale_up.domain_gpus if sc.scale_up else None)
    designs = len(sc.designs)
    if simulate and widest > limits.max_simulated_flows:
        raise InputError(["body", "simulate"], f"simulate: {widest:,} flows in a phase; this server simulates at most "
                         f"{limits.max_simulated_flows:,} (use fewer gpus, or the closed form)", status=413)
    if simulate and designs * total > limits.max_simulated_flow_phases:
        raise InputError(["body", "simulate"], f"simulate: {designs * total:,} flow-phases ({designs} designs x the "
                         f"flows of every distinct phase); this server simulates at most "
                         f"{limits.max_simulated_flow_phases:,} in one request (use fewer gpus, another algorithm, "
                         f"or the closed form)", status=413)
    if designs * total > limits.max_closed_form_flow_phases:
        raise InputError(["body", "gpus"], f"gpus: {designs * total:,} flow-phases for the closed form ({designs} "
                         f"designs); this server computes at most {limits.max_closed_form_flow_phases:,} in one "
                         f"request (use fewer gpus or another algorithm)", status=413)


def create_app(limits: Limits | None = None) -> FastAPI:
    limits = limits or Limits()
    catalog = Catalog.default()
    # heavy analyses (Monte Carlo, simulation, TCO) and light ones (a comparison, a link) queue apart,
    # so a light request is not held behind bounded but long heavy work
    gates = {True: anyio.Semaphore(limits.max_concurrent), False: anyio.Semaphore(limits.max_concurrent_light)}
    app = FastAPI(title="lightfabric", version=__version__, docs_url=None,
                  description="Plan the interconnect of AI data centers: build a cluster's fabric with each "
                              "interconnect technology and compare them, every figure sourced. Every request's "
                              "work is bounded up front (413 naming the limit); at most "
                              f"{limits.max_concurrent} analyses run at once and others wait up to "
                              f"{limits.queue_timeout_s:g} s (then 503); work whose client has gone is stopped.")

    @app.exception_handler(InputError)
    async def _input_error(request: Request, e: InputError):
        return JSONResponse({"detail": e.detail()}, status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        # the offending input may be NaN or infinite, which JSON cannot carry: say it in words
        detail = [{**err, "input": _printable(err.get("input"))} for err in e.errors()]
        return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)

    async def run(request: Request, req, fn, options: dict | None = None, heavy: bool = True):
        """Run ``fn(token)`` in a worker thread once a slot of its kind (heavy or light) is free (503
        after the queue timeout); stop it when the client goes away; map the pipeline's errors to 4xx."""
        token = CancelToken()
        gate = gates[heavy]
        try:
            with anyio.fail_after(limits.queue_timeout_s):
                await gate.acquire()
        except TimeoutError:
            raise InputError(["server"], "the server is busy with other analyses; try again shortly",
                             status=503) from None
        async def watch():
            while not await request.is_disconnected():
                await anyio.sleep(0.2)
            token.cancel()

        outcome: dict = {}
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch)
                try:
                    outcome["result"] = await anyio.to_thread.run_sync(fn, token)
                except Exception as e:  # noqa: BLE001 - re-raised below, outside the task group
                    outcome["error"] = e
                tg.cancel_scope.cancel()
            if "error" in outcome:
                raise outcome["error"]
            return outcome["result"]
        except Cancelled:
            raise InputError(["client"], "the client went away; the work was stopped", status=499) from None
        except LightfabricError as e:
            raise InputError(error_loc(e, req, options), str(e), status=getattr(e, "status", 422)) from None
        except LinkOptionError as e:
            raise InputError(service.option_loc(str(e)), str(e)) from None
        finally:
            gate.release()

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js():
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # the API page from an installed package's files: it renders with no network (no CDN)
    app.mount("/swagger", StaticFiles(directory=SWAGGER), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.replace("{openapi}", app.openapi_url))

    @app.get("/api/examples", summary="The packaged example scenarios")
    def list_examples() -> list[dict]:
        return [service.example_summary(name) for name in service.examples()]

    @app.get("/api/examples/{name}", summary="One example: its YAML text and its scenario object",
             responses={404: RESPONSES[404]})
    def get_example(name: str) -> dict:
        if name not in service.examples():
            raise InputError(["path", "name"], f"example: got {name!r}; allowed: {', '.join(service.examples())}",
                             status=404)
        text = service.examples()[name].read_text()
        return {"name": name, "yaml": text}

    @app.get("/api/technologies", summary="The registered technologies and spine designs, with labels and colours")
    def list_technologies() -> list[dict]:
        return technology_registry.describe()

    @app.get("/api/topologies", summary="The registered topologies (scale_out.topology)")
    def list_topologies() -> list[dict]:
        return [{"name": t.name, "label": t.label, "reference": t.reference, "needs_scale_up": t.needs_scale_up}
                for t in TOPOLOGIES.values()]

    @app.get("/api/catalog", summary="Every catalog part, with its kind and how its figures are sourced",
             responses={422: RESPONSES[422]})
    def list_catalog(kind: PartKind | None = None) -> list[dict]:
        """Every part, or those of one ``kind``."""
        return [{"id": p.id, "kind": p.kind, "name": p.name, "vendor": p.vendor,
                 "source_kinds": sorted({s.kind for s in p.sources}), "sources": len(p.sources)}
                for p in catalog if kind is None or p.kind == kind]

    @app.get("/api/catalog/{part_id}", summary="One part: every figure with its sources",
             responses={404: RESPONSES[404]})
    def get_part(part_id: str) -> dict:
        try:
            return service.part_detail(catalog, part_id)
        except LightfabricError as e:
            raise InputError(["path", "part_id"], str(e), status=404) from None

    @app.post("/api/compare", summary="Build the fabric with each technology and compare them", responses=RESPONSES)
    async def api_compare(request: Request, req: CompareRequest) -> dict:
        def work(token):
            sc = scenario_of(req, limits)
            comparison = compare(sc)
            result = comparison.to_dict()
            figs = {}
            if any(r["feasible"] for r in result["results"]):
                figs = {"power": plots.power_breakdown(result), "bom": plots.bill_of_materials(result)}
            return {"scenario": sc.model_dump(mode="json"), "result": result,
                    "figures": {k: figure_json(v) for k, v in figs.items()}}
        return await run(request, req, work, heavy=False)

    @app.post("/api/link", summary="Budget one link: every element's loss, the margin and the BER",
              responses=RESPONSES)
    async def api_link(request: Request, req: LinkRequest) -> dict:
        def work(token):
            link = REGISTRY[req.technology].link_budget(
                catalog, req.length_m, req.lane_rate_gbps, part=req.engine, laser_power_mw=req.laser_power_mw,
                lanes_per_laser=req.lanes_per_laser, ocs_passes=req.ocs_passes, design_margin_db=req.design_margin_db,
                cable=req.cable)
            result = link.to_dict()
            return {"result": result, "figures": {"link": figure_json(plots.link_budget_waterfall(result))}}
        return await run(request, req, work, {"cable": ["body", "cable"], "--engine": ["body", "engine"]}, heavy=False)

    @app.post("/api/reliability", summary="Failures, GPUs down (Monte Carlo), interruptions and goodput",
              responses=RESPONSES)
    async def api_reliability(request: Request, req: ReliabilityRequest) -> dict:
        def work(token):
            sc = scenario_of(req, limits)
            result = assess(sc, job_gpus=req.job_gpus, trials=req.trials, horizon_days=req.horizon_days, seed=req.seed,
                            max_failure_events=limits.max_failure_events, progress=token.progress)
            figs = {}
            if any(r["feasible"] for r in result["results"]):
                figs = {"failures": plots.failures_per_day(result), "gpus-down": plots.gpus_down_distribution(result)}
            return {"result": result, "figures": {k: figure_json(v) for k, v in figs.items()}}
        return await run(request, req, work)

    @app.post("/api/economics", summary="TCO, NPV, maintenance and downtime, and the value chain",
              responses=RESPONSES)
    async def api_economics(request: Request, req: EconomicsRequest) -> dict:
        def work(token):
            sc = scenario_of(req, limits)
            result = run_economics(sc, job_gpus=req.job_gpus)
            chain = value_chain(sc)
            figs = {}
            if any(r["feasible"] for r in result["results"]):
                figs["tco"] = plots.capex_tco(result)
            if chain["results"]:
                figs["valuechain"] = plots.value_chain(chain)
            return {"result": result, "value_chain": chain, "figures": {k: figure_json(v) for k, v in figs.items()}}
        return await run(request, req, work)

    @app.post("/api/collective", summary="Time of one collective per technology, and its time against size",
              responses=RESPONSES)
    async def api_collective(request: Request, req: CollectiveRequest) -> dict:
        alg = req.algorithm or DEFAULT_ALGORITHM[req.op]
        if alg not in ALGORITHMS[req.op]:
            raise InputError(["body", "algorithm"], f"algorithm: got {alg!r}; allowed for {req.op}: "
                                                    f"{', '.join(ALGORITHMS[req.op])}")

        def work(token):
            sc = scenario_of(req, limits)
            check_collective_work(sc, req.op, alg, req.gpus or sc.cluster.gpus, req.simulate, limits)
            closed = collective_report(sc, op=req.op, size_bytes=req.size_bytes, gpus=req.gpus, algorithm=alg)
            result = collective_report(sc, op=req.op, size_bytes=req.size_bytes, gpus=req.gpus, algorithm=alg,
                                       simulate=True, progress=token.progress) if req.simulate else closed
            sweep = collective_sweep(sc, op=req.op, gpus=req.gpus, algorithm=alg)
            return {"result": result, "sweep": sweep,
                    "figures": {"collectives": figure_json(plots.collective_time_vs_size(sweep))}}
        return await run(request, req, work, {"gpus": ["body", "gpus"], "size_bytes": ["body", "size_bytes"]})

    @app.post("/api/traffic", summary="Traffic patterns between blocks: where a direct-connect fabric matches a "
                                      "Clos and where it falls behind", responses=RESPONSES)
    async def api_traffic(request: Request, req: TrafficRequest) -> dict:
        if "matrix" in req.patterns and req.matrix is None:
            raise InputError(["body", "matrix"], "matrix: got none; allowed: a square matrix of bytes between blocks "
                                                 "(the pattern 'matrix' needs it)")

        def work(token):
            sc = scenario_of(req, limits)
            out = {}
            for pattern in dict.fromkeys(req.patterns):
                token.progress()
                out[pattern] = traffic_report(sc, pattern=pattern, size_bytes=req.size_bytes, seed=req.seed,
                                              matrix=req.matrix)
            return {"result": out}
        return await run(request, req, work, {"size_bytes": ["body", "size_bytes"], "pattern": ["body", "patterns"],
                                              "matrix": ["body", "matrix"]},
                         heavy=False)

    @app.get("/api/schema", summary="The scenario's JSON schema: every key with its type, range, default and meaning")
    def get_schema() -> dict:
        from lightfabric.scenario.models import Scenario
        return Scenario.model_json_schema()

    @app.get("/api/models", summary="The packaged training models (lightfabric step --model NAME)")
    def get_models() -> list[str]:
        return sorted(service.models())

    @app.post("/api/compare.csv", summary="The comparison as CSV: one row per design, flat columns",
              responses={**RESPONSES, 200: {"content": {"text/csv": {}}}}, response_class=PlainTextResponse)
    async def api_compare_csv(request: Request, req: CompareRequest):
        from lightfabric.report.formats import to_csv

        def work(token):
            return to_csv(compare(scenario_of(req, limits)))
        text = await run(request, req, work, heavy=False)
        return PlainTextResponse(text, media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="comparison.csv"'})

    @app.post("/api/report", summary="The self-contained HTML report (lightfabric report)",
              responses={**RESPONSES, 200: {"content": {"text/html": {}}}}, response_class=HTMLResponse)
    async def api_report(request: Request, req: ReportRequest):
        from lightfabric.report.html import gather, render

        def work(token):
            sc = scenario_of(req, limits)
            return render(gather(sc, trials=req.trials, horizon_days=req.horizon_days, seed=req.seed,
                                 progress=lambda *a: token.progress(), max_failure_events=limits.max_failure_events))
        text = await run(request, req, work)
        return HTMLResponse(text, headers={"Content-Disposition": 'attachment; filename="report.html"'})

    @app.post("/api/sensitivity", summary="Which assumptions move the TCO most (a tornado), and break-even points",
              responses=RESPONSES)
    async def api_sensitivity(request: Request, req: SensitivityRequest) -> dict:
        from lightfabric.economics import sensitivity_report

        def work(token):
            sc = scenario_of(req, limits)
            result = sensitivity_report(sc, metric=req.metric, versus=tuple(req.versus) if req.versus else None,
                                        job_gpus=req.job_gpus, progress=lambda *a: token.progress())
            figs = {"tornado": figure_json(plots.tornado(result))} if result["tornado"]["rows"] else {}
            return {"result": result, "figures": figs}
        return await run(request, req, work, {"versus": ["body", "versus"], "metric": ["body", "metric"]})

    @app.post("/api/laser", summary="What the lasers of one port must do (lightfabric laser)", responses=RESPONSES)
    async def api_laser(request: Request, req: LaserRequest) -> dict:
        def work(token):
            try:
                result = REGISTRY[req.technology].laser_report(
                    catalog, part=req.engine, lane_rate_gbps=req.lane_rate_gbps, lanes_per_laser=req.lanes_per_laser,
                    temperature_c=req.temperature_c, port_rate_gbps=req.port_rate_gbps,
                    design_margin_db=req.design_margin_db)
            except LinkOptionError as e:
                raise InputError(service.option_loc(str(e)), str(e)) from None
            return {"result": result}
        return await run(request, req, work, {"--engine": ["body", "engine"]}, heavy=False)

    @app.get("/api/density", summary="Bandwidth density by technology (lightfabric density)")
    def get_density() -> dict:
        from lightfabric.density import density_report
        return {"result": density_report(catalog)}

    @app.post("/api/step", summary="One training step on each design: compute and exposed communication",
              responses=RESPONSES)
    async def api_step(request: Request, req: StepRequest) -> dict:
        from lightfabric.netsim.run import step_report
        path = service.models().get(req.model)
        if path is None:
            raise InputError(["body", "model"], f"model: got {req.model!r}; allowed: {', '.join(sorted(service.models()))}")

        def work(token):
            sc = scenario_of(req, limits)
            if req.simulate and sc.cluster.gpus > limits.max_simulated_flows:
                raise InputError(["body", "simulate"], f"simulate: {sc.cluster.gpus:,} GPUs; this server simulates a "
                                 f"step on at most {limits.max_simulated_flows:,} (or use the closed form)", status=413)
            return {"result": step_report(sc, model_path=str(path), plan=req.plan, simulate=req.simulate)}
        return await run(request, req, work, {"plan": ["body", "plan"], "plan_tp": ["body", "plan"],
                                              "plan_pp": ["body", "plan"], "plan_dp": ["body", "plan"],
                                              "plan_ep": ["body", "plan"]})

    @app.post("/api/sweep", summary="Run a small sweep here and return its rows (lightfabric sweep run)",
              responses=RESPONSES)
    async def api_sweep(request: Request, req: SweepRequest) -> dict:
        def work(token):
            return service.run_small_sweep(req.sweep, req.max_rows, limits, token)
        return await run(request, req, work, {"SWEEP": ["body", "sweep"]})

    @app.post("/api/design", summary="The best design for a cluster under constraints (lightfabric design)",
              responses=RESPONSES)
    async def api_design(request: Request, req: DesignQuestion) -> dict:
        from lightfabric.optimize.report import design_report
        from lightfabric.optimize.search import scenario_dict, search
        if req.gpus > limits.max_gpus:
            raise InputError(["body", "gpus"], f"gpus: got {req.gpus:,}; this server designs at most "
                             f"{limits.max_gpus:,}", status=413)
        if req.base is not None and req.base not in service.examples():
            raise InputError(["body", "base"], f"base: got {req.base!r}; allowed here: a packaged example "
                             f"({', '.join(sorted(service.examples()))})")

        if req.needs_step and req.model not in service.models():
            raise InputError(["body", "model"], f"model: got {req.model!r}; allowed: {', '.join(sorted(service.models()))}")

        def work(token):
            result = search(req, progress=lambda *a: token.progress(),
                            max_evaluations=limits.max_design_evaluations)
            report = design_report(result)
            best = result.best
            scenario = (scenario_dict(req, result.space, result.base, best.structure, best.technology,
                                      name=f"designed-{req.gpus}-{req.gpu}") if best else None)
            return {"result": report, "scenario": scenario}
        return await run(request, None, work, {"constraint": ["body", "constraints"]})

    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    return app
