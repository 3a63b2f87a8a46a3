"""Bandwidth density per technology (``lightfabric density``): each registered technology's limit
(faceplate, fiber panel or package shoreline; :mod:`lightfabric.physics.density`)."""

from __future__ import annotations

from lightfabric.catalog import Catalog
from lightfabric.physics import density
from lightfabric.technologies.registry import REGISTRY


def density_report(catalog: Catalog) -> dict:
    """Per technology: largest switch, ports per rack unit, shoreline Tb/s per mm, with sources."""
    return {"technologies": {t.id: t.density(catalog) for t in REGISTRY.values()},
            "assumptions": density.assumptions(), "sources": density.SOURCES}
