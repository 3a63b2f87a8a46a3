"""What a search answers, as plain data: the best design and its scenario file, the fronts of the
objective against each constrained metric, the runner-ups with the one constraint or cost that ruled
each out, and how the space was cut."""

from __future__ import annotations

import numpy as np
import yaml

from lightfabric.optimize.question import METRICS
from lightfabric.optimize.search import Evaluated, SearchResult, scenario_dict
from lightfabric.sweep.pareto import pareto_front

RUNNER_UPS = 8
COLUMNS = ("topology", "switch", "port_rate_gbps", "tiers", "planes", "oversubscription", "ocs_spine")


def technology_label(tech: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in tech.items())


def design_label(ev: Evaluated) -> str:
    s = ev.structure
    return (f"{s.topology}, {s.switch} {s.port_rate_gbps:g}G, {s.tiers} tier(s), {s.planes} plane(s), "
            f"1:{s.oversubscription:g}" + (", OCS spine" if s.ocs_spine else "") + "; " + technology_label(ev.technology))


def _row(ev: Evaluated, why: str = "") -> dict:
    return {"design": design_label(ev), **ev.as_dict(), "why_not_best": why}


def _why_lost(ev: Evaluated, best: Evaluated | None, objective: str) -> str:
    if not ev.feasible:
        return f"infeasible: {ev.reason}"
    if ev.violated:
        return ev.violated
    if best is None:
        return ""
    a, b = ev.metrics[objective], best.metrics[objective]
    rel = (a - b) / abs(b) if b else float("inf")
    word = "higher" if METRICS[objective].sense == "min" else "lower"
    return f"{objective} {abs(rel) * 100:.2f} % {word} than the best ({a:,.4g} against {b:,.4g})"


def runner_ups(result: SearchResult) -> list[dict]:
    """The best design of every other (topology, switch) among those meeting the constraints, then
    the designs that beat the best on the objective but break a constraint; each with why it lost."""
    obj = result.question.objective_metric
    sign = 1.0 if obj.sense == "min" else -1.0
    best = result.best
    ok = [e for e in result.evaluated if e.feasible and not e.violated and e is not best]
    ok.sort(key=lambda e: sign * e.metrics[obj.name])
    seen = {(best.structure.topology, best.structure.switch)} if best else set()
    rows = []
    for e in ok:
        family = (e.structure.topology, e.structure.switch)
        if family in seen:
            continue
        seen.add(family)
        rows.append(_row(e, _why_lost(e, best, obj.name)))
        if len(rows) >= RUNNER_UPS:
            break
    broke = [e for e in result.evaluated if e.feasible and e.violated]
    if best is not None:
        broke = [e for e in broke if sign * e.metrics[obj.name] < sign * best.metrics[obj.name]]
    broke.sort(key=lambda e: sign * e.metrics[obj.name])
    structures = set()     # the cheapest breaking design of each of up to three structures
    for e in broke:
        if len(structures) >= 3:
            break
        if e.structure not in structures:
            structures.add(e.structure)
            rows.append(_row(e, _why_lost(e, best, obj.name)))
    return rows


def fronts(result: SearchResult) -> list[dict]:
    """For each constrained metric, the designs meeting every constraint that no other beats on both
    the objective and that metric."""
    q = result.question
    obj = q.objective_metric
    ok = [e for e in result.evaluated if e.feasible and not e.violated]
    out = []
    for metric in dict.fromkeys(c.metric for c in q.parsed_constraints()):
        if metric == obj.name:
            continue
        m = METRICS[metric]
        rows = []
        if ok:
            values = np.array([[e.metrics[obj.name], e.metrics[metric]] for e in ok], dtype=float)
            idx = pareto_front(values, maximize=[obj.sense == "max", m.sense == "max"])
            chosen = sorted((ok[i] for i in idx), key=lambda e: e.metrics[obj.name] * (1 if obj.sense == "min" else -1))
            rows = [_row(e) for e in chosen]
        exact = metric in result.complete_fronts
        out.append({"metric": metric, "objective": obj.name, "designs": rows, "complete": exact,
                    "over": ("every design meeting the constraints (pruning keeps every design that could be on it)"
                             if exact else f"the {len(ok):,} designs evaluated exactly and meeting the constraints: "
                                           f"{metric} has no bound, and the designs were too many to evaluate all, "
                                           "so designs pruned by the objective's bound are not on it")})
    return out


def scenario_yaml(result: SearchResult, ev: Evaluated | None = None) -> str | None:
    """The scenario file of the best design (or ``ev``), ready for every other command."""
    ev = ev or result.best
    if ev is None:
        return None
    q = result.question
    d = scenario_dict(q, result.space, result.base, ev.structure, ev.technology,
                      name=f"designed-{q.gpus}-{q.gpu}")
    d["description"] = (f"Found by lightfabric design: {q.gpus:,} x {q.gpu}, objective {q.objective}"
                        + (f", constraints {'; '.join(q.constraints)}" if q.constraints else "")
                        + (f", parts shipping by {q.available_by}" if q.available_by else "") + ".")
    head = ["# lightfabric design: the best design found (lightfabric compare / economics / reliability run it).",
            "# " + design_label(ev)]
    for k in ("tco_usd", "capex_usd", "network_power_mw", "goodput", "bisection"):
        if k in ev.metrics:
            head.append(f"#   {k}: {ev.metrics[k]:,.6g}")
    return "\n".join(head) + "\n" + yaml.safe_dump(d, sort_keys=False, width=110)


def design_report(result: SearchResult) -> dict:
    """Everything the command prints, as plain data (the JSON output)."""
    q = result.question
    best = result.best
    meeting = [e for e in result.evaluated if e.feasible and not e.violated]
    closest = None
    if best is None:
        feasible = [e for e in result.evaluated if e.feasible]
        if feasible:
            # no design meets every constraint: the one that breaks the fewest, then best on the objective
            obj = q.objective_metric
            sign = 1.0 if obj.sense == "min" else -1.0
            cons = q.parsed_constraints()
            closest = min(feasible, key=lambda e: (sum(not c.holds(e.metrics.get(c.metric, float("nan"))) for c in cons),
                                                    sign * e.metrics[obj.name]))
    return {
        "question": q.model_dump(mode="json"),
        "objective": {"metric": q.objective_metric.name, "sense": q.objective_metric.sense},
        "constraints": [c.text() for c in q.parsed_constraints()],
        "fixed": list(result.space.fixed),
        "best": _row(best) if best else None,
        "scenario_yaml": scenario_yaml(result),
        "no_design_meets_the_constraints": best is None,
        "closest": _row(closest, _why_lost(closest, None, q.objective_metric.name)) if closest else None,
        "runner_ups": runner_ups(result),
        "fronts": fronts(result),
        "search": {**result.stats.as_dict(), "designs_meeting_constraints": len(meeting)},
        "rejected_structures": [{"topology": t, "structures": n, "reason": r} for t, n, r in result.rejected],
        "availability": result.availability,
        "notes": list(result.notes),
        "metrics": {k: {"sense": m.sense, "unit": m.unit, "bound": m.bound, "meaning": m.meaning}
                    for k, m in METRICS.items()},
    }


def design_rows(result: SearchResult) -> list[dict]:
    """One row per design evaluated exactly (CSV)."""
    best = result.best
    obj = result.question.objective_metric.name
    rows = []
    for e in result.evaluated:
        r = _row(e, "" if e is best else _why_lost(e, best, obj))
        r["best"] = e is best
        r["technology"] = technology_label(e.technology)
        rows.append(r)
    return rows
