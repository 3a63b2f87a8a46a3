"""Linear drive: the host electrical channels linear optics leave to the host's SerDes.

A retimed (DSP) module ends the host's electrical channel at its own SerDes. A linear module
(LPO) passes the host's signal straight to its driver and the received signal straight back, so
the transmitting host's SerDes and the receiving host's SerDes between them must equalise both
hosts' electrical channels (package, PCB trace, cage connector) through the optics: a
*die-to-die* linear budget. With the transmit side retimed and only the receive side linear
(LRO), one host channel is left.

Each host channel is the package, PCB trace and cage connector of :mod:`lightfabric.physics.electrical`
at the lane's Nyquist frequency (the same parts the copper model uses). The linear budgets:

* 100G per lane: 32 dB die-to-die, the LPO MSA's 16 dB host channel on each side [1] (the CEI-112G
  VSR chip-to-module channel is about 16 dB too);
* 200G per lane: 22 dB die-to-die (a vendor's target, 26 dB its aim), against up to 32 dB for retimed
  modules [2]. NVIDIA puts a pluggable's electrical path at 200G at 22 dB [3]: one host side
  already takes most of the budget, which is why 200G LPO is hard and LRO the compromise.

No linear budget is published beyond 200G per lane: faster lanes are refused with that reason.

References
----------
.. [1] LPO MSA, *Specification for 100 Gb/s per Lane Linear Pluggable Optics*, Rev 1.0 (2025): host
   channel loss 0-16 dB (Table 12).
.. [2] datacenter.news, "Semtech sets 200G LPO targets for data centre links", 2026-08-19.
.. [3] NVIDIA, GTC 2025, as reported by TechPowerUp: 22 dB for a 200G pluggable's electrical path,
   4 dB with co-packaged optics.
"""

from __future__ import annotations

from lightfabric.catalog import Catalog
from lightfabric.physics import electrical
from lightfabric.physics.modulation import MODULATION_LEVELS, nyquist_ghz

# die-to-die linear budget (dB at Nyquist), by the host lane rate it applies to, with its source
LINEAR_BUDGET_DB = {
    100.0: (32.0, "LPO MSA 100G-DR-LPO: 16 dB host channel on each side (2025)"),
    200.0: (22.0, "Semtech's 200G LPO target, 22 dB die-to-die (datacenter.news, 2026-08-19)"),
}
# host sides left linear: both for LPO, the receive side only for LRO
LINEAR_SIDES = {"lpo": 2, "lro": 1}


def host_channel(catalog: Catalog, lane_rate_gbps: float) -> list[tuple[str, str, float]]:
    """One host's package, PCB trace and cage connector at the lane's Nyquist frequency: (name, part, dB)."""
    f = nyquist_ghz(lane_rate_gbps, MODULATION_LEVELS["pam4"])
    pkg = catalog.get("asic-package", kind="electrical-channel")
    pcb = catalog.get("host-pcb-trace", kind="electrical-channel")
    conn = catalog.get("cage-connector", kind="electrical-channel")
    return [("package", pkg.id, float(electrical.scaled_loss_db(pkg.loss_db_at_reference, f, pkg.reference_frequency_ghz))),
            ("host PCB trace", pcb.id, float(electrical.pcb_stripline_loss_db_per_m(
                f, pcb.trace_width_mm, pcb.dielectric_constant, pcb.loss_tangent) * pcb.length_mm / 1000.0)),
            ("cage connector", conn.id, float(electrical.scaled_loss_db(conn.loss_db_at_reference, f,
                                                                         conn.reference_frequency_ghz)))]


def linear_check(catalog: Catalog, technology: str, lane_rate_gbps: float) -> dict:
    """The linear host channels of ``technology`` (lpo: both hosts; lro: the receiving one) against
    the die-to-die linear budget at ``lane_rate_gbps``: the losses, the budget, its source and, if
    they do not fit, the reason."""
    sides = LINEAR_SIDES[technology]
    steps = host_channel(catalog, lane_rate_gbps)
    per_side = sum(loss for _, _, loss in steps)
    f = nyquist_ghz(lane_rate_gbps, MODULATION_LEVELS["pam4"])
    rate = min((r for r in LINEAR_BUDGET_DB if r >= lane_rate_gbps - 1e-9), default=None)
    out = {"sides": sides, "nyquist_ghz": round(f, 3), "host_channel_db": round(per_side, 2),
           "host_channel": [{"name": n, "part": p, "loss_db": round(x, 2)} for n, p, x in steps],
           "linear_db": round(sides * per_side, 2)}
    if rate is None:
        return {**out, "budget_db": None, "feasible": False,
                "reason": f"{technology} at {lane_rate_gbps:g}G per lane: no linear die-to-die budget is published "
                          f"beyond 200G per lane"}
    budget, source = LINEAR_BUDGET_DB[rate]
    ok = sides * per_side <= budget
    reason = None if ok else (
        f"{technology} at {lane_rate_gbps:g}G per lane: {sides} host channel(s) of {per_side:.1f} dB at "
        f"{f:.1f} GHz (package, PCB trace, cage connector) = {sides * per_side:.1f} dB exceed the {budget:g} dB "
        f"die-to-die linear budget ({source}); a retimed (DSP) module ends each host channel at its own SerDes")
    return {**out, "budget_db": budget, "budget_source": source, "feasible": ok, "reason": reason}
