"""Which assumptions move the TCO most (a tornado), and where two technologies cost the same
(break-even points found with Brent's method and checked by evaluating both sides there).

An input is an economics field of the scenario or a catalog figure (``PART.FIELD``, applied as a
scenario override). Packaging flows and most economics fields leave the designs unchanged, so the
prepared designs are re-used; a part's price, and the electricity price, PUE and years where a
design has a group chosen by ``auto`` (by capex + energy), are applied to the scenario and the
designs rebuilt, as ``sweep`` does.

Reference for the root finder: R. P. Brent, *Algorithms for Minimization without Derivatives*,
Prentice-Hall (1973), ch. 4 (scipy.optimize.brentq).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scipy.optimize import brentq

from lightfabric.catalog import CoPackageFlow, EngineFlow, OpticalEngine
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.economics.evaluate import Prepared, evaluate, gpu_hour_usd, prepare
from lightfabric.errors import LightfabricError

METRICS = ("tco_usd", "npv_usd")
FLOW_KINDS = (EngineFlow, CoPackageFlow)

# published ranges of prices, where a source gives one (docs/economics.md); others get +-30 %
PRICE_RANGES = {
    ("osfp-800g-dr8", "price_usd"): (700.0, 1400.0, "analyst ASPs 700-1,100; vendor volume price 1,100-1,400"),
    ("osfp-800g-lpo-dr8", "price_usd"): (700.0, 900.0, "vendor price guide 700-900"),
    ("els-8", "price_usd"): (1350.0, 2454.0, "analyst 1,350 (2028); +30 % above today's 1,888"),
    ("tomahawk-5", "system_price_usd"): (150000.0, 250000.0, "vendor price guide 150,000-250,000"),
}
DEFAULT_SPAN = 0.30
WEAK_SPAN = 0.50


def price_is_weak(part, field: str) -> bool:
    """A price whose only sources are low-confidence (one weak source or an estimate from a proxy)."""
    sources = part.sources_for(field)
    return bool(sources) and all(src.confidence == "low" for src in sources)


def price_range(part, field: str, base: float) -> tuple[float, float, str]:
    """The range a price is varied over: a published range where there is one; +-50 % where its
    sources are low-confidence; +-30 % otherwise."""
    if (part.id, field) in PRICE_RANGES:
        return PRICE_RANGES[(part.id, field)]
    if price_is_weak(part, field):
        return base * (1 - WEAK_SPAN), base * (1 + WEAK_SPAN), "+-50 % (low-confidence source)"
    return base * (1 - DEFAULT_SPAN), base * (1 + DEFAULT_SPAN), "+-30 % (no published range)"


@dataclass(frozen=True)
class Input:
    """One assumption: where it lives, its value in the scenario and the range it is varied over."""

    key: str              # economics.<field> or PART.FIELD
    label: str
    base: float
    low: float
    high: float
    range_note: str

    @property
    def is_economics(self) -> bool:
        return self.key.startswith("economics.")


def _override_kind(prepared: Prepared, key: str) -> str:
    part_id = key.rsplit(".", 1)[0]
    part = prepared.comparison.plan.catalog.get(part_id)
    return "flow" if isinstance(part, FLOW_KINDS) else "part"


def evaluate_at(prepared: Prepared, changes: dict[str, float], metric: str = "tco_usd") -> dict[str, float]:
    """``metric`` of every feasible design with ``changes`` applied (``{key: value}``)."""
    sc = prepared.scenario
    eco_changes = {k.split(".", 1)[1]: v for k, v in changes.items() if k.startswith("economics.")}
    overrides = {k: v for k, v in changes.items() if not k.startswith("economics.")}
    part_overrides = {k: v for k, v in overrides.items() if _override_kind(prepared, k) == "part"}
    eco = sc.economics.model_copy(update=eco_changes) if eco_changes else sc.economics
    if part_overrides or (set(eco_changes) & CHOICE_INPUTS and _chosen_by_cost(prepared)):
        # the designs change: a part's figure, or an input of the capex + energy that auto chooses by
        scenario = sc.model_copy(update={"overrides": {**sc.overrides, **part_overrides}, "economics": eco})
        prepared = prepare(scenario, prepared.reference, prepared.job_gpus)
    flow_overrides = {k: v for k, v in overrides.items() if k not in part_overrides}
    catalog = prepared.comparison.plan.catalog.with_overrides(flow_overrides) if flow_overrides else None
    out = {}
    for r in prepared.comparison.results:
        if r.feasible:
            out[r.technology] = evaluate(prepared, r, eco=eco, catalog=catalog)[metric]
    return out


# the economic inputs of the capex + energy ``auto`` chooses a group's technology by
CHOICE_INPUTS = frozenset({"electricity_usd_per_kwh", "pue", "years"})


def _chosen_by_cost(prepared: Prepared) -> bool:
    """Some group of some design was chosen by ``auto`` (lowest capex + energy)."""
    return any(g.chosen_by == "auto" for r in prepared.comparison.results if r.feasible for g in r.design.link_groups)


def inputs(prepared: Prepared, metric: str = "tco_usd") -> list[Input]:
    """The assumptions worth varying for this scenario's designs, with their ranges."""
    eco = prepared.scenario.economics
    cat = prepared.comparison.plan.catalog
    out = [
        Input("economics.electricity_usd_per_kwh", "electricity price (USD/kWh)", eco.electricity_usd_per_kwh,
              eco.electricity_usd_per_kwh / 2, eco.electricity_usd_per_kwh * 2, "x0.5 to x2"),
        Input("economics.pue", "PUE", eco.pue, max(1.0, eco.pue - 0.2), eco.pue + 0.3, "-0.2 to +0.3"),
        Input("economics.years", "years", eco.years, max(1.0, eco.years - 2), eco.years + 2, "-2 to +2 years"),
        Input("economics.gpu_hour_usd", "value of a GPU-hour (USD)", gpu_hour_usd(prepared, eco),
              gpu_hour_usd(prepared, eco) / 2, gpu_hour_usd(prepared, eco) * 2, "x0.5 to x2"),
        Input("economics.labour_usd_per_h", "technician labour (USD/h)", eco.labour_usd_per_h,
              eco.labour_usd_per_h / 2, eco.labour_usd_per_h * 2, "x0.5 to x2"),
        Input("economics.replaced_part_cost_fraction", "share of a replaced unit paid", eco.replaced_part_cost_fraction,
              0.3, 1.0, "0.3 (warranty, vendor repair) to 1"),
    ]
    if metric == "npv_usd":
        out.append(Input("economics.discount_rate", "discount rate", eco.discount_rate, 0.04, 0.12, "4 % to 12 %"))
    # prices of the parts that carry the most capital in any design, and every price of a used part
    # whose source is weak (low confidence): those are varied wider, by default
    seen: set[str] = set()
    for r in prepared.comparison.results:
        if not r.feasible:
            continue
        ranked = sorted(r.design.bom, key=lambda x: -x.count * sum(x.cost_usd_each.values()))
        for rank, line in enumerate(ranked):
            part = cat.get(line.part_id)
            field = "system_price_usd" if part.kind == "switch" else "price_usd"
            key = f"{part.id}.{field}"
            if key in seen or not hasattr(part, field) or not line.count:
                continue
            weak = price_is_weak(part, field)
            if rank >= 6 and not weak:
                continue
            seen.add(key)
            base = float(getattr(part, field))
            out.append(Input(key, f"price of {part.id} (USD)", base, *price_range(part, field, base)))
    # packaging yields, where a design has co-packaged engines
    feasible = [r.technology for r in prepared.comparison.results if r.feasible]
    if "flow-cpo-switch" in cat and _used_by(prepared, "flow-cpo-switch", feasible):
        y = cat.get("flow-cpo-switch").engine_attach_yield
        out.append(Input("flow-cpo-switch.engine_attach_yield", "CPO engine attach yield", y, min(0.95, y), max(0.999, y),
                         "95 % (early ramp) to 99.9 %"))
    if "flow-optical-engine" in cat and _used_by(prepared, "flow-optical-engine", feasible):
        fy = cat.get("flow-optical-engine").fiber_attach_yield
        out.append(Input("flow-optical-engine.fiber_attach_yield", "engine fiber attach yield", fy, min(0.90, fy), max(0.995, fy),
                         "90 % to 99.5 %"))
    return out


def tornado(prepared: Prepared, metric: str = "tco_usd", versus: tuple[str, str] | None = None,
            progress: Callable[[int, int], None] | None = None) -> dict:
    """Each input at its low and high value, the others at the scenario's: the metric of every
    design, and (with ``versus = (a, b)``) the difference a - b. Rows sorted by swing."""
    if metric not in METRICS:
        raise LightfabricError.for_field("--metric", metric, ", ".join(METRICS))
    base = evaluate_at(prepared, {}, metric)
    if not base:
        raise LightfabricError.for_field("technologies", ", ".join(r.technology for r in prepared.comparison.results),
                                         "a scenario with at least one feasible design",
                                         problem="no design is feasible: there is nothing to vary")
    _check_versus(base, versus)
    rows = []
    ins = inputs(prepared, metric)
    for i, inp in enumerate(ins):
        lo = evaluate_at(prepared, {inp.key: inp.low}, metric)
        hi = evaluate_at(prepared, {inp.key: inp.high}, metric)
        row = {"input": inp.key, "label": inp.label, "base": inp.base, "low": inp.low, "high": inp.high,
               "range": inp.range_note, "at_low": lo, "at_high": hi,
               "swing": {t: abs(hi[t] - lo[t]) for t in base}}
        if versus:
            a, b = versus
            row["difference_at_low"] = lo[a] - lo[b]
            row["difference_at_high"] = hi[a] - hi[b]
            row["difference_swing"] = abs(row["difference_at_high"] - row["difference_at_low"])
        rows.append(row)
        if progress:
            progress(i + 1, len(ins))
    key = (lambda r: -r["difference_swing"]) if versus else (lambda r: -max(r["swing"].values()))
    rows.sort(key=key)
    return {"metric": metric, "base": base, "versus": list(versus) if versus else None,
            "base_difference": base[versus[0]] - base[versus[1]] if versus else None, "rows": rows}


def _check_versus(base: dict[str, float], versus):
    if versus is None:
        return
    for t in versus:
        if t not in base:
            raise LightfabricError.for_field("--versus", ",".join(versus),
                                             f"two feasible designs of the scenario: {', '.join(base)}",
                                             problem=f"{t} is not a feasible design here")


BREAK_EVEN_VARIABLES = (
    ("flow-cpo-switch.engine_attach_yield", "CPO engine attach yield", 0.30, 1.0),
    ("els-8.price_usd", "external laser source price (USD)", 1.0, 20000.0),
    ("economics.electricity_usd_per_kwh", "electricity price (USD/kWh)", 0.0, 2.0),
)


def break_even(prepared: Prepared, versus: tuple[str, str], metric: str = "tco_usd",
               variables=BREAK_EVEN_VARIABLES, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """For each variable, the value in its range where ``versus[0]`` and ``versus[1]`` cost the same,
    with both metrics evaluated there; or why there is none in the range."""
    base = evaluate_at(prepared, {}, metric)
    _check_versus(base, versus)
    a, b = versus
    cat = prepared.comparison.plan.catalog
    out = []
    for i, (key, label, lo, hi) in enumerate(variables):
        if not key.startswith("economics.") and key.rsplit(".", 1)[0] not in cat:
            continue
        if not (key.startswith("economics.") or _used_by(prepared, key.rsplit(".", 1)[0], versus)):
            continue
        current = _current(prepared, key)
        diff = lambda x: (lambda m: m[a] - m[b])(evaluate_at(prepared, {key: x}, metric))  # noqa: E731
        d_lo, d_hi = diff(lo), diff(hi)
        row = {"variable": key, "label": label, "current": current, "range": [lo, hi],
               "difference_at_range": [d_lo, d_hi]}
        if d_lo == 0 or d_hi == 0 or (d_lo < 0) != (d_hi < 0):
            x = brentq(diff, lo, hi, xtol=1e-6 * max(1.0, abs(hi)), rtol=1e-10)
            at = evaluate_at(prepared, {key: x}, metric)
            row.update({"break_even": x, "at_break_even": {a: at[a], b: at[b]}})
        else:
            cheaper = a if d_lo < 0 else b
            row.update({"break_even": None,
                        "note": f"no break-even in [{lo:g}, {hi:g}]: {cheaper} costs less throughout"})
        out.append(row)
        if progress:
            progress(i + 1, len(variables))
    return out


def _used_by(prepared: Prepared, part_id: str, designs) -> bool:
    """Whether a part, or a packaging flow through the engines it applies to, is in the designs."""
    cat = prepared.comparison.plan.catalog
    target = cat.get(part_id)
    for r in prepared.comparison.results:
        if not (r.feasible and r.technology in designs):
            continue
        for line in r.design.bom:
            if line.part_id == part_id:
                return True
            part = cat.get(line.part_id)
            if isinstance(target, FLOW_KINDS) and isinstance(part, OpticalEngine):
                index = index_by_target(cat.of_kind(type(target)))
                if most_specific(index, part) is target:
                    return True
    return False


def _current(prepared: Prepared, key: str) -> float:
    if key.startswith("economics."):
        field = key.split(".", 1)[1]
        v = getattr(prepared.scenario.economics, field)
        return gpu_hour_usd(prepared, prepared.scenario.economics) if v is None and field == "gpu_hour_usd" else v
    part_id, field = key.rsplit(".", 1)
    return float(getattr(prepared.comparison.plan.catalog.get(part_id), field))


def default_versus(prepared: Prepared) -> tuple[str, str] | None:
    """cpo against the first design (the baseline), or the second design against the first."""
    feasible = [r.technology for r in prepared.comparison.results if r.feasible]
    if len(feasible) < 2:
        return None
    b = feasible[0]
    a = "cpo" if "cpo" in feasible and b != "cpo" else feasible[1]
    return a, b


def sensitivity_report(scenario, catalog=None, *, metric: str = "tco_usd", versus: tuple[str, str] | None = None,
                job_gpus: int | None = None, progress: Callable[[str, int, int], None] | None = None) -> dict:
    """The tornado of ``metric`` and, for two designs (default: cpo against the baseline), the
    break-even points of :data:`BREAK_EVEN_VARIABLES`."""
    if metric not in METRICS:
        raise LightfabricError.for_field("--metric", metric, ", ".join(METRICS))
    prepared = prepare(scenario, catalog, job_gpus)
    versus = versus or default_versus(prepared)
    tor = tornado(prepared, metric, versus, progress=None if progress is None else
                  (lambda d, t: progress("tornado", d, t)))
    be = break_even(prepared, versus, metric, progress=None if progress is None else
                    (lambda d, t: progress("break-even", d, t))) if versus else []
    return {"scenario": scenario.name, "gpus": scenario.cluster.gpus, "tornado": tor, "break_even": be,
            "infeasible": [{"technology": r.technology, "reasons": r.reasons}
                           for r in prepared.comparison.results if not r.feasible]}
