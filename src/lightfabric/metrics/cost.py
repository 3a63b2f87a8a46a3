"""Capital cost by category, and the cost of energy over the years."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from lightfabric.metrics.bom import totals_by_category

if TYPE_CHECKING:  # pragma: no cover
    from lightfabric.design.types import BomLine

CAPEX_CATEGORIES = ("switches", "optics", "lasers", "nics", "fiber", "cables")
HOURS_PER_YEAR = 8760.0


def capex_breakdown_usd(bom: "Iterable[BomLine]") -> dict[str, float]:
    """Capital cost in USD by category (switch systems, optics, external lasers, NICs, fiber) and ``total``."""
    return totals_by_category(bom, lambda line: line.cost_usd_each, CAPEX_CATEGORIES)


def energy_kwh(power_w, pue, years):
    """Facility energy in kWh drawn by IT equipment of ``power_w`` over ``years``.

    ``E = P * PUE * 8760 h/yr * years / 1000``, with power usage effectiveness (PUE) = facility
    power / IT power (The Green Grid, "PUE: A comprehensive examination of the metric", White
    Paper 49, 2012). Power is taken as constant at its typical value. Accepts numpy arrays.
    """
    return np.asarray(power_w, dtype=float) * pue * HOURS_PER_YEAR * years / 1000.0


def energy_cost_usd(power_w, electricity_usd_per_kwh, pue, years):
    """Cost in USD of the energy of :func:`energy_kwh` at a flat electricity price (not discounted)."""
    return energy_kwh(power_w, pue, years) * electricity_usd_per_kwh
