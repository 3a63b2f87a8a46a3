"""Multimode (SR) links: 850 nm VCSELs over OM4, held to the IEEE channel budget.

lightfabric models no VCSEL or modal-bandwidth physics. An SR link is checked the way the IEEE
specifies its PMDs: the channel insertion loss (connectors and fiber) must stay within the PMD's
allocation and the link within the module's reach. The check says it is spec-level, so a user
can tell it from the component budgets of single-mode links.

Reference: TIA FOTC, IEEE 802.3 multimode applications: 400GBASE-SR8 1.9 dB on OM4 at 100 m
(1.8 dB on OM3 at 70 m); 400GBASE-SR4.2 1.8 dB on OM4 at 100 m.
"""

from __future__ import annotations

from lightfabric.catalog import Catalog, FiberCable

SR_CHANNEL_IL_DB = 1.9
SR_SOURCE = "IEEE 802.3 SR PMDs via TIA FOTC: 1.9 dB channel insertion loss on OM4 at 100 m"


def sr_check(catalog: Catalog, fiber: FiberCable, length_m: float, reach_m: float, extra_loss_db: float = 0.0) -> dict:
    """The channel of an SR link (two connectors, the fiber, any shuffles) against the PMD's budget."""
    connector = catalog.get(fiber.connector, kind="connector")
    il = 2 * connector.loss_db + fiber.attenuation_db_per_km * length_m / 1000.0 + extra_loss_db
    reasons = []
    if il > SR_CHANNEL_IL_DB:
        reasons.append(f"multimode channel of {il:.2f} dB over {length_m:.1f} m exceeds the {SR_CHANNEL_IL_DB:g} dB "
                       f"SR budget ({SR_SOURCE})")
    if length_m > reach_m:
        reasons.append(f"the SR module reaches {reach_m:g} m; the longest link is {length_m:.1f} m")
    return {"chain": "sr (IEEE channel budget)", "channel_loss_db": round(il, 3), "budget_db": SR_CHANNEL_IL_DB,
            "margin_db": round(SR_CHANNEL_IL_DB - il, 3), "checked": True, "feasible": not reasons,
            "reasons": reasons, "note": "multimode links are held to the IEEE channel budget and reach; no VCSEL or "
                                        "modal-bandwidth physics"}
