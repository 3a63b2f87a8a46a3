"""Which parts can be bought by a date: the catalog restricted to the hardware shipping by then.

Every part may carry ``available`` (status announced, sampling or shipping, and the month it reached
that status). A part counts as available by a month when it was *shipping* by then (and, if asked,
*sampling* by then); an announced part never does, since its date is the announcement's, not a
shipping date. Hardware without a date is kept and named, so the choice is visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from lightfabric.catalog.store import Catalog

# the kinds of hardware a design buys; GPUs are the user's given, the rest are figures and rules
HARDWARE_KINDS = ("switch", "nic", "module", "optical-engine", "laser-source", "copper-cable", "ocs")


@dataclass(frozen=True)
class AvailabilityFilter:
    """The catalog by a date: what was dropped (id, kind, status, date) and what had no date."""

    catalog: Catalog
    by: str
    dropped: tuple[tuple[str, str, str, str], ...]
    undated: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"available_by": self.by, "dropped": [dict(zip(("part", "kind", "status", "date"), d)) for d in self.dropped],
                "undated_kept": list(self.undated)}


def is_available(part, by: str, include_sampling: bool = False) -> bool | None:
    """True if ``part`` ships (or, with ``include_sampling``, samples) by ``by`` (YYYY-MM); None if
    the catalog gives no date."""
    a = part.available
    if a is None:
        return None
    ok = ("shipping", "sampling") if include_sampling else ("shipping",)
    return a.status in ok and a.date <= by


def available_by(catalog: Catalog, by: str, include_sampling: bool = False) -> AvailabilityFilter:
    """``catalog`` without the hardware not available by ``by`` (an engine whose laser source is
    dropped goes with it). Kept with the catalog (:meth:`Catalog.memo`), so every call for the same
    month gives the same catalog object, whose own caches (value key, indexes) then carry over; a
    catalog that loses nothing is returned as it is."""
    memo = catalog.memo("available_by")
    key = (by, include_sampling)
    if key not in memo:
        memo[key] = _filtered(catalog, by, include_sampling)
    return memo[key]


def _filtered(catalog: Catalog, by: str, include_sampling: bool) -> AvailabilityFilter:
    dropped: list[tuple[str, str, str, str]] = []
    undated: list[str] = []
    for p in catalog:
        if p.kind not in HARDWARE_KINDS:
            continue
        ok = is_available(p, by, include_sampling)
        if ok is None:
            undated.append(p.id)
        elif not ok:
            dropped.append((p.id, p.kind, p.available.status, p.available.date))
    gone = {d[0] for d in dropped}
    for p in catalog:
        if p.kind == "optical-engine" and p.laser_source in gone and p.id not in gone:
            dropped.append((p.id, p.kind, "its laser source " + p.laser_source, "not available"))
            gone.add(p.id)
    kept = catalog.without(gone) if gone else catalog
    return AvailabilityFilter(kept, by, tuple(dropped), tuple(undated))
