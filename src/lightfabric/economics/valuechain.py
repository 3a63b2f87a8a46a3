"""Where the money of a design goes: each bill-of-materials line's dollars split over industry
segments by the catalog's value shares (docs/economics.md).

A segment's dollars are what the operator's capital spending pays that segment, margins
included: the switch vendor's share of a switch, the DSP vendor's share of a module, the
foundry's share of every chip. The packaging-yield premium of a scenario (zero at the catalog's
yields) is split like the engines it falls on: its cost to the foundry, its margin to the vendor.
"""

from __future__ import annotations

from lightfabric.catalog import SEGMENTS, Catalog, ValueShare
from lightfabric.catalog.matching import index_by_target, most_specific
from lightfabric.design import BomLine


class NoValueShare(LookupError):
    """A part in a bill of materials has no value-share entry in the catalog."""


def value_share(catalog: Catalog, part_id: str) -> ValueShare:
    memo = catalog.memo("value_share")      # per catalog: its parts and entries never change
    if part_id in memo:
        return memo[part_id]
    part = catalog.get(part_id)
    index = memo.get(None)
    if index is None:
        index = memo[None] = index_by_target(catalog.of_kind(ValueShare))
    entry = most_specific(index, part)
    if entry is None:
        raise NoValueShare(f"no value-share entry in the catalog for {part.kind} {part.id}; "
                           f"add one with applies_to: {part.kind}")
    memo[part_id] = entry
    return entry


def segments_usd(bom: list[BomLine], catalog: Catalog, packaging_premium_usd: float = 0.0,
                 premium_gross_margin: float = 0.0) -> dict[str, float]:
    """Dollars per segment (every segment of :data:`SEGMENTS`, zeros included)."""
    out = {s: 0.0 for s in SEGMENTS}
    for line in bom:
        usd = line.count * sum(line.cost_usd_each.values())
        if usd == 0:
            continue
        for seg, share in value_share(catalog, line.part_id).shares.items():
            out[seg] += usd * share
    if packaging_premium_usd:
        out["foundry-packaging"] += packaging_premium_usd * (1.0 - premium_gross_margin)
        out["switch-silicon"] += packaging_premium_usd * premium_gross_margin
    return out


def shares(usd: dict[str, float]) -> dict[str, dict[str, float]]:
    """``{segment: {"usd": x, "share": x / total}}``."""
    total = sum(usd.values())
    return {s: {"usd": v, "share": v / total if total else 0.0} for s, v in usd.items()}


def shift(usd: dict[str, float], baseline: dict[str, float]) -> dict[str, dict[str, float]]:
    """Change of each segment against a baseline design: dollars and share points."""
    t, tb = sum(usd.values()), sum(baseline.values())
    return {s: {"usd": usd[s] - baseline.get(s, 0.0),
                "share_points": 100 * ((usd[s] / t if t else 0) - (baseline.get(s, 0.0) / tb if tb else 0))}
            for s in usd}
