"""The registered topologies, by the name a scenario gives in ``scale_out.topology``.

Every module of this package that defines a :class:`~lightfabric.topology.base.Topology` subclass
with a ``name`` registers it: a new topology is one module (with its docs and tests) and nothing
else names it. ``order`` sets the order users see them in.
"""

from __future__ import annotations

import inspect
import pkgutil
from importlib import import_module

import lightfabric.topology as _package
from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.topology.base import Topology


def _discover() -> dict[str, Topology]:
    found: list[Topology] = []
    for info in pkgutil.iter_modules(_package.__path__):
        module = import_module(f"{_package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Topology) and cls.__module__ == module.__name__ and cls.name:
                found.append(cls())
    found.sort(key=lambda t: (t.order, t.name))
    names = [t.name for t in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"a topology name is registered twice: {names}")
    return {t.name: t for t in found}


TOPOLOGIES: dict[str, Topology] = _discover()
TOPOLOGY_NAMES: tuple[str, ...] = tuple(TOPOLOGIES)


def get_topology(name: str, field: str = "scale_out.topology") -> Topology:
    """The registered topology ``name``; a :class:`LightfabricError` naming the field otherwise."""
    try:
        return TOPOLOGIES[name]
    except KeyError:
        raise LightfabricError.for_field(field, name, ", ".join(TOPOLOGY_NAMES),
                                         problem="unknown topology" + did_you_mean(name, TOPOLOGY_NAMES)) from None
