"""The registered technologies: every list of technologies in lightfabric is derived from here.

Every module of this package that defines ``REGISTERED`` (a tuple of
:class:`~lightfabric.technologies.base.Technology` instances) registers them; ``order`` sets the
order users see them in. A new technology is one module (or one entry) with its data, docs and
tests: the scenario schema, the link command, the web page, the plots and ``auto`` pick it up.

Besides link technologies a scenario may list *spine designs*: ``ocs`` builds a design whose top
switch tier is an optical circuit switch, with the links chosen by ``auto``.
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from importlib import import_module

import lightfabric.technologies as _package
from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.technologies.base import Technology


def _discover() -> dict[str, Technology]:
    found: list[Technology] = []
    for info in pkgutil.iter_modules(_package.__path__):
        module = import_module(f"{_package.__name__}.{info.name}")
        found += list(getattr(module, "REGISTERED", ()))
    found.sort(key=lambda t: (t.order, t.id))
    ids = [t.id for t in found]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"a technology id is registered twice: {ids}")
    return {t.id: t for t in found}


REGISTRY: dict[str, Technology] = _discover()
LINK_TECHNOLOGIES: tuple[str, ...] = tuple(REGISTRY)
OPTICAL_TECHNOLOGIES: tuple[str, ...] = tuple(t.id for t in REGISTRY.values() if t.optical)
ENGINE_TECHNOLOGIES: tuple[str, ...] = tuple(t.id for t in REGISTRY.values() if t.engine_based)


@dataclass(frozen=True)
class SpineDesign:
    """A design named by its spine switch rather than a link technology."""

    id: str
    label: str
    colour: str


SPINE_DESIGNS: dict[str, SpineDesign] = {
    "ocs": SpineDesign("ocs", "OCS spine (links: lowest-cost (capex + energy) feasible)", "#000000"),
}
DESIGN_CHOICES: tuple[str, ...] = LINK_TECHNOLOGIES + tuple(SPINE_DESIGNS)
DEFAULT_DESIGNS: tuple[str, ...] = ("pluggable-dsp", "lpo", "cpo")
# What optical links are built with today: where a listed technology cannot serve a group, the
# column falls back to it (docs/architecture.md, "what a column means")
OPTICAL_INCUMBENT = "pluggable-dsp"
# The scale-up domain's technology when the scenario's policy leaves it to auto
SCALE_UP_INCUMBENT = "copper"


def get_technology(tech_id: str, field: str = "technology") -> Technology:
    """The registered technology ``tech_id``; a :class:`LightfabricError` naming ``field`` otherwise."""
    try:
        return REGISTRY[tech_id]
    except KeyError:
        raise LightfabricError.for_field(field, tech_id, ", ".join(LINK_TECHNOLOGIES),
                                         problem="unknown technology" + did_you_mean(tech_id, LINK_TECHNOLOGIES)) from None


def label(design_id: str) -> str:
    """How reports name a technology or spine design."""
    if design_id in REGISTRY:
        return REGISTRY[design_id].label
    return SPINE_DESIGNS[design_id].label if design_id in SPINE_DESIGNS else design_id


def colour(design_id: str) -> str:
    """The colour of a technology or spine design in every figure (grey for anything else)."""
    if design_id in REGISTRY:
        return REGISTRY[design_id].colour
    return SPINE_DESIGNS[design_id].colour if design_id in SPINE_DESIGNS else "#666666"


def describe() -> list[dict]:
    """Every design choice with what a user or the web page needs to show it."""
    rows = [{"id": t.id, "label": t.label, "colour": t.colour, "optical": t.optical, "engine_based": t.engine_based,
             "kind": "link technology"} for t in REGISTRY.values()]
    rows += [{"id": s.id, "label": s.label, "colour": s.colour, "optical": True, "engine_based": False,
              "kind": "spine design"} for s in SPINE_DESIGNS.values()]
    return rows
