"""Physical checks of a design: every link group's optical budget and its lasers' temperature.

For each link group the technology's chain (:mod:`lightfabric.physics.chains`) is budgeted at the
group's length and optical lane rate, with the scenario's OCS passes, design margin and laser
case temperature. A group whose margin is negative, or whose laser cannot run within its
current rating or junction-temperature limit, makes the design infeasible with the reason.
"""

from __future__ import annotations

from lightfabric.physics import chains
from lightfabric.physics.chains import LinkOptionError


def check_design(design) -> None:
    """Add ``link_checks`` to a feasible design; mark it infeasible with reasons if physics says so."""
    plan = design.plan
    physical = plan.scenario.physical
    # the scenario's laser case temperature is that of CPO lasers; pluggable EMLs sit on their own TEC
    case_c = physical.laser_case_temperature_c if design.technology == "cpo" else None
    for g in design.link_groups:
        lane = g.upper_end.optical_lane_rate_gbps
        try:
            link = chains.optical_link(plan.catalog, design.technology, g.length_m, lane,
                                       ocs_passes=physical.ocs_passes.get(g.name, 0),
                                       design_margin_db=physical.design_margin_db,
                                       laser_case_temperature_c=case_c)
        except LinkOptionError as e:
            design.notes.append(f"{g.name}: physical checks skipped ({e})")
            continue
        d = link.details
        design.link_checks.append({
            "group": g.name, "length_m": g.length_m, "lane_rate_gbps": lane,
            "margin_db": round(link.margin_db, 3), "pre_fec_ber": float(f"{link.ber:.3g}"),
            "laser_power_mw": d["laser_power_mw"], "laser_case_temperature_c": d["laser_case_temperature_c"],
            "laser_junction_temperature_c": d["laser_junction_temperature_c"], "feasible": link.feasible})
        if not link.feasible:
            design.feasible = False
            design.reasons.extend(f"{g.name} links: {r}" for r in link.reasons)
