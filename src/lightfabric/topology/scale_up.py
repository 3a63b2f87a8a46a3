"""Scale-up (NVLink-class) domains: every GPU has one link to each of its switch planes.

A GPU with scale-up bandwidth ``B`` (both directions) over ports of rate ``r`` (each way) has
``n = B / (2 r)`` links, one to each of ``n`` planes. A plane joins the domain's ``G`` GPUs with
switch chips of ``k`` ports: one chip if ``G <= k``, else a two-tier folded Clos of leaves with
``k/2`` GPU ports and ``k/2`` uplinks and spines of ``k`` ports.

NVL72 (NVIDIA): ``B`` = 1.8 TB/s = 14,400 Gb/s, ``r`` = 400 Gb/s each way, so 18 links per GPU;
``G`` = 72 <= ``k`` = 72: 18 chips (9 trays of 2), 72 x 18 = 1,296 links, each 2 lanes each way,
so 5,184 twinax pairs: the "over 5,000 copper cables" of the NVL72 spine.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from lightfabric.errors import TopologyError
from lightfabric.placement import IN_RACK, amid
from lightfabric.topology.base import SCALE_UP_SWITCH, DeviceTier, LinkClass
from lightfabric.topology.clos import build_fat_tree


@dataclass(frozen=True)
class ScaleUpFabric:
    domain_gpus: int
    domains: int                  # full domains
    partial_domain_gpus: int      # GPUs in a last, smaller domain (0 if none)
    links_per_gpu: int
    tiers: int
    switch_chips: int
    trays: int
    gpu_links: int                # GPU to first-tier switch
    spine_links: int              # first to second tier (0 for one tier)
    chips_per_domain: int
    first_tier_chips: int         # chips the GPUs attach to; the rest are the second tier

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _plane(gpus: int, radix: int) -> tuple[int, int, int, int, int]:
    """(tiers, chips, first-tier chips, gpu links, spine links) of one plane serving ``gpus`` GPUs."""
    if gpus <= radix:
        return 1, 1, 1, gpus, 0
    tree = build_fat_tree(gpus, radix, tiers=2, oversubscription=1.0)
    return 2, tree.switches, tree.switches_per_tier[0], gpus, tree.links_per_tier[1]


def build_scale_up(gpus: int, domain_gpus: int, bandwidth_per_gpu_gbps: float, port_rate_gbps: float,
                   radix: int, systems_per_tray: int = 1) -> ScaleUpFabric:
    """Count the scale-up domains of a cluster of ``gpus`` GPUs."""
    links = bandwidth_per_gpu_gbps / (2 * port_rate_gbps)
    if abs(links - round(links)) > 1e-9 or round(links) < 1:
        raise TopologyError.for_field(
            "scale_up.bandwidth_per_gpu_gbps", bandwidth_per_gpu_gbps,
            f"a whole multiple of {2 * port_rate_gbps:g} Gb/s (one {port_rate_gbps:g} Gb/s-each-way port of the "
            f"scale-up switch per link)", problem=f"gives {links:g} links per GPU")
    n = int(round(links))
    if domain_gpus > radix * radix // 2:
        raise TopologyError.for_field(
            "scale_up.domain_gpus", domain_gpus,
            f"at most {radix * radix // 2:,} GPUs (two tiers of {radix}-port chips per plane)",
            problem="the domain does not fit in a two-tier scale-up plane")
    full, rest = divmod(gpus, domain_gpus)
    if full == 0:
        full, rest, domain_gpus = 1, 0, gpus
    tiers, chips, first, gl, sl = _plane(domain_gpus, radix)
    total_chips, first_chips = full * n * chips, full * n * first
    gpu_links, spine_links = full * n * gl, full * n * sl
    if rest:
        t2, c2, f2, g2, s2 = _plane(rest, radix)
        tiers = max(tiers, t2)
        total_chips, first_chips = total_chips + n * c2, first_chips + n * f2
        gpu_links, spine_links = gpu_links + n * g2, spine_links + n * s2
    return ScaleUpFabric(domain_gpus=domain_gpus, domains=full, partial_domain_gpus=rest, links_per_gpu=n,
                         tiers=tiers, switch_chips=total_chips, trays=ceil(total_chips / systems_per_tray),
                         gpu_links=gpu_links, spine_links=spine_links, chips_per_domain=n * chips,
                         first_tier_chips=first_chips)


# --- the scale-up tiers and link groups every topology shares -----------------------------------

def scale_up_tiers(spec) -> tuple[list, list]:
    """The scale-up switch tiers and link groups of ``spec`` (a :class:`~lightfabric.topology.base.ClusterSpec`):
    GPUs to the first tier of chips (``scale-up``) and, for a two-tier plane, the first tier to the
    second (``scale-up-spine``). A chip takes the GPUs it serves out of the domain; replacing its
    tray takes the whole domain. Empty without a scale-up domain."""
    su, sw = spec.scale_up, spec.scale_up_switch
    if su is None:
        return [], []
    port = sw.port_configs[0]
    domain = float(su.domain_gpus)
    l1_at = IN_RACK if su.tiers > 1 else amid(su.domain_gpus, compute_rack=True)
    tiers = [DeviceTier("su-l1", SCALE_UP_SWITCH, sw, su.first_tier_chips, port, l1_at,
                        "scale-up switch chips (su-l1)", gpus_cut=min(domain, su.gpu_links / su.first_tier_chips),
                        gpus_replacing=domain, scope_gpus=domain)]
    groups = [LinkClass("scale-up", "scale_up", "gpu", "su-l1", su.gpu_links, port.rate_gbps, su.gpu_links,
                        label="GPU to scale-up switch", gpu_link=True, scale_up=True)]
    if su.tiers > 1:
        tiers.append(DeviceTier("su-l2", SCALE_UP_SWITCH, sw, su.switch_chips - su.first_tier_chips, port,
                                amid(su.domain_gpus), "scale-up switch chips (su-l2)", gpus_cut=0.0,
                                gpus_replacing=domain, scope_gpus=domain))
        groups.append(LinkClass("scale-up-spine", "scale_up", "su-l1", "su-l2", su.spine_links, port.rate_gbps,
                                su.spine_links, label="scale-up first to second tier", scale_up=True))
    return tiers, groups
