"""Counts of the bill of materials by what they are (switches, modules, engines, lasers, fibers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from lightfabric.catalog import Catalog, FiberCable
from lightfabric.catalog.defaults import shuffle_ports

if TYPE_CHECKING:  # pragma: no cover
    from lightfabric.design.types import BomLine


def bom_counts(bom: "Iterable[BomLine]", catalog: Catalog) -> dict[str, float]:
    """Totals by kind of part, and the laser diodes inside modules and laser sources."""
    out = {"switches": 0, "pluggable_modules": 0, "optical_engines": 0, "external_laser_modules": 0,
           "lasers": 0, "fibers": 0, "fiber_strands": 0, "fiber_m": 0.0, "mpo_connectors": 0, "nics": 0,
           "copper_cables": 0, "ocs": 0, "fiber_array_units": 0, "pm_fiber_jumpers": 0, "fiber_shuffles": 0,
           "scale_up_switch_chips": 0}
    for line in bom:
        part = catalog.get(line.part_id)
        n = line.count
        if part.kind == "switch" and line.role == "scale-up switch chips":
            out["scale_up_switch_chips"] += n
        elif part.kind == "switch":
            out["switches"] += n
        elif part.kind == "nic":
            out["nics"] += n
        elif part.kind == "module":
            out["pluggable_modules"] += n
            out["lasers"] += n * part.lasers
        elif part.kind == "optical-engine":
            out["optical_engines"] += n
        elif part.kind == "laser-source":
            out["external_laser_modules"] += n
            out["lasers"] += n * part.lasers
        elif part.kind == "fiber":
            out["fibers"] += n
            out["fiber_strands"] += n * part.fibers
            out["mpo_connectors"] += 2 * n
        elif part.kind == "copper-cable":
            out["copper_cables"] += n
        elif part.kind == "ocs":
            out["ocs"] += n
        elif part.kind == "fiber-part":
            key = {"fiber-array-unit": "fiber_array_units", "pm-fiber-jumper": "pm_fiber_jumpers",
                   "fiber-shuffle": "fiber_shuffles"}.get(part.role)
            if key:
                out[key] += n
            if part.role == "fiber-shuffle":
                out["mpo_connectors"] += 2 * shuffle_ports(catalog, part) * n
    return {k: int(v) if float(v).is_integer() else round(v, 1) for k, v in out.items()}


def fiber_metres(groups) -> float:
    """Metres of fiber cable in the link groups (mean length x cables)."""
    return float(sum(g.lengths.mean_m * g.cables for g in groups if isinstance(g.medium, FiberCable)))


def totals_by_category(bom: "Iterable[BomLine]", per_unit: "Callable[[BomLine], dict[str, float]]",
                       categories: tuple[str, ...]) -> dict[str, float]:
    """Sum ``count x per-unit figure`` over the lines, by category, with a ``total``."""
    out = {c: 0.0 for c in categories}
    for line in bom:
        for category, value in per_unit(line).items():
            out[category] += line.count * value
    out["total"] = sum(out[c] for c in categories)
    return out
