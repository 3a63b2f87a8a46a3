"""The comparison pipeline: scenario -> fabric plan -> one design per technology -> metrics.

``compare(scenario)`` is the library's main entry point; the CLI is a thin face over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lightfabric.catalog import Catalog
from lightfabric.design import Design, FabricPlan, build_design, group_specs, plan_fabric, try_technology
from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.metrics import bom_counts, capex_breakdown_usd, energy_cost_usd, power_breakdown_w
from lightfabric.metrics.bom import fiber_metres
from lightfabric.scenario.loader import check_parts
from lightfabric.scenario.models import Scenario
from lightfabric.technologies import registry


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


@dataclass
class TechnologyResult:
    """One technology's design and metrics. Metrics are None when the design is infeasible."""

    technology: str
    label: str
    feasible: bool
    reasons: list[str]
    notes: list[str]
    topology: dict
    design: Design
    gpus: int
    switch_port: dict | None = None
    bom: dict | None = None
    power_w: dict | None = None
    capex_usd_by_category: dict | None = None
    capex_usd: float | None = None
    energy_usd: float | None = None
    capex_energy_usd: float | None = None

    @property
    def power_per_gpu_w(self) -> float | None:
        return None if self.power_w is None else self.power_w["total"] / self.gpus

    def to_dict(self) -> dict:
        d = {
            "technology": self.technology,
            "label": self.label,
            "feasible": self.feasible,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "topology": self.topology,
            "switch_port": self.switch_port,
            "policy": self.design.policy,
            "link_groups": [
                {"name": g.name, "technology": g.technology, "chosen_by": g.chosen_by, "links": g.links,
                 "rate_gbps": g.rate_gbps, "length_m": round(g.length_m, 2), "lengths": g.lengths.as_dict(),
                 "lower_end": g.lower_end.part_id, "upper_end": g.upper_end.part_id if g.upper_end else None,
                 "upper_end_optics": g.upper_end_count, "medium": g.medium.id, "cables": g.cables}
                for g in self.design.link_groups],
            "ocs": self.design.ocs,
            "link_checks": list(self.design.link_checks),
            "bom": self.bom,
            "bom_lines": [
                {"part": line.part_id, "role": line.role, "count": _r(line.count),
                 "power_w_each": {k: _r(v) for k, v in line.power_w_each.items()},
                 "cost_usd_each": {k: _r(v, 2) for k, v in line.cost_usd_each.items()}}
                for line in self.design.bom],
            "power_w": None if self.power_w is None else {k: _r(v) for k, v in self.power_w.items()},
            "power_per_gpu_w": None if self.power_per_gpu_w is None else _r(self.power_per_gpu_w),
            "capex_usd_by_category": None if self.capex_usd_by_category is None else
            {k: _r(v, 2) for k, v in self.capex_usd_by_category.items()},
            "capex_usd": None if self.capex_usd is None else _r(self.capex_usd, 2),
            "energy_usd": None if self.energy_usd is None else _r(self.energy_usd, 2),
            "capex_energy_usd": None if self.capex_energy_usd is None else _r(self.capex_energy_usd, 2),
        }
        return d

    def to_row(self) -> dict:
        """A flat record (one level of keys) for CSV and data frames."""
        row: dict[str, object] = {"technology": self.technology, "feasible": self.feasible,
                                  "reasons": " | ".join(self.reasons)}
        for g in self.design.link_groups if self.design is not None else ():
            row[f"technology_{g.name}"] = g.technology + (" (incumbent)" if g.chosen_by == "incumbent" else "")
        for k, v in self.topology.items():
            if not isinstance(v, list):
                row[f"topology.{k}"] = v
        for section in ("switch_port", "bom"):
            for k, v in (getattr(self, section) or {}).items():
                if not isinstance(v, (list, dict)):
                    row[f"{section}.{k}"] = v
        for k, v in (self.power_w or {}).items():
            row[f"power_w.{k}"] = _r(v)
        row["power_per_gpu_w"] = None if self.power_per_gpu_w is None else _r(self.power_per_gpu_w)
        for k, v in (self.capex_usd_by_category or {}).items():
            if k != "total":
                row[f"capex_usd.{k}"] = _r(v, 2)
        row["capex_usd"] = None if self.capex_usd is None else _r(self.capex_usd, 2)
        row["energy_usd"] = None if self.energy_usd is None else _r(self.energy_usd, 2)
        row["capex_energy_usd"] = None if self.capex_energy_usd is None else _r(self.capex_energy_usd, 2)
        return row


@dataclass
class Comparison:
    """The results of one scenario, one per technology, with the assumptions behind them.

    ``assumptions`` (every catalog figure of every part the designs use, with its sources) is
    built on first access and kept: the sweep and the optimizer never read it."""

    scenario: Scenario
    plan: FabricPlan
    results: list[TechnologyResult]
    _assumptions: list[dict] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def assumptions(self) -> list[dict]:
        if self._assumptions is None:
            self._assumptions = _assumptions(self.plan, self.results)
        return self._assumptions

    @assumptions.setter
    def assumptions(self, rows: list[dict]) -> None:
        self._assumptions = rows

    def result(self, technology: str) -> TechnologyResult:
        for r in self.results:
            if r.technology == technology:
                return r
        raise KeyError(technology)

    def to_dict(self) -> dict:
        p = self.plan
        return {
            "scenario": self.scenario.name,
            "inputs": {
                "headline": p.headline(),
                "gpus": self.scenario.cluster.gpus, "gpu": p.gpu.id, "switch": p.switch.id if p.switch else None,
                "nic": p.nic.id if p.nic else None,
                "port_rate_gbps": p.port.rate_gbps, "port_lane_rate_gbps": p.port.lane_rate_gbps,
                "radix": p.port.count if p.switch else None,
                "nic_link_rate_gbps": p.attachment.nic_link_rate_gbps if p.attachment else None,
                "nic_links": p.attachment.nic_links if p.attachment else None,
                "nic_links_per_leaf_port": p.attachment.breakout if p.attachment else None,
                "oversubscription": self.scenario.scale_out.oversubscription,
                "link_lengths": {k: v.as_dict() for k, v in p.lengths.items()},
                "planes": p.planes, "topology": self.scenario.scale_out.topology,
                "topology_notes": list(p.fabric.notes),
                "defaults_from_catalog": list(p.defaults),
                "gpus_per_server": p.scenario.cluster.gpus_per_server,
                "scale_up": None if p.scenario.scale_up is None else p.scenario.scale_up.model_dump(),
                "user_catalog_files": sorted(set(p.catalog.user.values())),
                "parts": self.scenario.parts.model_dump(),
                "economics": self.scenario.economics.model_dump(),
            },
            "results": [r.to_dict() for r in self.results],
            "reach_table": self.reach_table(),
            "assumptions": self.assumptions,
        }

    def reach_table(self) -> list[dict]:
        """For every link group (electrical spine, unless the fabric's core is circuit-switched in every
        design) and technology: the longest link, whether the technology reaches it and why not."""
        rows = []
        circuit_core = bool(self.plan.fabric.summary.get("circuit_switched_core"))
        for spec in group_specs(self.plan, ocs_spine=circuit_core):
            for tech in registry.LINK_TECHNOLOGIES:
                _, check, reason = try_technology(self.plan, spec, tech)
                rows.append({"group": spec.name, "technology": tech, "length_m": round(spec.length_m, 2),
                             "mean_length_m": round(spec.lengths.mean_m, 2), "feasible": reason is None,
                             "margin_db": None if check is None else check.get("margin_db"),
                             "reason": reason})
        return rows

    def to_rows(self) -> list[dict]:
        """One flat record per technology (``pandas.DataFrame(comparison.to_rows())``)."""
        return [r.to_row() for r in self.results]

    def to_frame(self):
        """The results as a pandas DataFrame, one row per technology (needs pandas installed)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame() needs pandas: pip install pandas, or use to_rows()") from e
        return pd.DataFrame(self.to_rows()).set_index("technology")


def _label(plan: FabricPlan, design_id: str) -> str:
    if design_id == "policy":
        return "Per-tier policy: " + plan.scenario.technology.label()
    return registry.label(design_id)


def _topology(plan: FabricPlan, design: Design) -> dict:
    """The topology's counts for the design (all planes): an OCS spine's tier has no switches and its
    uplinks use one switch port each; with the scale-up domains if any."""
    fabric = plan.fabric
    t = {k: list(v) if isinstance(v, list) else v for k, v in fabric.summary.items()}
    if design.ocs and t.get("switches_per_tier"):
        per_tier, links = t["switches_per_tier"], t["links_per_tier"]
        per_tier[-1] = 0
        t["switches"] = sum(per_tier)
        t["ports_total"] = t["switches"] * t["radix"]
        t["ports_used"] = links[0] + 2 * sum(links[1:-1]) + links[-1]
        t["ports_spare"] = t["ports_total"] - t["ports_used"]
    t["switch_tier_names"] = [tier.name for tier in fabric.switch_tiers]
    if plan.scale_up is not None:
        su = plan.scale_up.as_dict()
        gpu_links = next((g for g in design.link_groups if g.spec.scale_up and g.spec.lower.kind == "gpu"), None)
        if gpu_links is not None and getattr(gpu_links.medium, "pairs", None):
            su["twinax_pairs"] = gpu_links.medium.pairs * gpu_links.cables
        t["scale_up"] = su
    return t


def _evaluate(plan: FabricPlan, design_id: str) -> TechnologyResult:
    design = build_design(plan, design_id)
    result = TechnologyResult(technology=design_id, label=_label(plan, design_id), feasible=design.feasible,
                              reasons=design.reasons, notes=design.notes, topology=_topology(plan, design),
                              design=design, gpus=plan.scenario.cluster.gpus)
    if not design.feasible:
        return result
    sp = design.switch_port
    result.switch_port = {"part": sp.part_id, "kind": sp.kind, "rate_gbps": sp.rate_gbps,
                          "power_w": _r(sp.power_w), "laser_power_w": _r(sp.laser_power_w),
                          "lasers": _r(sp.lasers), "cost_usd": _r(sp.cost_usd, 2), "reach_m": sp.reach_m}
    result.bom = bom_counts(design.bom, plan.catalog)
    result.bom["fiber_m"] = round(fiber_metres(design.link_groups), 1)
    result.power_w = power_breakdown_w(design.bom)
    result.capex_usd_by_category = capex_breakdown_usd(design.bom)
    result.capex_usd = result.capex_usd_by_category["total"]
    eco = plan.scenario.economics
    result.energy_usd = float(energy_cost_usd(result.power_w["total"], eco.electricity_usd_per_kwh, eco.pue, eco.years))
    result.capex_energy_usd = result.capex_usd + result.energy_usd
    return result


def _assumptions(plan: FabricPlan, results: list[TechnologyResult]) -> list[dict]:
    """Every catalog figure of every part the designs use, with its sources."""
    used: list[str] = []
    for r in results:
        for line in r.design.bom:
            if line.part_id not in used:
                used.append(line.part_id)
    rows = []
    for part_id in used:
        part = plan.catalog.get(part_id)
        for fname, value in part.figures().items():
            if fname in ("port_configs",):
                value = [pc.label() for pc in value]
            elif isinstance(value, tuple):
                value = list(value)
            for s in part.sources_for(fname) or [None]:
                rows.append({
                    "part": part_id, "user_file": plan.catalog.user.get(part_id), "field": fname, "value": value,
                    "source": s.title if s else "model default",
                    "kind": s.kind if s else "default",
                    "date": s.date if s else None,
                    "where": (s.url or s.document) if s else None,
                    "derivation": s.derivation if s else None,
                    "confidence": s.confidence if s else None,
                })
    return rows


def compare(scenario: Scenario, catalog: Catalog | None = None) -> Comparison:
    """Build the scenario's fabric with each of its technologies and compute their metrics.

    Parameters
    ----------
    scenario : Scenario
        From :func:`lightfabric.load_scenario`.
    catalog : Catalog, optional
        The parts; the built-in catalog by default. The scenario's overrides are applied to it.

    Returns
    -------
    Comparison
        One :class:`TechnologyResult` per technology, in the scenario's order; infeasible ones
        carry ``feasible = False`` and their reasons.

    Raises
    ------
    lightfabric.errors.LightfabricError
        For input no technology can use: unknown parts, a port rate the switch lacks, a cluster
        too large for the switch and tiers.
    """
    catalog = check_parts(scenario, catalog or Catalog.default())
    plan = plan_fabric(scenario, catalog)
    results = _name_repeats([_evaluate(plan, t) for t in scenario.designs])
    return Comparison(scenario=scenario, plan=plan, results=results)


def _design_signature(design: Design) -> tuple:
    """What makes two designs the same: every link group's parts and counts, the bill of materials
    and the OCS spine (not the technology's name: an LPO group whose two ends keep DSP modules, on
    hosts not qualified for linear drive, is a DSP group)."""
    groups = tuple((g.name, g.lower_end.part_id, g.upper_end.part_id if g.upper_end else None,
                    g.medium.id, g.links, g.cables) for g in design.link_groups)
    bom = tuple((line.part_id, line.role, line.count, line.tier) for line in design.bom)
    return groups, bom, None if design.ocs is None else tuple(sorted(map(str, design.ocs.items())))


def _name_repeats(results: list[TechnologyResult]) -> list[TechnologyResult]:
    """A feasible column whose design is the same as an earlier column's (often: every group its
    technology cannot serve built by the incumbent, which the other column chose) says so in its
    notes: its figures are that column's, not a second finding."""
    seen: dict[tuple, str] = {}
    for r in results:
        if not r.feasible:
            continue
        key = _design_signature(r.design)
        if key in seen:
            fallen = [g.name for g in r.design.link_groups if g.chosen_by == "incumbent"]
            why = f" (its own technology cannot serve {', '.join(fallen)}: the incumbent builds them)" if fallen else ""
            r.notes = [*r.notes, f"the same design as the {seen[key]} column: the same parts and counts in every "
                                 f"link group{why}, so the same figures"]
        else:
            seen[key] = r.technology
    return results


def design_of(scenario: Scenario, technology: str, catalog: Catalog | None = None):
    """The comparison holding the feasible design ``technology`` (one of the scenario's designs, the
    per-tier ``policy`` included, or any registered technology, built with the scenario's other
    inputs), and that design; for the exports. A :class:`LightfabricError` naming ``--technology``
    for an unknown or infeasible design."""
    designs = list(scenario.designs)
    allowed = sorted(set(designs) | set(registry.DESIGN_CHOICES), key=lambda x: (x not in designs, x))
    if technology in designs:
        comparison = compare(scenario, catalog)
    elif technology in registry.DESIGN_CHOICES:
        comparison = compare(scenario.with_changes(technologies=[technology]), catalog)
    else:
        raise LightfabricError.for_field("--technology", technology, ", ".join(allowed),
                                         problem="unknown design" + did_you_mean(technology, allowed))
    result = comparison.result(technology)
    if not result.feasible:
        feasible = [r.technology for r in comparison.results if r.feasible]
        raise LightfabricError.for_field(
            "--technology", technology, "a design feasible on this scenario" + (f": {', '.join(feasible)}" if feasible
                                                                               else " (none is)"),
            problem="infeasible: " + "; ".join(result.reasons))
    return comparison, result.design
