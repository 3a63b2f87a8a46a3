"""How failed ports are repaired: at once, in a maintenance window, or by swapping an optical sub-assembly.

``reliability.repair_policy`` applies to the failures whose field-replaceable unit is larger than
the fault: a co-packaged switch swapped whole for one dead engine, a switch powered off to change a
socketed engine, a compute tray changed for its GPU's optical chiplet. Failures whose FRU is the
fault itself (a pluggable module, a cable, an ELS, a NIC, a whole switch that died) are always
repaired at once.

* ``swap-now``: the FRU is swapped after the repair wait (``wait_h``), taking the whole device
  down for ``replace_h`` (:mod:`~lightfabric.reliability.inventory`).
* ``maintenance-window``: the failed port is disabled. Where the switch has a spare port (ports
  the design leaves unused: ``scale_out.leaf_host_ports`` below the radix leaves some), a
  technician moves the port's link to it (the repair wait plus a cable job) and the switch runs on.
  A failure that finds no spare port stays dark, and the switch is swapped at the next window
  (every ``maintenance_window_days``), its jobs drained first (a planned stop, no lost work); the
  swap repairs every dead port. With ``s`` spare ports and ``x`` failures per switch per window, one
  swap repairs ``s + 1 + x/2`` failures (the spares' worth, the one that forces it, those in the
  half window it waits), and a share ``s / (s + 1 + x/2)`` of failures is moved to a spare port.
* ``swap-sub-assembly``: where the engines sit in a detachable optical sub-assembly (NVIDIA
  Quantum-X Photonics: three engines per sub-assembly), only the sub-assembly is swapped
  (``fru-optical-sub-assembly``); where they do not (Broadcom Bailly, Davisson), the switch is swapped
  as with ``swap-now``, and the output says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from lightfabric.catalog import OpticalEngine
from lightfabric.design import Design
from lightfabric.reliability.inventory import FailureClass, spare_ports
from lightfabric.reliability.rates import HOURS_PER_DAY

SUB_ASSEMBLY_FRU = "fru-optical-sub-assembly"
REPATCH_FRU = "fru-cable"          # moving a link to a spare port is a cable job


@dataclass
class PolicyResult:
    """The policy applied to a design: the classes it changed, per device tier what it did, notes."""

    name: str
    classes: list[FailureClass]
    tiers: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"name": self.name, "tiers": self.tiers, "notes": self.notes}


def _deferrable(fc: FailureClass) -> bool:
    """The FRU swap takes more than the fault: more GPUs, or more links, than the failure itself."""
    more_gpus = fc.gpus_replacing > fc.gpus_waiting + 1e-9
    more_links = sum(fc.links_replacing.values()) > sum(fc.links_waiting.values()) + 1e-9
    return fc.category in ("optics",) and (more_gpus or more_links)


def apply_policy(design: Design, classes: list[FailureClass], policy: str, *, window_days: float) -> PolicyResult:
    """``classes`` repaired under ``policy`` (module docstring): the new classes and what changed."""
    if policy == "swap-now":
        return PolicyResult(policy, classes)
    if policy == "maintenance-window":
        return _maintenance_window(design, classes, window_days)
    if policy == "swap-sub-assembly":
        return _sub_assembly(design, classes)
    raise ValueError(f"unknown repair policy {policy!r}")


def _maintenance_window(design: Design, classes: list[FailureClass], window_days: float) -> PolicyResult:
    cat = design.plan.catalog
    window_h = window_days * HOURS_PER_DAY
    devices = design.devices()
    spares = spare_ports(design)
    repatch = cat.get(REPATCH_FRU, kind="repair-unit")
    by_tier: dict[str, list[int]] = defaultdict(list)
    for i, fc in enumerate(classes):
        if _deferrable(fc) and devices.get(fc.tier):
            by_tier[fc.tier].append(i)
    out = list(classes)
    tiers = []
    for tier, idx in by_tier.items():
        n_dev = devices[tier]
        rate_dev = sum(classes[i].rate_per_h for i in idx) / n_dev      # failures per device per hour
        x = rate_dev * window_h
        s = int(spares.get(tier, 0.0) + 1e-9)
        cycle = s + 1.0 + x / 2.0        # failures one swap repairs: the spares, the one that forces it, the wait
        swaps_per_failure = 1.0 / cycle
        covered = s / cycle
        for i in idx:
            fc = classes[i]
            # a failure's links: moved to a spare port after the usual wait and a cable job, or dark
            # until the window (on average half a window away)
            wait = covered * (fc.wait_h + repatch.replace_h) + (1.0 - covered) * window_h / 2.0
            out[i] = replace(fc, wait_h=wait, swaps_per_failure=swaps_per_failure, repatch_per_failure=covered)
        failures_year = n_dev * rate_dev * 8760.0
        tiers.append({"tier": tier, "devices": n_dev, "spare_ports_per_device": s,
                      "port_failures_per_device_per_window": x, "failures_per_year": failures_year,
                      "swaps_per_year": failures_year * swaps_per_failure, "swaps_per_failure": swaps_per_failure,
                      "failures_moved_to_a_spare_port": covered,
                      "mean_dark_h": covered * (repatch.replace_h + sum(classes[i].wait_h * classes[i].rate_per_h
                                                                        for i in idx)
                                                / max(1e-30, sum(classes[i].rate_per_h for i in idx)))
                      + (1.0 - covered) * window_h / 2.0})
    notes = [f"failed ports disabled and their links moved to the switch's spare ports; a switch is swapped at the "
             f"next {window_days:g}-day window once a failure finds no spare port, its jobs drained first"]
    if not tiers:
        notes.append("no failure here is repaired by swapping more than the fault: the policy changes nothing")
    for t in tiers:
        if t["spare_ports_per_device"] == 0:
            notes.append(f"{t['tier']} switches have no spare port: every failed port stays dark until the next "
                         f"window (leave ports free with scale_out.leaf_host_ports, or use swap-now)")
    return PolicyResult("maintenance-window", out, tiers, notes)


def _sub_assembly(design: Design, classes: list[FailureClass]) -> PolicyResult:
    cat = design.plan.catalog
    unit = cat.get(SUB_ASSEMBLY_FRU, kind="repair-unit")
    out, tiers, notes = list(classes), [], []
    for i, fc in enumerate(classes):
        if fc.fru != "fru-cpo-switch" or fc.category != "optics":
            continue
        engine = cat.get(fc.part)
        if not isinstance(engine, OpticalEngine):
            continue
        if engine.sub_assembly_engines is None:
            notes.append(f"{fc.name}: {engine.id} engines are not detachable (bonded to the package): the switch "
                         f"is swapped (swap-now)")
            continue
        out[i] = replace(fc, fru=unit.id, wait_h=unit.wait_h, replace_h=unit.replace_h,
                         spare=f"optical sub-assembly ({engine.sub_assembly_engines} x {engine.id})")
        tiers.append({"tier": fc.tier, "unit": fc.name, "engines_per_sub_assembly": engine.sub_assembly_engines,
                      "replace_h": unit.replace_h})
    return PolicyResult("swap-sub-assembly", out, tiers, notes)
