"""The design space of a question: every structure the catalog and the registries allow.

A structure is a topology, a scale-out switch, a port rate of that switch, a number of tiers, of
planes and an oversubscription, with or without an OCS spine. The technologies per link class are
chosen later (:mod:`lightfabric.optimize.bounds`). What the question does not vary is fixed and
named: the NIC (the GPU's own: the GPU's scale-out bandwidth is a given of the question, not a
choice that trades against cost), the scale-up domain (the GPU platform's), placement, economics,
physical assumptions and the job mix (the built-in defaults or the base scenario's).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from lightfabric.catalog import Catalog
from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.optimize.question import DesignQuestion
from lightfabric.technologies.registry import LINK_TECHNOLOGIES
from lightfabric.topology.registry import TOPOLOGIES, TOPOLOGY_NAMES

SCALE_OUT_PROTOCOLS = ("ethernet", "infiniband")
MAX_PLANES = 16


@dataclass(frozen=True)
class Structure:
    """The structural choices of one fabric."""

    topology: str
    switch: str
    port_rate_gbps: float
    tiers: int
    planes: int
    oversubscription: float
    ocs_spine: bool

    def scale_out(self, nic: str) -> dict:
        return {"topology": self.topology, "switch": self.switch, "port_rate_gbps": self.port_rate_gbps,
                "tiers": self.tiers, "planes": self.planes, "oversubscription": self.oversubscription, "nic": nic}

    def label(self) -> str:
        return (f"{self.topology}, {self.switch} at {self.port_rate_gbps:g}G, {self.tiers} tier(s), "
                f"{self.planes} plane(s), oversubscription {self.oversubscription:g}"
                + (", OCS spine" if self.ocs_spine else ""))

    def as_dict(self) -> dict:
        return {"topology": self.topology, "switch": self.switch, "port_rate_gbps": self.port_rate_gbps,
                "tiers": self.tiers, "planes": self.planes, "oversubscription": self.oversubscription,
                "ocs_spine": self.ocs_spine}


@dataclass(frozen=True)
class Space:
    """The resolved question: parts, fixed choices and the structures to search."""

    structures: tuple[Structure, ...]
    technologies: tuple[str, ...]
    nic: str
    scale_up: dict | None
    fixed: tuple[str, ...]          # what the search holds fixed, in words, for the output


def _named(values, known, field: str, what: str) -> tuple:
    for i, v in enumerate(values):
        if v not in known:
            raise LightfabricError.for_field(f"{field}[{i}]", v, f"{what}: {', '.join(known)}",
                                             problem="unknown" + did_you_mean(str(v), list(known)))
    return tuple(values)


def design_space(q: DesignQuestion, catalog: Catalog) -> Space:
    """Every structure of the question, from ``catalog`` (already restricted to what is available)."""
    gpu = catalog.get(q.gpu, kind="gpu", field="gpu")
    if not gpu.default_nic and q.nic is None:
        raise LightfabricError.for_field("nic", None, f"a NIC id: {', '.join(catalog.ids('nic'))}",
                                         problem=f"GPU {gpu.id} has no default NIC")
    nic_id = q.nic or gpu.default_nic
    if nic_id not in catalog:
        raise LightfabricError.for_field("nic", nic_id, f"a NIC available by {q.available_by}: "
                                         f"{', '.join(catalog.ids('nic'))}", problem="not available by then"
                                         if q.available_by else "unknown NIC")
    nic = catalog.get(nic_id, kind="nic", field="nic")
    switched = [n for n, t in TOPOLOGIES.items() if t.switched and t.generated]
    topologies = _named(q.topologies, switched, "topologies", "topologies with switches built from the cluster") if q.topologies else tuple(switched)
    scale_out_switches = [p.id for p in catalog if p.kind == "switch" and p.protocol in SCALE_OUT_PROTOCOLS]
    if q.switches:
        switches = _named(q.switches, scale_out_switches, "switches",
                          "scale-out switches" + (f" available by {q.available_by}" if q.available_by else ""))
    else:
        switches = tuple(scale_out_switches)
    if not switches:
        raise LightfabricError.for_field("available_by", q.available_by, "a later month",
                                         problem="no scale-out switch is available by then")
    technologies = (_named(q.technologies, LINK_TECHNOLOGIES, "technologies", "link technologies")
                    if q.technologies else LINK_TECHNOLOGIES)
    links = max(pc.count for pc in nic.port_configs)
    planes = q.planes or tuple(p for p in range(1, MAX_PLANES + 1) if links % p == 0)
    structures = []
    for topo, sw_id in itertools.product(topologies, switches):
        sw = catalog.get(sw_id, kind="switch")
        rates = sorted({pc.rate_gbps for pc in sw.port_configs})
        if q.port_rates_gbps:
            rates = [r for r in rates if r in q.port_rates_gbps]
        for rate, tiers, p, over, ocs in itertools.product(rates, q.tiers, planes, q.oversubscription, q.ocs_spine):
            structures.append(Structure(topo, sw_id, float(rate), tiers, p, float(over), ocs))
    if not structures:
        raise LightfabricError.for_field("port_rates_gbps", list(q.port_rates_gbps or ()),
                                         "rates some listed switch has", problem="no switch has these port rates")
    scale_up = None
    fixed = [f"NIC: {nic.id} (the GPU's scale-out bandwidth is the question's given)" if q.nic is None
             else f"NIC: {nic.id} (asked)"]
    if q.scale_up == "platform" and gpu.scale_up_domain_gpus:
        scale_up = {"domain_gpus": gpu.scale_up_domain_gpus, "bandwidth_per_gpu_gbps": gpu.scale_up_bandwidth_gbps}
        fixed.append(f"scale-up: the {gpu.id} platform's domain of {gpu.scale_up_domain_gpus} GPUs at "
                     f"{gpu.scale_up_bandwidth_gbps:g} Gb/s per GPU (catalog)")
    else:
        fixed.append("scale-up: none (" + ("asked" if q.scale_up == "none" else
                                           f"the catalog gives {gpu.id} no scale-up domain") + ")")
    fixed.append("one technology per link class (a class's groups, e.g. two scale-up tiers, share it)")

    return Space(tuple(structures), tuple(technologies), nic.id, scale_up, tuple(fixed))


__all__ = ["Space", "Structure", "design_space", "TOPOLOGY_NAMES"]
