"""Network power from a bill of materials, by category."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lightfabric.metrics.bom import totals_by_category

if TYPE_CHECKING:  # pragma: no cover
    from lightfabric.design.types import BomLine

POWER_CATEGORIES = ("switch_asics", "switch_systems", "optics", "lasers", "nics")


def power_breakdown_w(bom: "Iterable[BomLine]") -> dict[str, float]:
    """Typical power in W by category, and their ``total``.

    Categories: ``switch_asics`` (switch chips), ``switch_systems`` (the rest of each switch box
    without optics: CPU, fans, board, power-supply losses), ``optics`` (pluggable modules and
    co-packaged engines; a module's lasers are inside it), ``lasers`` (external laser sources of
    co-packaged optics) and ``nics`` (NICs without their modules).
    """
    return totals_by_category(bom, lambda line: line.power_w_each, POWER_CATEGORIES)
