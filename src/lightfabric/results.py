"""The analyses of a scenario from Python, each with a typed result (docs/python.md).

Every function here is a thin face over an existing pipeline, as the CLI is: it calls the pipeline
and wraps the report dict it returns, computing nothing of its own.

=====================  ============================================  =====================
function               pipeline                                      CLI (``--format json``)
=====================  ============================================  =====================
:func:`reliability`    :func:`lightfabric.reliability.assess`        ``reliability``
:func:`economics`      ``lightfabric.economics.economics``           ``economics``
:func:`value_chain`    ``lightfabric.economics.value_chain``         ``valuechain``
:func:`sensitivity`    ``lightfabric.economics.sensitivity_report``  ``sensitivity``
:func:`collective`     ``lightfabric.netsim.run.collective_report``  ``collective``
:func:`step`           ``lightfabric.netsim.run.step_report``        ``step``
:func:`sweep`          ``lightfabric.sweep.run.run_sweep``           ``sweep run`` + ``sweep query``
=====================  ============================================  =====================

Every result has ``report`` (the pipeline's dict, numbers as computed), ``to_dict()`` (the JSON the
CLI prints for the same call, parsed: floats rounded as the CLI rounds them, NaN as None) and
``to_frame()`` (a pandas DataFrame, one row per design indexed by ``technology``, flat columns with
their units in their names; infeasible designs have ``feasible = False``, their ``reasons`` and
empty metrics). The package loads this module on first use of one of its names, and the pipelines
load when a function is called.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from lightfabric.catalog import Catalog
from lightfabric.errors import LightfabricError
from lightfabric.scenario.loader import load_scenario
from lightfabric.scenario.models import Scenario


def _frame(rows: list[dict], index: str | None = "technology"):
    """``rows`` as a pandas DataFrame indexed by ``index`` (needs pandas installed)."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_frame() needs pandas: pip install pandas, or use to_rows()") from e
    frame = pd.DataFrame(rows)
    return frame.set_index(index) if index is not None and rows else frame


def _flat(prefix: str, values: dict | None) -> dict:
    """``{"prefix.key": value}`` for each number of ``values`` (the columns of one breakdown)."""
    return {f"{prefix}.{k}": v for k, v in (values or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _as_printed(obj: Any, rounded: bool) -> Any:
    """``obj`` as the CLI prints it with ``--format json``, parsed back: floats to 10 significant digits
    when the command rounds them (``print_json``), NaN and infinities as None, tuples as lists."""
    from lightfabric.report.formats import json_text
    if rounded:
        from lightfabric.cli_common import json_ready
        obj = json_ready(obj)
    return json.loads(json_text(obj))


@dataclass(frozen=True)
class DesignReport:
    """A report of the designs of one scenario: ``report["results"]`` holds one record per design."""

    report: dict = field(repr=False)

    # whether the CLI prints this report through ``print_json`` (floats to 10 significant digits)
    ROUNDED: ClassVar[bool] = True
    # the metric columns every row has (None when the design is infeasible)
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    @property
    def scenario(self) -> str:
        """The scenario's name."""
        return self.report["scenario"]

    @property
    def technologies(self) -> list[str]:
        """The designs, in the scenario's order."""
        return [r["technology"] for r in self.designs()]

    def designs(self) -> list[dict]:
        """One record per design, infeasible ones included (``feasible``, ``reasons``)."""
        return self.report["results"]

    def result(self, technology: str) -> dict:
        """The record of one design; :class:`LightfabricError` naming the designs if there is none."""
        for r in self.designs():
            if r["technology"] == technology:
                return r
        raise LightfabricError.for_field("technology", technology, ", ".join(self.technologies))

    def to_dict(self) -> dict:
        """The JSON the matching CLI command prints with ``--format json``, as a dict."""
        return _as_printed(self.report, self.ROUNDED)

    def to_rows(self) -> list[dict]:
        """One flat record per design: ``technology``, ``feasible``, ``reasons``, then the metrics."""
        out = []
        for r in self.designs():
            row = {"technology": r["technology"], "feasible": r.get("feasible", True),
                   "reasons": " | ".join(r.get("reasons") or [])}
            row.update({c: None for c in self.COLUMNS})
            if row["feasible"]:
                row.update(self._metrics(r))
            out.append(row)
        return out

    def to_frame(self):
        """A pandas DataFrame, one row per design, indexed by ``technology`` (needs pandas)."""
        return _frame(self.to_rows())

    def _metrics(self, r: dict) -> dict:
        """The flat metric columns of one feasible design's record."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(scenario={self.scenario!r}, technologies={self.technologies})"


@dataclass(frozen=True, repr=False)
class ReliabilityResult(DesignReport):
    """Failures, repairs, GPUs down, interruptions and goodput per design (docs/reliability.md).

    Frame columns: ``failures_per_day``, ``swaps_per_day``, ``flaps_per_day`` (events a day, all
    units), ``gpus_down_mean`` (GPUs, closed form), ``job_interruptions_per_day``,
    ``network_share_of_job_time`` and ``goodput`` (shares of 1), ``bisection_availability``,
    ``mc_gpus_down_mean``, ``mc_gpus_down_p99``, ``mc_gpus_down_max`` (GPUs, Monte Carlo),
    ``mc_job_interruptions_per_day``, and ``failures_per_day.CATEGORY``,
    ``link_availability.GROUP``.
    """

    ROUNDED: ClassVar[bool] = False   # the CLI prints the report as it is (json_text)
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "failures_per_day", "swaps_per_day", "flaps_per_day", "gpus_down_mean", "job_interruptions_per_day",
        "network_share_of_job_time", "goodput", "bisection_availability", "mc_gpus_down_mean", "mc_gpus_down_p99",
        "mc_gpus_down_max", "mc_job_interruptions_per_day")

    def _metrics(self, r: dict) -> dict:
        mc = r["monte_carlo"]
        return {"failures_per_day": r["failures_per_day_total"], "swaps_per_day": r["swaps_per_day"],
                "flaps_per_day": r["flaps_per_day"], "gpus_down_mean": r["gpus_down_mean"],
                "job_interruptions_per_day": r["job_interruptions_per_day"],
                "network_share_of_job_time": r["network_share_of_job_time"], "goodput": r["goodput"],
                "bisection_availability": r["bisection_availability"],
                "mc_gpus_down_mean": mc["gpus_down_mean"], "mc_gpus_down_p99": mc["gpus_down_p99"],
                "mc_gpus_down_max": mc["gpus_down_max"],
                "mc_job_interruptions_per_day": mc["job_interruptions_per_day"],
                **_flat("failures_per_day", r["failures_per_day_by_category"]),
                **_flat("link_availability", r["link_availability"])}


@dataclass(frozen=True, repr=False)
class EconomicsResult(DesignReport):
    """Total cost of ownership and NPV per design (docs/economics.md).

    Frame columns (USD over the scenario's ``economics.years`` unless said): ``capex_usd``,
    ``energy_usd``, ``maintenance_usd``, ``downtime_usd``, ``spares_usd``, ``tco_usd``, ``npv_usd``,
    ``tco_per_gpu_usd``, ``npv_per_gpu_usd``, ``packaging_premium_usd``, ``yearly_usd``
    (USD a year), ``failures_per_year``, ``goodput`` (share of 1), ``capex_usd.CATEGORY``.
    """

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "capex_usd", "energy_usd", "maintenance_usd", "downtime_usd", "spares_usd", "tco_usd", "npv_usd",
        "tco_per_gpu_usd", "npv_per_gpu_usd", "packaging_premium_usd", "yearly_usd", "failures_per_year", "goodput")

    def _metrics(self, r: dict) -> dict:
        return {"capex_usd": r["capex_usd"], "energy_usd": r["energy_usd"], "maintenance_usd": r["maintenance_usd"],
                "downtime_usd": r["downtime_usd"], "spares_usd": r["spares_usd"], "tco_usd": r["tco_usd"],
                "npv_usd": r["npv_usd"], "tco_per_gpu_usd": r["per_gpu"]["tco_usd"],
                "npv_per_gpu_usd": r["per_gpu"]["npv_usd"], "packaging_premium_usd": r["packaging"]["premium_usd"],
                "yearly_usd": r["yearly_usd"]["total"], "failures_per_year": r["reliability"]["failures_per_year"],
                "goodput": r["reliability"]["goodput"], **_flat("capex_usd", r["capex_usd_by_category"])}


@dataclass(frozen=True, repr=False)
class ValueChainResult(DesignReport):
    """Capital spending by industry segment per design, and its shift against the first
    (docs/economics.md).

    Frame columns: ``capex_usd``, ``total_usd`` (USD), ``segment_usd.SEGMENT`` (USD),
    ``segment_share.SEGMENT`` (share of 1), ``shift_usd.SEGMENT`` (USD against the baseline),
    ``shift_share_points.SEGMENT``.
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ("capex_usd", "total_usd")

    def designs(self) -> list[dict]:
        # the report lists feasible designs in results and the others apart
        infeasible = [{**r, "feasible": False} for r in self.report["infeasible"]]
        return [{**r, "feasible": True} for r in self.report["results"]] + infeasible

    def _metrics(self, r: dict) -> dict:
        seg, shift = r["segments"], r["shift"]
        return {"capex_usd": r["capex_usd"], "total_usd": r["total_usd"],
                **_flat("segment_usd", {s: v["usd"] for s, v in seg.items()}),
                **_flat("segment_share", {s: v["share"] for s, v in seg.items()}),
                **_flat("shift_usd", {s: v["usd"] for s, v in shift.items()}),
                **_flat("shift_share_points", {s: v["share_points"] for s, v in shift.items()})}


@dataclass(frozen=True, repr=False)
class SensitivityResult(DesignReport):
    """The tornado of a cost metric and the break-even points of two designs (docs/economics.md).

    ``to_frame()``: one row per design, the metric at the scenario's values (``tco_usd`` or
    ``npv_usd``) and ``swing_usd.INPUT`` (USD between the input's low and high value).
    ``tornado_frame()``: one row per input; ``break_even_frame()``: one row per break-even variable.
    """

    @property
    def metric(self) -> str:
        """``tco_usd`` or ``npv_usd``."""
        return self.report["tornado"]["metric"]

    def designs(self) -> list[dict]:
        base = self.report["tornado"]["base"]
        feasible = [{"technology": t, "feasible": True, "reasons": []} for t in base]
        return feasible + [{**r, "feasible": False} for r in self.report["infeasible"]]

    def to_rows(self) -> list[dict]:
        rows = super().to_rows()
        for row in rows:
            row.setdefault(self.metric, None)
        return rows

    def _metrics(self, r: dict) -> dict:
        t = r["technology"]
        tor = self.report["tornado"]
        return {self.metric: tor["base"][t], **_flat("swing_usd", {x["input"]: x["swing"].get(t) for x in tor["rows"]})}

    def tornado_frame(self):
        """One row per input (index ``input``), by swing: ``label``, ``base``, ``low``, ``high`` (in
        the input's unit, named in ``label``), ``difference_at_low_usd``, ``difference_at_high_usd``,
        ``difference_swing_usd`` (first design of ``versus`` minus the second), ``swing_usd.DESIGN``."""
        rows = [{"input": x["input"], "label": x["label"], "base": x["base"], "low": x["low"], "high": x["high"],
                 "range": x["range"], "difference_at_low_usd": x.get("difference_at_low"),
                 "difference_at_high_usd": x.get("difference_at_high"),
                 "difference_swing_usd": x.get("difference_swing"), **_flat("swing_usd", x["swing"])}
                for x in self.report["tornado"]["rows"]]
        return _frame(rows, "input")

    def break_even_frame(self):
        """One row per variable (index ``variable``): ``label``, ``current``, ``low``, ``high``,
        ``break_even`` (in the variable's unit; empty when there is none in the range, with ``note``),
        ``difference_at_low_usd``, ``difference_at_high_usd``."""
        rows = [{"variable": b["variable"], "label": b["label"], "current": b["current"], "low": b["range"][0],
                 "high": b["range"][1], "break_even": b["break_even"],
                 "difference_at_low_usd": b["difference_at_range"][0],
                 "difference_at_high_usd": b["difference_at_range"][1], "note": b.get("note", "")}
                for b in self.report["break_even"]]
        return _frame(rows, "variable")


@dataclass(frozen=True, repr=False)
class CollectiveResult(DesignReport):
    """One collective on every design, in closed form and optionally simulated (docs/performance.md).

    Frame columns: ``time_s`` (s), ``algbw_gbps``, ``busbw_gbps`` (Gb/s per GPU),
    ``max_link_utilization`` (share of 1, simulated only), ``method``, ``closed_form_time_s``,
    ``closed_form_busbw_gbps`` and, with ``simulate=True``, ``simulated_time_s``,
    ``simulated_busbw_gbps``.
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ("time_s", "algbw_gbps", "busbw_gbps", "max_link_utilization", "method",
                                          "closed_form_time_s", "closed_form_busbw_gbps")

    def _metrics(self, r: dict) -> dict:
        out = {"time_s": r["time_s"], "algbw_gbps": r["algbw_gbps"], "busbw_gbps": r["busbw_gbps"],
               "max_link_utilization": r["max_link_utilization"], "method": r["method"],
               "closed_form_time_s": r["closed_form"]["time_s"],
               "closed_form_busbw_gbps": r["closed_form"]["busbw_gbps"]}
        if "simulated" in r:
            out.update(simulated_time_s=r["simulated"]["time_s"], simulated_busbw_gbps=r["simulated"]["busbw_gbps"])
        return out


@dataclass(frozen=True, repr=False)
class StepResult(DesignReport):
    """One training step on every design (docs/performance.md).

    Frame columns: ``step_time_s``, ``compute_s``, ``bubble_s``, ``exposed_comm_total_s`` (s),
    ``exposed_share`` (share of the step), ``tokens_per_s``, ``tokens_per_step``, ``gpus``,
    ``micro_batches``, ``domain_gpus``, ``exposed_comm_s.NETWORK`` and ``collective_time_s.COLLECTIVE``
    (s per step).
    """

    COLUMNS: ClassVar[tuple[str, ...]] = ("step_time_s", "compute_s", "bubble_s", "exposed_comm_total_s",
                                          "exposed_share", "tokens_per_s", "tokens_per_step", "gpus",
                                          "micro_batches", "domain_gpus")

    def _metrics(self, r: dict) -> dict:
        return {**{c: r[c] for c in self.COLUMNS}, **_flat("exposed_comm_s", r["exposed_comm_s"]),
                **_flat("collective_time_s", {c["collective"]: c["time_s"] for c in r["collectives"]})}


# ---------------------------------------------------------------------------------------------------
# the functions


def _scenario(scenario: Scenario | str | os.PathLike) -> Scenario:
    """A scenario, or the path of a scenario file read by :func:`lightfabric.load_scenario`."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise LightfabricError.for_field("scenario", type(scenario).__name__,
                                     "a Scenario (lightfabric.load_scenario) or the path of a scenario file")


def reliability(scenario: Scenario | str | os.PathLike, *, trials: int = 200, horizon_days: float = 180.0,
                seed: int = 0, job_gpus: int | None = None, catalog: Catalog | None = None) -> ReliabilityResult:
    """Failures, blast radius, repair, GPUs down, interruptions and goodput of every design
    (``lightfabric reliability``).

    ``trials`` Monte Carlo trials (2 to 100,000) over ``horizon_days`` days (1 to 3,650) from
    ``seed``; ``job_gpus``: one job of this many GPUs instead of the scenario's job mix. Errors name
    the CLI option of each argument (``--trials`` for ``trials``).
    """
    from lightfabric.reliability.assess import assess
    return ReliabilityResult(assess(_scenario(scenario), catalog, job_gpus=job_gpus, horizon_days=horizon_days,
                                    trials=trials, seed=seed))


def economics(scenario: Scenario | str | os.PathLike, *, job_gpus: int | None = None,
              catalog: Catalog | None = None) -> EconomicsResult:
    """TCO (capex, energy, maintenance, downtime; USD) and NPV of every design (``lightfabric economics``)."""
    from lightfabric.economics.evaluate import economics as run
    return EconomicsResult(run(_scenario(scenario), catalog, job_gpus=job_gpus))


def value_chain(scenario: Scenario | str | os.PathLike, *, catalog: Catalog | None = None) -> ValueChainResult:
    """Capital spending by industry segment of every design (``lightfabric valuechain``)."""
    from lightfabric.economics.evaluate import value_chain as run
    return ValueChainResult(run(_scenario(scenario), catalog))


SENSITIVITY_METRICS = {"tco": "tco_usd", "npv": "npv_usd", "tco_usd": "tco_usd", "npv_usd": "npv_usd"}


def sensitivity(scenario: Scenario | str | os.PathLike, *, metric: str = "tco",
                versus: Sequence[str] | str | None = None, job_gpus: int | None = None,
                catalog: Catalog | None = None) -> SensitivityResult:
    """Which assumptions move the cost most (a tornado) and where two designs cost the same
    (``lightfabric sensitivity``).

    ``metric``: ``tco`` (undiscounted, USD) or ``npv``; ``versus``: two designs ``(a, b)`` (or
    ``"a,b"``) whose difference a - b the tornado and break-even points follow; default cpo against
    the first design.
    """
    if metric not in SENSITIVITY_METRICS:
        raise LightfabricError.for_field("metric", metric, "tco or npv (or tco_usd, npv_usd)")
    pair = None
    if versus is not None:
        pair = (tuple(x.strip() for x in versus.split(",")) if isinstance(versus, str) else
                tuple(versus) if isinstance(versus, Sequence) else ())
        if len(pair) != 2 or not all(isinstance(x, str) and x for x in pair) or pair[0] == pair[1]:
            raise LightfabricError.for_field("versus", versus, "two different designs (a, b), e.g. ('cpo', "
                                                                "'pluggable-dsp')")
    from lightfabric.economics.sensitivity import sensitivity_report
    return SensitivityResult(sensitivity_report(_scenario(scenario), catalog, metric=SENSITIVITY_METRICS[metric],
                                                versus=pair, job_gpus=job_gpus))


def collective(scenario: Scenario | str | os.PathLike, *, op: str = "all-reduce", size_bytes: float = 1e9,
               gpus: int | None = None, algorithm: str | None = None, simulate: bool = False,
               routing: str = "spread", seed: int = 0, fail_links: int = 0,
               catalog: Catalog | None = None) -> CollectiveResult:
    """Time and bus bandwidth of one collective on every design (``lightfabric collective``).

    ``op``: all-reduce, reduce-scatter, all-gather or all-to-all; ``size_bytes``: the buffer per GPU
    in bytes; ``gpus``: the first N GPUs (default all a job may span); ``algorithm``: the op's
    default when None; ``simulate``: also simulate the flows over the fabric graph (``routing``
    spread or hash, ``seed``, ``fail_links`` leaf uplinks failed). Errors name the CLI options
    (``--gpus`` for ``gpus``).
    """
    from lightfabric.netsim.run import collective_report
    return CollectiveResult(collective_report(_scenario(scenario), op=op, size_bytes=size_bytes, gpus=gpus,
                                              algorithm=algorithm, simulate=simulate, routing=routing, seed=seed,
                                              fail_links=fail_links, catalog=catalog))


def _model_file(model: str | os.PathLike) -> str:
    """The model file: a path or, where the package knows its example models by name
    (:mod:`lightfabric.examples_index`), an example model's name such as ``moe-1t``."""
    try:
        from lightfabric.examples_index import model_path
    except ModuleNotFoundError as e:
        if e.name != "lightfabric.examples_index":
            raise
        return str(model)  # no index: a path, and load_model says if there is no such file
    return str(model_path(model, option="model"))


def step(scenario: Scenario | str | os.PathLike, *, model: str | os.PathLike, plan: str = "tp=8,pp=8,ep=64",
         simulate: bool = False, routing: str = "spread", seed: int = 0,
         catalog: Catalog | None = None) -> StepResult:
    """One training step of ``model`` under ``plan`` on every design (``lightfabric step``).

    ``model``: the path of a model YAML (e.g. examples/models/moe-1t.yaml) or, where lightfabric
    knows its example models by name, a name such as ``moe-1t``; ``plan``: ``tp=8,pp=8,ep=64,dp=...``
    (dp omitted fills the cluster); ``simulate`` simulates every collective over the fabric graph.
    """
    from lightfabric.netsim.run import step_report
    return StepResult(step_report(_scenario(scenario), model_path=_model_file(model), plan=plan, simulate=simulate,
                                  routing=routing, seed=seed, catalog=catalog))


# ---------------------------------------------------------------------------------------------------
# sweeps

ROWS_SQL = "SELECT * FROM results ORDER BY point, technology"


@dataclass(frozen=True)
class SweepResult:
    """A sweep run into a DuckDB file (docs/sweeps.md): the run's summary and its rows, read on demand.

    ``to_dict()``: ``{"output", "summary", "rows"}``, ``rows`` being what
    ``lightfabric sweep query OUTPUT "SELECT * FROM results ORDER BY point, technology" --format json``
    prints; ``to_frame()``: those rows as a DataFrame (one row per design point: ``point``, one
    column per axis, ``technology``, ``feasible``, ``reason`` and the metrics, e.g. ``power_per_gpu_w``,
    ``tco_per_gpu_usd``, ``goodput``); ``query(sql)``: any read-only SQL over the file.
    """

    output: Path
    summary: dict

    def query(self, sql: str) -> list[dict]:
        """The rows of one SQL query over the tables results, partitions and sweep_meta, as records
        (the file is opened read-only, as by ``lightfabric sweep query``)."""
        import duckdb

        from lightfabric.sweep.store import open_results
        con = open_results(self.output, field="output")
        try:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description] if cur.description else []
            return [dict(zip(names, r)) for r in cur.fetchall()]
        except duckdb.Error as e:
            raise LightfabricError.for_field("sql", sql, "a query DuckDB accepts over the tables results, "
                                             "partitions and sweep_meta", problem=str(e).splitlines()[0]) from None
        finally:
            con.close()

    def to_rows(self) -> list[dict]:
        """Every row of ``results``, by point and technology."""
        return self.query(ROWS_SQL)

    def to_dict(self) -> dict:
        return {"output": str(self.output), "summary": dict(self.summary), "rows": _as_printed(self.to_rows(), False)}

    def to_frame(self):
        """The rows as a pandas DataFrame (needs pandas), one per design point, in ``point`` order."""
        return _frame(self.to_rows(), index=None)


def sweep(sweep_file: str | os.PathLike | Any, output: str | os.PathLike = "results.duckdb", *,
          workers: int | None = None, scheduler: str | None = None, partition_points: int | None = None,
          fresh: bool = False) -> SweepResult:
    """Run a sweep (``lightfabric sweep run``) into the DuckDB file ``output`` and return its result.

    ``sweep_file``: the path of a sweep YAML, or a sweep read by
    :func:`lightfabric.sweep.load_sweep`. An existing ``output`` of the same sweep is resumed
    (``fresh=True`` replaces it). ``workers``: local processes (default every core; 1 runs here);
    ``scheduler``: ``tcp://HOST:PORT`` of a Dask scheduler instead.
    """
    from lightfabric.sweep.run import run_sweep
    from lightfabric.sweep.spec import Sweep, load_sweep
    loaded = sweep_file if isinstance(sweep_file, Sweep) else load_sweep(sweep_file)
    s = run_sweep(loaded, Path(output), workers=workers, scheduler=scheduler, partition_points=partition_points,
                      fresh=fresh)
    summary = {**asdict(s), "workers": sorted(s.workers), "points_per_s": s.points_per_s,
               "sweep_file": loaded.filename}
    return SweepResult(output=Path(output), summary=summary)
