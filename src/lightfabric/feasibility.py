"""Physical checks of a link group built with one technology.

Optical groups: the technology's chain (:mod:`lightfabric.physics.chains`) is budgeted over the
group's longest link at its optical lane rate, with its OCS passes and fiber shuffles, the
scenario's design margin and laser case temperature. Near-packaged engines and optical I/O
chiplets are budgeted with the co-packaged chain (an ELS-fed silicon-photonics transmitter).
Copper groups were held to their cable's reach and, for passive cables, the channel-loss model
when the cable was chosen; the check records the figures.
"""

from __future__ import annotations

import functools

from lightfabric.physics import chains
from lightfabric.physics.chains import LinkOptionError

CHAIN_OF = {"pluggable-dsp": "pluggable-dsp", "lpo": "lpo", "lro": "lro", "cpo": "cpo", "npo": "cpo", "oio": "cpo"}


@functools.lru_cache(maxsize=4096)
def _optical(catalog, chain_tech: str, length_m: float, lane_rate_gbps: float, ocs_passes: int,
             design_margin_db: float, case_c: float | None, extra_loss_db: float):
    return chains.optical_link(catalog, chain_tech, length_m, lane_rate_gbps, ocs_passes=ocs_passes,
                               design_margin_db=design_margin_db, laser_case_temperature_c=case_c,
                               extra_loss_db=extra_loss_db)


def check_group(plan, spec, technology: str, ends) -> dict:
    """The physical check of one group: a dict with ``feasible`` and ``reasons``."""
    physical = plan.scenario.physical
    base = {"group": spec.name, "links": spec.links, "length_m": round(spec.length_m, 2),
            "mean_length_m": round(spec.lengths.mean_m, 2)}
    if technology == "copper":
        c = ends.medium
        return {**base, "lane_rate_gbps": c.lane_rate_gbps, "medium": c.id, "variant": c.variant,
                "reach_m": c.reach_m, "margin_db": None, "feasible": True, "reasons": []}
    optics = ends.upper or ends.lower
    lane = optics.optical_lane_rate_gbps
    chain_tech = CHAIN_OF[technology]
    case_c = physical.laser_case_temperature_c if chain_tech == "cpo" else None
    shuffle_db = 0.0
    if spec.shuffles:
        shuffle_db = spec.shuffles * plan.catalog.get("fiber-shuffle-48", kind="fiber-part").loss_db
    try:
        link = _optical(plan.catalog, chain_tech, float(spec.length_m), float(lane), int(spec.ocs_passes),
                        float(physical.design_margin_db), case_c, shuffle_db)
    except LinkOptionError as e:
        return {**base, "lane_rate_gbps": lane, "feasible": True, "reasons": [],
                "note": f"physical checks skipped ({e})", "margin_db": None}
    d = link.details
    reasons = [f"{r}" for r in link.reasons]
    if optics.reach_m < spec.length_m:
        reasons.append(f"{optics.part_id} reaches {optics.reach_m:g} m; the longest {spec.name} link is "
                       f"{spec.length_m:.1f} m")
    return {**base, "lane_rate_gbps": lane, "ocs_passes": spec.ocs_passes, "shuffle_loss_db": shuffle_db,
            "margin_db": round(link.margin_db, 3), "pre_fec_ber": float(f"{link.ber:.3g}"),
            "laser_power_mw": d["laser_power_mw"], "laser_case_temperature_c": d["laser_case_temperature_c"],
            "laser_junction_temperature_c": d["laser_junction_temperature_c"],
            "feasible": not reasons, "reasons": reasons}


def budget_of_check(plan, check: dict):
    """The full link budget (a :class:`~lightfabric.physics.chains.LinkResult`, every element) behind
    an optical group's recorded check: same chain, length, lane rate, OCS passes, shuffles and margin."""
    physical = plan.scenario.physical
    chain_tech = CHAIN_OF[check["technology"]]
    case_c = physical.laser_case_temperature_c if chain_tech == "cpo" else None
    return _optical(plan.catalog, chain_tech, float(check["length_m"]), float(check["lane_rate_gbps"]),
                    int(check.get("ocs_passes", 0)), float(physical.design_margin_db), case_c,
                    float(check.get("shuffle_loss_db", 0.0)))
