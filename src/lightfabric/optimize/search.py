"""The search: every structure, every technology per link class, pruned by bounds, the survivors
evaluated exactly by the single-design pipeline.

1. Each structure of the space is planned once (:func:`lightfabric.design.plan.plan_fabric`); a
   structure the topology or the switch cannot build is *rejected* with the pipeline's reason.
2. Each (link class, technology) is checked with the design's own physical check and given lower
   bounds of capex and power (:mod:`lightfabric.optimize.bounds`); a technology that cannot serve a
   class removes every design using it (*infeasible*).
3. Every remaining design (a technology per class) gets bounds of every metric: exact for the
   structural ones (tiers, switches, bisection), lower bounds for capex, power and TCO (capex +
   energy; maintenance and downtime are never negative). A design whose bound already breaks a
   constraint is *ruled out by bound*.
4. The rest are taken in the order of their objective's bound. Each is evaluated exactly
   (:func:`lightfabric.economics.evaluate.prepare` and :func:`~lightfabric.economics.evaluate.evaluate`:
   the numbers of ``lightfabric compare`` and ``economics``). When it meets every constraint, every
   design it beats on the objective's bound and on the bound of every bounded constrained metric is
   *pruned*: such a design can be neither the best nor on the front of the objective against any
   bounded constrained metric (exact ties excepted: of equal designs one is kept).

The best design is therefore exact. Fronts against a metric without a bound (goodput) are over the
designs evaluated exactly, and say so.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from lightfabric.catalog import Catalog
from lightfabric.catalog.availability import available_by
from lightfabric.design.plan import plan_fabric
from lightfabric.economics.evaluate import evaluate, prepare
from lightfabric.errors import LightfabricError, WorkTooLarge
from lightfabric.metrics.cost import energy_cost_usd
from lightfabric.optimize.bounds import StructureBounds, structure_bounds
from lightfabric.optimize.question import METRICS, Constraint, DesignQuestion
from lightfabric.optimize.space import Space, Structure, design_space
from lightfabric.scenario.loader import check_parts
from lightfabric.scenario.models import Scenario
from lightfabric.technologies import Infeasible
from lightfabric.topology.base import POLICY_KEYS

MAX_EVALUATIONS = 20_000          # exact evaluations one search may make (about 10 ms each at 100k GPUs)
MAX_FRONT_EVALUATIONS = 5_000     # designs evaluated, unpruned, for a complete front against goodput or step time
SECTIONS = ("placement", "economics", "physical", "reliability", "parts")


@dataclass
class Evaluated:
    """One design evaluated exactly."""

    structure: Structure
    technology: dict[str, str]          # policy key -> technology
    metrics: dict[str, float]
    feasible: bool
    reason: str = ""
    violated: str = ""                  # the first constraint it breaks, with its value

    def as_dict(self) -> dict:
        metrics = {k: (int(v) if k in ("tiers", "switches") else v) for k, v in self.metrics.items()}
        return {**self.structure.as_dict(), "technology": dict(self.technology), "feasible": self.feasible,
                "reason": self.reason, "violated": self.violated, **metrics}


@dataclass
class SearchStats:
    structures: int = 0
    structures_rejected: int = 0
    designs_considered: int = 0
    infeasible_technology: int = 0
    ruled_out_by_bound: int = 0
    pruned_by_bound: int = 0
    evaluated: int = 0
    seconds: float = 0.0
    bounds_seconds: float = 0.0
    evaluate_seconds: float = 0.0

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["designs_per_second"] = self.designs_considered / self.seconds if self.seconds else None
        return d


@dataclass
class SearchResult:
    question: DesignQuestion
    space: Space
    best: Evaluated | None
    evaluated: list[Evaluated]
    stats: SearchStats
    rejected: list[tuple[str, int, str]]          # (topology, count, reason), grouped
    notes: list[str] = field(default_factory=list)
    availability: dict | None = None
    base: dict = field(default_factory=dict)
    complete_fronts: set = field(default_factory=set)   # constrained metrics whose front is complete


def base_sections(q: DesignQuestion) -> dict:
    """The sections the designs take from the base scenario (or the defaults), its catalog files and
    overrides."""
    if q.base is None:
        return {}
    from lightfabric.scenario.loader import load_scenario
    sc = load_scenario(q.base)
    out = {k: getattr(sc, k).model_dump(mode="json", exclude_unset=False) for k in SECTIONS}
    if sc.catalog:
        out["catalog"] = list(sc.catalog)
    if sc.overrides:
        out["overrides"] = dict(sc.overrides)
    return out


def scenario_dict(q: DesignQuestion, space: Space, base: dict, s: Structure, tech: dict[str, str],
                  name: str = "designed") -> dict:
    """The scenario of one design: a scenario file's keys (``lightfabric compare`` runs it)."""
    policy = {k: tech.get(k, "auto") for k in POLICY_KEYS}
    if "scale_up" not in tech:
        policy["scale_up"] = "copper"
    policy["spine_switch"] = "ocs" if s.ocs_spine else "electrical"
    d = {"name": name, "cluster": {"gpus": q.gpus, "gpu": q.gpu}, "scale_out": s.scale_out(space.nic),
         "technology": policy, **base}
    if space.scale_up:
        d["scale_up"] = dict(space.scale_up)
    return d


def _structural(plan, s: Structure) -> dict[str, float]:
    """Tiers, switches and bisection from the plan alone, before any design is built: the counts
    compare reports (an OCS spine's tier has no switches), which a test holds equal to them."""
    summary = plan.fabric.summary
    over = float(summary.get("oversubscription") or 1.0)
    switches = summary.get("switches", 0)
    if s.ocs_spine and summary.get("switches_per_tier"):
        switches -= summary["switches_per_tier"][-1]
    return {"tiers": float(summary.get("tiers", 0)), "switches": float(switches), "bisection": 1.0 / over}


def evaluate_exactly(q: DesignQuestion, space: Space, base: dict, catalog: Catalog, s: Structure,
                     tech: dict[str, str], step_model=None) -> Evaluated:
    """The design through the single-design pipeline: compare, reliability and economics (and the
    training step of ``step_model``, the question's model read once by the caller, if it asks for it)."""
    sc = Scenario.model_validate(scenario_dict(q, space, base, s, tech))
    prepared = prepare(sc, catalog)
    r = prepared.comparison.results[0]
    if not r.feasible:
        return Evaluated(s, tech, {}, False, " | ".join(r.reasons))
    e = evaluate(prepared, r, detail=False)
    gpus = q.gpus
    power = float(r.power_w["total"])
    m = {"tco_usd": float(e["tco_usd"]) if e.get("tco_usd") is not None else float("nan"),
         "capex_usd": float(e["capex_usd"]), "network_power_mw": power / 1e6, "power_per_gpu_w": power / gpus,
         "goodput": float(e["reliability"]["goodput"]), "tiers": float(r.topology["tiers"]),
         "switches": float(r.topology["switches"]), "bisection": 1.0 / float(r.topology.get("oversubscription") or 1.0)}
    m["tco_per_gpu_usd"] = m["tco_usd"] / gpus
    m["capex_per_gpu_usd"] = m["capex_usd"] / gpus
    if q.needs_step:
        m["step_time_s"] = _step_time_s(q, step_model or _step_model(q), prepared.comparison.plan, r.design)
    return Evaluated(s, tech, m, True)


def _step_model(q: DesignQuestion):
    """The question's training model (a packaged name or a path), read and validated."""
    from lightfabric.examples_index import model_path
    from lightfabric.netsim.step import load_model
    return load_model(model_path(q.model, "model"))


def _step_time_s(q: DesignQuestion, model, plan, design) -> float:
    """The closed-form training step of ``model`` with the question's plan on the design (lightfabric step)."""
    from lightfabric.netsim.step import parse_plan, peak_tflops, step_time
    from lightfabric.netsim.topo import topo_of
    p = parse_plan(q.plan, plan.fabric.gpus_for_jobs, model)
    return float(step_time(topo_of(design), peak_tflops(plan.gpu), model, p)["step_time_s"])


def _violated(ev: Evaluated, constraints: list[Constraint]) -> str:
    """Every constraint the design breaks, with its figure ("" if none)."""
    out = []
    for c in constraints:
        x = ev.metrics.get(c.metric, float("nan"))
        if not c.holds(x):
            unit = METRICS[c.metric].unit
            out.append(f"{c.metric} = {x:,.4g}{' ' + unit if unit and unit != '0-1' else ''} breaks {c.text()}")
    return "; ".join(out)


def _better_or_equal(metric: str, a: np.ndarray | float, b: np.ndarray | float):
    """a at least as good as b for ``metric``."""
    return a <= b if METRICS[metric].sense == "min" else a >= b


def _strictly_better(metric: str, a, b):
    return a < b if METRICS[metric].sense == "min" else a > b


def search(q: DesignQuestion, catalog: Catalog | None = None, progress=None,
           max_evaluations: int = MAX_EVALUATIONS, max_front_evaluations: int = MAX_FRONT_EVALUATIONS) -> SearchResult:
    """Answer the question: the best design, the designs evaluated (for the fronts) and the counts.

    ``progress(key, done, total)`` is called as structures are planned and designs evaluated;
    ``max_evaluations`` bounds the exact evaluations (:class:`~lightfabric.errors.WorkTooLarge`
    beyond, naming the bound)."""
    t0 = time.perf_counter()
    catalog = catalog or Catalog.default()
    notes: list[str] = []
    base = base_sections(q)
    # the base scenario's own parts and overrides join the catalog first, so the space and the
    # availability filter see them; the designs are then evaluated on that catalog as it stands
    if base.get("catalog"):
        catalog = catalog.with_user_files(base["catalog"], field="base: catalog")
    if base.get("overrides"):
        catalog = catalog.with_overrides(base["overrides"], field_prefix="base: overrides")
    if q.available_by:      # the question's date, else the base scenario's (parts.available_by)
        base["parts"] = {"available_by": q.available_by, "include_sampling": q.include_sampling}
    evaluated_base = {k: v for k, v in base.items() if k not in ("catalog", "overrides")}
    availability = None
    by = (base.get("parts") or {}).get("available_by")
    if by:
        sampling = bool(base["parts"].get("include_sampling"))
        f = available_by(catalog, by, sampling)
        catalog, availability = f.catalog, f.as_dict()
        if f.undated:
            notes.append(f"parts without an availability date, kept: {', '.join(f.undated)}")
        notes.append(f"parts: only hardware {'shipping or sampling' if sampling else 'shipping'} by {by}; the "
                     f"scenario file says so (parts.available_by), so every command on it uses the same parts")
    space = design_space(q, catalog)
    step_model = None
    if q.needs_step:
        from lightfabric.netsim.step import parse_plan
        step_model = _step_model(q)
        parse_plan(q.plan, q.gpus, step_model)   # a bad plan fails before the search
        notes.append(f"step time: model {q.model}, plan {q.plan}, closed form (lightfabric step); it has no bound, "
                     f"so every design meeting the bounded constraints is evaluated")
    constraints = q.parsed_constraints()
    objective = q.objective_metric
    probe = Scenario.model_validate(scenario_dict(q, space, evaluated_base, space.structures[0], {}))
    catalog = check_parts(probe, catalog)
    overrides_change_flows = any(catalog.get(k.split(".")[0]).kind in ("engine-flow", "co-package-flow")
                                 for k in base.get("overrides", {}) if k.split(".")[0] in catalog)
    if overrides_change_flows:
        notes.append("the base scenario changes a packaging flow: its yield premium may lower capex below the "
                     "bill of materials, so capex and TCO are not bounded (every design is evaluated)")

    stats = SearchStats(structures=len(space.structures))
    rejected: Counter = Counter()
    rows: list[tuple[int, tuple]] = []              # (structure index, options per class)
    arrays: dict[str, list] = {k: [] for k in ("capex", "power", "tiers", "switches", "bisection")}
    planned: list[tuple[Structure, StructureBounds | None]] = []
    for i, s in enumerate(space.structures):
        if progress:
            progress("structures", i + 1, len(space.structures))
        try:
            sc = Scenario.model_validate(scenario_dict(q, space, evaluated_base, s, {}))
            plan = plan_fabric(sc, catalog)
            if plan.fabric.summary.get("circuit_switched_core") and s.ocs_spine:
                raise Infeasible("the core is circuit-switched in every design of this topology (no OCS-spine "
                                     "variant)")
            b = structure_bounds(plan, s.ocs_spine, list(space.technologies))
        except (LightfabricError, Infeasible) as e:
            rejected[(s.topology, _short(str(e)))] += 1
            planned.append((s, None))
            continue
        planned.append((s, b))
        keys = list(b.classes)
        stats.designs_considered += int(np.prod([len(b.classes[k]) for k in keys]))
        feasible = b.feasible_options()
        empty = [k for k in keys if not feasible[k]]
        if empty:
            why = " | ".join(o.reason for o in b.classes[empty[0]])
            rejected[(s.topology, _short(f"no technology can build the {empty[0]} links: {why}"))] += 1
            stats.infeasible_technology += int(np.prod([len(b.classes[k]) for k in keys]))
            continue
        n_feasible = int(np.prod([len(feasible[k]) for k in keys]))
        stats.infeasible_technology += int(np.prod([len(b.classes[k]) for k in keys])) - n_feasible
        struct = _structural(plan, s)
        for combo in itertools.product(*(feasible[k] for k in keys)):
            rows.append((i, tuple(zip(keys, (o.technology for o in combo)))))
            arrays["capex"].append(b.fixed_capex_usd + sum(o.capex_lb_usd for o in combo))
            arrays["power"].append(b.fixed_power_w + sum(o.power_lb_w for o in combo))
            for k in ("tiers", "switches", "bisection"):
                arrays[k].append(struct[k])
    stats.structures_rejected = sum(rejected.values())
    stats.bounds_seconds = time.perf_counter() - t0

    eco = probe.economics
    capex = np.asarray(arrays["capex"], dtype=float)
    power = np.asarray(arrays["power"], dtype=float)
    unbounded = overrides_change_flows
    inf = np.full(len(rows), np.inf)
    bound = {
        "capex_usd": -inf if unbounded else capex,
        "tco_usd": -inf if unbounded else capex + np.asarray(energy_cost_usd(power, eco.electricity_usd_per_kwh,
                                                                              eco.pue, eco.years), dtype=float),
        "network_power_mw": power / 1e6, "power_per_gpu_w": power / q.gpus,
        "tiers": np.asarray(arrays["tiers"], dtype=float), "switches": np.asarray(arrays["switches"], dtype=float),
        "bisection": np.asarray(arrays["bisection"], dtype=float),
        "goodput": inf,       # no bound: maximised, so the optimistic value is +inf
        "step_time_s": -inf,  # no bound: minimised, so the optimistic value is -inf
    }
    bound["capex_per_gpu_usd"] = bound["capex_usd"] / q.gpus
    bound["tco_per_gpu_usd"] = bound["tco_usd"] / q.gpus

    active = np.ones(len(rows), dtype=bool)
    for c in constraints:
        if METRICS[c.metric].bound == "none":
            continue
        b = bound[c.metric]
        # a lower bound can break an upper limit for sure; an exact figure breaks either kind
        sure = METRICS[c.metric].bound == "exact" or (METRICS[c.metric].sense == "min") == c.upper
        if sure:
            breaks = ~np.array([c.holds(x) for x in b]) if len(b) else np.zeros(0, dtype=bool)
            active &= ~breaks
    stats.ruled_out_by_bound = int((~active).sum())
    ruled_out = np.flatnonzero(~active)

    obj = objective.name
    sign = 1.0 if objective.sense == "min" else -1.0
    order = np.argsort(sign * bound[obj], kind="stable")
    n_left = int(active.sum())
    # the fronts of the objective against each constrained metric: a metric without a bound (goodput,
    # step time) keeps every design from pruning, so its front is complete, as long as that many
    # designs may be evaluated; beyond, the objective's bound prunes and its front is marked incomplete
    unbounded = [c.metric for c in constraints if METRICS[c.metric].bound == "none" and c.metric != obj]
    complete = n_left <= min(max_front_evaluations, max_evaluations)
    front_metrics = list(dict.fromkeys(c.metric for c in constraints if c.metric != obj
                                       and (METRICS[c.metric].bound != "none" or complete)))
    if unbounded and not complete:
        notes.append(f"{', '.join(dict.fromkeys(unbounded))}: no bound, and {n_left:,} designs meet the bounded "
                     f"constraints (more than {min(max_front_evaluations, max_evaluations):,}), so the objective's "
                     "bound prunes: the best design is exact, the front against it covers the designs evaluated")
    if objective.bound == "none" and n_left > max_evaluations:
        raise WorkTooLarge.for_field("objective", q.objective, f"a space of at most {max_evaluations:,} designs "
                                     "meeting the bounded constraints, or another objective",
                                     problem=f"{q.objective} has no bound, so all {n_left:,} designs would be "
                                             "evaluated; narrow the space or add constraints")
    t1 = time.perf_counter()
    evaluated: list[Evaluated] = []
    best: Evaluated | None = None
    for pos, i in enumerate(order):
        if not active[i]:
            continue
        if stats.evaluated >= max_evaluations:
            raise WorkTooLarge.for_field("question", f"{stats.evaluated:,} exact evaluations",
                                         f"at most {max_evaluations:,}; narrow the space (switches, port_rates_gbps, "
                                         "technologies, tiers) or add constraints")
        active[i] = False
        s_idx, tech = rows[i]
        s = planned[s_idx][0]
        ev = evaluate_exactly(q, space, evaluated_base, catalog, s, dict(tech), step_model)
        stats.evaluated += 1
        if progress:
            progress("designs evaluated", stats.evaluated, stats.evaluated + int(active.sum()))
        if not ev.feasible:
            evaluated.append(ev)
            continue
        ev.violated = _violated(ev, constraints)
        evaluated.append(ev)
        if ev.violated:
            continue
        if best is None or _strictly_better(obj, ev.metrics[obj], best.metrics[obj]):
            best = ev
        # prune what this design beats on the objective's bound and every bounded constrained metric
        dominated = active & _better_or_equal(obj, ev.metrics[obj], bound[obj])
        strict = _strictly_better(obj, ev.metrics[obj], bound[obj])
        for m in front_metrics:
            dominated &= _better_or_equal(m, ev.metrics[m], bound[m])
            strict = strict | _strictly_better(m, ev.metrics[m], bound[m])
        dominated &= strict
        stats.pruned_by_bound += int(dominated.sum())
        active &= ~dominated
    stats.evaluate_seconds = time.perf_counter() - t1

    # the designs a constraint's bound ruled out that would otherwise have won: evaluated to say by how much
    if len(ruled_out):
        # (with no design meeting the constraints: the best few by the objective's bound, to name the closest)
        better = (ruled_out if best is None else
                  ruled_out[_strictly_better(obj, bound[obj][ruled_out], best.metrics[obj])])
        for i in better[np.argsort(sign * bound[obj][better], kind="stable")][:5]:
            s_idx, tech = rows[i]
            ev = evaluate_exactly(q, space, evaluated_base, catalog, planned[s_idx][0], dict(tech), step_model)
            if ev.feasible:
                ev.violated = _violated(ev, constraints)
            evaluated.append(ev)
    stats.seconds = time.perf_counter() - t0
    grouped = sorted(((topo, n, why) for (topo, why), n in rejected.items()), key=lambda x: -x[1])
    complete_fronts = {m for m in front_metrics} | {c.metric for c in constraints if METRICS[c.metric].bound != "none"}
    return SearchResult(q, space, best, evaluated, stats, grouped, notes, availability, base, complete_fronts)


def _short(text: str, n: int = 240) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
