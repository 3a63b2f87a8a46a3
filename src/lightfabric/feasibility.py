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
    for g in design.link_groups:
        lane = g.upper_end.optical_lane_rate_gbps
        try:
            link = chains.optical_link(plan.catalog, design.technology, g.length_m, lane,
                                       ocs_passes=physical.ocs_passes.get(g.name, 0),
                                       design_margin_db=physical.design_margin_db)
            chain = chains.optical_chain(plan.catalog, design.technology, lane)
        except LinkOptionError as e:
            design.notes.append(f"{g.name}: physical checks skipped ({e})")
            continue
        laser_mw = link.details["laser_power_mw"]
        temperature = physical.laser_case_temperature_c if chain.technology == "cpo" else None
        laser = chains.laser_state(chain, laser_mw, temperature)
        check = {"group": g.name, "length_m": g.length_m, "lane_rate_gbps": lane,
                 "margin_db": round(link.margin_db, 3), "pre_fec_ber": float(f"{link.ber:.3g}"),
                 "laser_power_mw": laser_mw, "laser_case_temperature_c": laser["case_temperature_c"],
                 "laser_junction_temperature_c": laser["junction_temperature_c"],
                 "feasible": True}
        reasons = [r for r in link.reasons if not r.startswith("laser ")]
        if not laser["feasible"]:
            reasons.append(laser["reason"])
        if reasons:
            check["feasible"] = False
            design.feasible = False
            design.reasons.extend(f"{g.name} links: {r}" for r in reasons)
        design.link_checks.append(check)
