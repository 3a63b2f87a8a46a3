"""The metrics of one partition of a sweep: every point, every design, as columns.

Points that share their structural values (everything but the closed-form economic axes) share a
fabric: it is built once with the single-design pipeline (:func:`lightfabric.economics.evaluate.prepare`
and :func:`~lightfabric.economics.evaluate.evaluate`: plan, designs, physics, bill of materials,
closed-form reliability, maintenance) and cached per process. The economic axes (electricity
price, PUE, years, discount rate, value of a GPU-hour) then enter all of that fabric's points at
once through :func:`~lightfabric.economics.evaluate.cost_totals`, the formula the single-design
pipeline uses too.

A design whose link technology was picked by cost (``auto``) can pick differently at another
energy price: its choice minimises capex + power x (price x PUE x years)
(:func:`lightfabric.design.choice.group_cost_usd`), so such designs are rebuilt for each distinct
product of the three. (A listed technology's column does not choose by cost: where it cannot serve,
the incumbent builds the group.)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from lightfabric.economics.evaluate import cost_totals, evaluate, gpu_hour_usd, prepare
from lightfabric.errors import LightfabricError
from lightfabric.scenario.models import Scenario
from lightfabric.sweep.spec import SweepSpec, chunk, keep, scenario_at

ENERGY_AXES = ("economics.electricity_usd_per_kwh", "economics.pue", "economics.years")
ECONOMIC_AXES = ENERGY_AXES + ("economics.discount_rate", "economics.gpu_hour_usd")

# name -> (unit or meaning, for docs and the report)
METRICS: dict[str, str] = {
    "tiers": "switch tiers of the scale-out tree",
    "switches": "scale-out switches, all planes (an OCS spine's are not counted)",
    "pluggable_modules": "pluggable optical modules and active cables",
    "optical_engines": "co-packaged, near-packaged and chiplet optical engines",
    "lasers": "lasers, in modules and external sources",
    "fiber_m": "metres of fiber",
    "power_w": "IT power of the network, W",
    "power_per_gpu_w": "network power per GPU, W",
    "capex_usd": "capital: bill of materials plus the packaging-yield premium, USD",
    "energy_usd": "energy over the years, USD",
    "maintenance_usd": "spares stock plus repairs over the years, USD",
    "downtime_usd": "GPU time the network takes from the job mix (its marginal cost) over the years, USD",
    "tco_usd": "capex + energy + maintenance + downtime, undiscounted, USD",
    "tco_per_gpu_usd": "tco_usd per GPU, USD",
    "npv_usd": "present value of the costs at the discount rate, USD",
    "failures_per_year": "network unit failures a year",
    "goodput": "GPU-hour-weighted goodput of the job mix, every cause of interruption counted (0-1)",
    "network_share_of_job_time": "share of the jobs' GPU time the network takes at the margin (0-1)",
    "gpus_down_mean": "GPUs idle waiting for network repairs, mean",
    "job_interruptions_per_day": "jobs of the mix interrupted by the network a day",
    "uniform_traffic_efficiency": "uniform traffic between blocks: share of the GPUs' own rate the fabric "
                                  "carries (0-1; lightfabric traffic); NULL for a fabric without blocks or of one block",
    "permutation_traffic_efficiency": "a seeded permutation of blocks (seed 0), as above: where a mesh of circuits "
                                      "falls behind a Clos",
}


def traffic_figures(design) -> tuple[tuple[str, float], ...]:
    """The design's efficiency under uniform traffic and a permutation of blocks (NaN for a fabric
    without blocks or of one block: no traffic between blocks)."""
    from lightfabric.netsim.topo import topo_of
    from lightfabric.netsim.traffic import block_layout, block_traffic
    topo = topo_of(design)
    layout = block_layout(topo)
    if layout is None or layout.blocks < 2:
        return (("uniform_traffic_efficiency", float("nan")), ("permutation_traffic_efficiency", float("nan")))
    return tuple((f"{p}_traffic_efficiency", block_traffic(topo, p, 1e9, layout=layout)["efficiency"])
                 for p in ("uniform", "permutation"))


def _traffic_key(design) -> tuple:
    """What the traffic figures of a design depend on: its fabric (the path model's blocks, GPU
    rates and uplinks come from the fabric and the cluster; the technology changes only latencies)
    and the tiers an OCS took (which the path model is told). Designs of one point share both."""
    return (id(design.fabric), None if design.ocs is None else design.ocs.get("replaced_tier"))


def column_name(axis: str) -> str:
    """The results column of an axis: its path with every character outside ``[A-Za-z0-9_]``
    replaced by ``_`` (``economics.pue`` -> ``economics_pue``), so SQL needs no quotes."""
    return re.sub(r"\W", "_", axis)


@dataclass(frozen=True)
class DesignFigures:
    """What the economic axes do not change, of one design of one fabric."""

    technology: str
    feasible: bool
    reason: str
    gpus: int = 0
    cost_chosen: bool = False
    figures: tuple = ()      # (name, value) of the structural metrics
    capex_usd: float = 0.0
    power_w: float = 0.0
    spares_usd: float = 0.0
    maintenance_usd_per_year: float = 0.0
    downtime_gpu_hours_per_year: float = 0.0
    default_gpu_hour_usd: float | None = None


class FabricCache:
    """Designs of the fabrics seen lately, by their structural values (least recently used out)."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self.builds = 0

    def get(self, key, make):
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = make()
        self.builds += 1
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value


_CACHE = FabricCache()


def _figures(sc: Scenario) -> list[DesignFigures]:
    """Build every design of ``sc`` and keep what the economic axes do not change."""
    prepared = prepare(sc)
    out = []
    traffic: dict[tuple, tuple] = {}     # per fabric: the designs of one point share it
    try:
        hour_usd = gpu_hour_usd(prepared, sc.economics)
    except LightfabricError:
        hour_usd = None
    eco = sc.economics.model_copy(update={"gpu_hour_usd": hour_usd or 0.0})     # one for every design
    for r in prepared.comparison.results:
        if not r.feasible:
            out.append(DesignFigures(r.technology, False, " | ".join(r.reasons)))
            continue
        # detail=False: the figures alone (no packaging record, parts list, value chain, one-job comparison)
        e = evaluate(prepared, r, eco=eco, detail=False)
        figures = (("tiers", r.topology["tiers"]), ("switches", r.topology["switches"]),
                   ("pluggable_modules", r.bom["pluggable_modules"]), ("optical_engines", r.bom["optical_engines"]),
                   ("lasers", r.bom["lasers"]), ("fiber_m", r.bom["fiber_m"]), ("power_w", r.power_w["total"]),
                   ("power_per_gpu_w", r.power_per_gpu_w),
                   ("failures_per_year", e["reliability"]["failures_per_year"]),
                   ("goodput", e["reliability"]["goodput"]),
                   ("network_share_of_job_time", e["reliability"]["network_share_of_job_time"]),
                   ("gpus_down_mean", e["reliability"]["gpus_down_mean"]),
                   ("job_interruptions_per_day", e["reliability"]["job_interruptions_per_day"]),
                   *_cached(traffic, _traffic_key(r.design), lambda: traffic_figures(r.design)))
        out.append(DesignFigures(
            r.technology, True, "", gpus=sc.cluster.gpus,
            cost_chosen=any(g.chosen_by == "auto" for g in r.design.link_groups),
            figures=figures, capex_usd=e["capex_usd"], power_w=r.power_w["total"], spares_usd=e["spares_usd"],
            maintenance_usd_per_year=e["maintenance"]["usd_per_year"],
            downtime_gpu_hours_per_year=e["downtime"]["gpu_hours_per_year"], default_gpu_hour_usd=hour_usd))
    return out


def _cached(store: dict, key, make):
    if key not in store:
        store[key] = make()
    return store[key]


def _codes(col: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes of a column's values (strings and tuples included) and how many there are."""
    if col.dtype == object:
        keys = np.array([repr(v) for v in col])
        _, inv = np.unique(keys, return_inverse=True)
    else:
        _, inv = np.unique(col, return_inverse=True)
    return inv.astype(np.int64), int(inv.max()) + 1 if len(inv) else 0


def _groups(cols: dict[str, np.ndarray], names: list[str], n: int) -> list[np.ndarray]:
    """Indices of the points that share the values of ``names``."""
    if not names:
        return [np.arange(n)]
    code = np.zeros(n, dtype=np.int64)
    for name in names:
        c, k = _codes(cols[name])
        code = code * k + c
    order = np.argsort(code, kind="stable")
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    return np.split(order, cuts)


def evaluate_points(spec: SweepSpec, base: dict, cols: dict[str, np.ndarray], points: np.ndarray,
                    cache: FabricCache | None = None) -> dict[str, np.ndarray]:
    """The rows of the given points (columns of axis values, after constraints): one row per point
    and design, as columns; a point whose scenario cannot be built gets one row with its reason."""
    cache = cache or _CACHE
    n = len(points)
    if n == 0:  # the constraints left no point of this partition
        return empty_columns(spec)
    structural = [a for a in spec.axes if a not in ECONOMIC_AXES]
    eco_base = Scenario.model_validate({**base, "name": "x"}).economics
    eco = {a: (np.asarray(cols[a], dtype=float) if a in cols else
               np.full(n, np.nan if getattr(eco_base, a.split(".")[1]) is None else
                       float(getattr(eco_base, a.split(".")[1]))))
           for a in ECONOMIC_AXES}
    base_key = hashlib.sha256(json.dumps(base, sort_keys=True, default=str).encode()).hexdigest()
    blocks: list[dict] = []
    for idx in _groups(cols, structural, n):
        struct_values = {a: cols[a][idx[0]] for a in structural}
        key = (base_key,) + tuple((a, repr(v)) for a, v in struct_values.items())
        first = {a: cols[a][idx[0]] for a in ENERGY_AXES if a in cols}
        first_key = tuple(float(v) for v in first.values())
        try:
            designs = cache.get((key, "base"), lambda: _figures(scenario_at(base, {**struct_values, **first})))
        except LightfabricError as e:
            blocks.append(_error_block(idx, str(e)))
            continue
        for d in designs:
            if not d.cost_chosen:
                blocks.append(_design_block(d, idx, eco))
                continue
            # a cost-chosen design: rebuilt for each distinct energy factor among these points
            factor = eco[ENERGY_AXES[0]][idx] * eco[ENERGY_AXES[1]][idx] * eco[ENERGY_AXES[2]][idx]
            for sub in _groups({"f": factor}, ["f"], len(idx)):
                at = idx[sub]
                energy = {a: cols[a][at[0]] for a in ENERGY_AXES if a in cols}
                energy_key = tuple(float(v) for v in energy.values())
                # at the energy values of the first build the scenario is that build's: no rebuild
                again = designs if energy_key == first_key else cache.get(
                    (key, energy_key), lambda: _figures(scenario_at(base, {**struct_values, **energy})))
                blocks.append(_design_block(next(x for x in again if x.technology == d.technology), at, eco))
    return _assemble(spec, cols, points, blocks)


def _design_block(d: DesignFigures, idx: np.ndarray, eco: dict[str, np.ndarray]) -> dict:
    m = len(idx)
    block = {"idx": idx, "technology": d.technology, "feasible": np.full(m, d.feasible),
             "reason": np.full(m, d.reason, dtype=object)}
    if not d.feasible:
        return block
    hour = eco["economics.gpu_hour_usd"][idx]
    if d.default_gpu_hour_usd is not None:
        hour = np.where(np.isnan(hour), d.default_gpu_hour_usd, hour)
    missing = np.isnan(hour)
    years = eco["economics.years"][idx]
    t = cost_totals(capex_usd=d.capex_usd, power_w=d.power_w, spares_usd=d.spares_usd,
                    maintenance_usd_per_year=d.maintenance_usd_per_year,
                    downtime_usd_per_year=d.downtime_gpu_hours_per_year * hour,
                    electricity_usd_per_kwh=eco["economics.electricity_usd_per_kwh"][idx],
                    pue=eco["economics.pue"][idx], years=years, discount_rate=eco["economics.discount_rate"][idx])
    metrics = {name: np.full(m, float(v)) for name, v in d.figures}
    metrics.update(capex_usd=np.full(m, d.capex_usd), energy_usd=t["energy_usd"], maintenance_usd=t["maintenance_usd"],
                   downtime_usd=t["downtime_usd"], tco_usd=t["tco_usd"], tco_per_gpu_usd=t["tco_usd"] / d.gpus,
                   npv_usd=t["npv_usd"])
    if missing.any():  # no value of a GPU-hour: the totals that need it are unknown
        block["feasible"] = ~missing
        block["reason"] = np.where(missing, "economics.gpu_hour_usd: no value given and the GPU has no rental "
                                            "price in the catalog", "").astype(object)
        for name in ("downtime_usd", "tco_usd", "tco_per_gpu_usd", "npv_usd"):
            metrics[name] = np.where(missing, np.nan, metrics[name])
    block["metrics"] = metrics
    return block


def _error_block(idx: np.ndarray, reason: str) -> dict:
    return {"idx": idx, "technology": None, "feasible": np.zeros(len(idx), dtype=bool),
            "reason": np.full(len(idx), reason, dtype=object)}


def axis_column(values: np.ndarray) -> np.ndarray:
    """An axis' values as a column the store can hold: numbers stay numbers, anything else (text,
    lists of technologies, a mix such as 2, 3 and 'auto') becomes text."""
    if values.dtype != object:
        return values
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values):
        return values.astype(float)
    return np.array([",".join(v) if isinstance(v, tuple) else str(v) for v in values], dtype=object)


def _assemble(spec: SweepSpec, cols: dict[str, np.ndarray], points: np.ndarray, blocks: list[dict]) -> dict:
    """Concatenate the blocks into columns, ordered by point and then by the design's place."""
    if not blocks:
        return empty_columns(spec)
    idx = np.concatenate([b["idx"] for b in blocks])
    place = np.concatenate([np.full(len(b["idx"]), i) for i, b in enumerate(blocks)])
    order = np.lexsort((place, idx))
    out: dict[str, np.ndarray] = {"point": np.asarray(points)[idx[order]].astype(np.int64)}
    for axis in spec.axes:
        out[column_name(axis)] = axis_column(cols[axis])[idx[order]]
    out["technology"] = np.concatenate([np.full(len(b["idx"]), b["technology"], dtype=object) for b in blocks])[order]
    out["feasible"] = np.concatenate([b["feasible"] for b in blocks])[order]
    out["reason"] = np.concatenate([b["reason"] for b in blocks])[order]
    for name in METRICS:
        out[name] = np.concatenate([b["metrics"][name] if "metrics" in b else np.full(len(b["idx"]), np.nan)
                                    for b in blocks])[order]
    return out


def empty_columns(spec: SweepSpec) -> dict[str, np.ndarray]:
    out = {"point": np.zeros(0, dtype=np.int64)}
    out.update({column_name(a): np.zeros(0, dtype=object) for a in spec.axes})
    out.update(technology=np.zeros(0, dtype=object), feasible=np.zeros(0, dtype=bool),
               reason=np.zeros(0, dtype=object))
    out.update({m: np.zeros(0) for m in METRICS})
    return out


def evaluate_partition(spec: SweepSpec, base: dict, start: int, stop: int,
                       cache: FabricCache | None = None) -> dict[str, np.ndarray]:
    """Points ``start`` to ``stop`` of the sweep, constraints applied, evaluated."""
    cols = chunk(spec, start, stop)
    mask = keep(spec, cols)
    kept = {a: c[mask] for a, c in cols.items()}
    points = np.arange(start, stop, dtype=np.int64)[mask]
    return evaluate_points(spec, base, kept, points, cache)
