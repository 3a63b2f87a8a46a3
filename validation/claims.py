"""Published quantitative claims set beside lightfabric's own figures (docs/validation.md).

Each :class:`Claim` names its source, the scenario that expresses it, how the tool's figure is
read from the tool's own run, and the band the figure must stay in; ``basis`` says how much the
comparison tests the tool (``emergent``: the tool derives it; ``partial``: some inputs come from the
same source; ``calibrated``: the source set a catalog figure, so agreement checks the copy). Where
the tool disagrees with the claim, ``note`` says why. ``python -m validation.page`` writes the page;
``tests/test_validation.py`` holds every figure inside its band and the page to the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    date: str
    kind: str           # datasheet, standard, paper, vendor claim, secondary


@dataclass(frozen=True)
class Claim:
    id: str
    topic: str
    published: str                    # the claim, as published
    published_value: float            # the number the tool's figure is set beside
    unit: str
    source: Source
    scenario: str                     # the scenario file (repository path) that expresses it
    how: str                          # the command and what is read from it
    band: tuple[float, float]         # the tool's figure must stay in [low, high]
    band_why: str
    basis: str                        # emergent, partial or calibrated
    measure: object = field(repr=False, compare=False, default=None)  # () -> float
    note: str = ""                    # why the tool disagrees, or what the comparison does not cover
    verdict: str = "agrees"           # agrees, direction (only the sign compares) or differs (a known difference)

    def figure(self) -> float:
        return float(self.measure())

    def agrees(self, figure: float, rel: float = 0.0) -> bool:
        """The figure lies in the band (a relative slack for the page's rounding)."""
        lo, hi = self.band
        return lo * (1 - rel) - 1e-12 <= figure <= hi * (1 + rel) + 1e-12


# --- the tool's runs, cached ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def scenario(path: str):
    from lightfabric import load_scenario
    return load_scenario(ROOT / path)


@lru_cache(maxsize=None)
def comparison(path: str):
    from lightfabric.compare import compare
    return compare(scenario(path))


def result(path: str, tech: str | None = None):
    c = comparison(path)
    return c.results[0] if tech is None else c.result(tech)


@lru_cache(maxsize=None)
def reliability(path: str, job_gpus: int | None = None) -> dict:
    from lightfabric.reliability.assess import assess
    return assess(scenario(path), job_gpus=job_gpus, trials=2, horizon_days=1)


def rel_result(path: str, tech: str) -> dict:
    return next(r for r in reliability(path)["results"] if r["technology"] == tech)


def modules_per_gpu(path: str, tech: str = "pluggable-dsp") -> float:
    r = result(path, tech)
    return r.bom["pluggable_modules"] / scenario(path).cluster.gpus


def scale_out_totals(path: str, tech: str) -> tuple[float, float]:
    """Capex (USD) and power (W) of the scale-out network alone: no NICs, no scale-up domain."""
    cat = comparison(path).plan.catalog
    capex = power = 0.0
    for line in result(path, tech).design.bom:
        if cat.get(line.part_id).kind == "nic" or "scale-up" in line.role:
            continue
        capex += line.count * sum(line.cost_usd_each.values())
        power += line.count * sum(line.power_w_each.values())
    return capex, power


def port_power(tech: str, port_gbps: float, lane_gbps: float) -> float:
    from lightfabric import Catalog
    from lightfabric.physics.chains import port_power_from_components
    return port_power_from_components(Catalog.default(), tech, port_gbps, lane_gbps)["total"]


def llama_by_category() -> dict:
    return rel_result("examples/h100-16k-llama3-like.yaml", "policy")["job"]


def nvl72_scale_up():
    r = result("validation/scenarios/nvl72-single-rack.yaml")
    return next(g for g in r.design.link_groups if g.name == "scale-up")


def dr8_channel_loss_db() -> float:
    from lightfabric import Catalog
    from lightfabric.technologies.registry import REGISTRY
    link = REGISTRY["pluggable-dsp"].link_budget(Catalog.default(), 500.0, 100.0)
    # the channel: what lies between the two modules' connectors (connectors and fiber)
    return sum(s["loss_db"] for s in link.steps if s["name"].startswith(("connector", "fiber")))


def busbw_factor(n: int) -> float:
    from lightfabric.netsim.run import collective_report
    r = collective_report(scenario("examples/h100-4k-400g-breakout.yaml"), op="all-reduce", size_bytes=1e9,
                          gpus=n)["results"][0]
    return r["busbw_gbps"] / r["algbw_gbps"]


def ocs_power_share(path: str) -> float:
    """OCS power as a share of the system: the scale-out network plus the GPUs at their TDP (hosts,
    CPUs and cooling left out, so the share is an upper bound of the published one)."""
    r = result(path, "ocs")
    _, power = scale_out_totals(path, "ocs")
    sc = scenario(path)
    from lightfabric.catalog import Catalog
    gpu_w = sc.cluster.gpus * Catalog.default().get(sc.cluster.gpu).tdp_w
    ocs = sum(line.count * sum(line.power_w_each.values()) for line in r.design.bom if line.part_id == "palomar-ocs")
    return 100.0 * ocs / (power + gpu_w)


def torus_figures(path: str, tech: str) -> dict:
    """A torus design's OCS units, face optics per chip and OCS share of power (the ICI links and the
    chips at their TDP; hosts and cooling left out, so the share is an upper bound)."""
    r = result(path, tech)
    sc = scenario(path)
    from lightfabric.catalog import Catalog
    chips = sc.cluster.gpus
    ocs_id = r.design.ocs["ocs"]
    ocs_w = sum(line.count * sum(line.power_w_each.values()) for line in r.design.bom if line.part_id == ocs_id)
    faces = sum(line.count for line in r.design.bom if line.role.startswith("cube-faces links, lower end"))
    total_w = r.power_w["total"] + chips * Catalog.default().get(sc.cluster.gpu).tdp_w
    return {"ocs_units": r.design.ocs["ocs_units"], "face_optics_per_chip": faces / chips,
            "ocs_power_pct": 100.0 * ocs_w / total_w}


def saving_pct(path_a: str, tech_a: str, path_b: str, tech_b: str, which: int) -> float:
    a, b = scale_out_totals(path_a, tech_a), scale_out_totals(path_b, tech_b)
    return 100.0 * (1.0 - b[which] / a[which])


def th5_switch_power_cut_pct() -> float:
    """A Tomahawk 5 with its 64 ports of 800G optics, pluggable DSP against CPO (switch, optics, lasers)."""
    path = "src/lightfabric/scenario/default.yaml"
    dsp, cpo = result(path, "pluggable-dsp"), result(path, "cpo")
    system = next(sum(line.power_w_each.values()) for line in dsp.design.bom if line.part_id == "tomahawk-5")
    per_dsp = system + 64 * dsp.switch_port["power_w"]
    per_cpo = system + 64 * cpo.switch_port["power_w"]          # the port's power includes its lasers
    return 100.0 * (1.0 - per_cpo / per_dsp)


def bailly_port_mtbf_h() -> float:
    return rel_result("src/lightfabric/scenario/default.yaml", "cpo")["port_fit"]["mtbf_h"]


def resiliency_ratio() -> float:
    """Port FIT of a pluggable against a CPO port at the same lane rate (200G lanes, Quantum-X800)."""
    path = "examples/quantum-x800-16k-gb300.yaml"
    return rel_result(path, "pluggable-dsp")["port_fit"]["fit"] / rel_result(path, "cpo")["port_fit"]["fit"]


# --- the claims ----------------------------------------------------------------------------------------

AL_FARES = Source("M. Al-Fares, A. Loukissas, A. Vahdat, A Scalable, Commodity Data Center Network Architecture, "
                  "SIGCOMM 2008", "https://doi.org/10.1145/1402958.1402967", "2008-08", "paper")
SUPERPOD_B200 = Source("NVIDIA DGX SuperPOD with DGX B200 Reference Architecture, DGX SuperPOD architecture table",
                       "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-b200/"
                       "latest/dgx-superpod-architecture.html", "2025", "datasheet")
SUPERPOD_B300 = Source("NVIDIA DGX SuperPOD B300 XDR Reference Architecture (RA-11339-001), Table 3",
                       "https://docs.nvidia.com/dgx-superpod/reference-architecture/scalable-infrastructure-b300-xdr/"
                       "latest/dgx-superpod-architecture.html", "2025", "datasheet")
FIBERMALL = Source("FiberMall, How Many Optical Transceivers are Needed for A GPU? (also FS community 2023-12-22, "
                   "NADDOD 2023-12-04)", "https://www.fibermall.com/blog/how-many-optical-transceivers-needed-for-gpu.htm",
                   "2023-12", "secondary")
GB200_RA = Source("NVIDIA DGX SuperPOD GB200 Reference Architecture, Network Fabrics: 18 compute trays, 9 NVLink "
                  "switch trays of 2 chips, 18 NVLink 5 links per GPU, 1.8 TB/s",
                  "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-gb200/latest/"
                  "network-fabrics.html", "2025", "datasheet")
NVL72_CABLES = Source("J. Huang's walkthrough of the NVLink spine (as quoted by Cyberwave Digest): two miles of cables, "
                      "5,000 cables, all coax, impedance-matched, connecting 72 GPUs; 5,184 NVLink cables quoted by "
                      "chips.sanjay920.com", "https://www.cyberwavedigest.com/nvidia-nvlink-spine", "2025", "secondary")
NVL72_BW = Source("NVIDIA at GTC Paris 2025 (as reported by HostZealot): the NVL72 NVLink spine, 130 TB/s",
                  "https://www.hostzealot.com/blog/news/nvidia-just-compressed-the-internet-into-60-pounds-meet-the-"
                  "future-of-ai", "2025-06-17", "vendor claim")
BAILLY_LFW = Source("R. Pancholy (Broadcom) in Laser Focus World: Bailly, 5.5 W per 800G against 14-16 W for "
                    "pluggables; a 30 % system power reduction",
                    "https://laserfocusworld.com/optics/article/14290374/broadcom-intros-bailly-a-co-packaged-"
                    "optics-networking-switch", "2023", "vendor claim")
NVIDIA_PORT = Source("NVIDIA GTC 2025 photonics switches: a pluggable port about 30 W, a CPO port about 9 W, 3.5x "
                     "power efficiency, 4x fewer lasers (as reported by Notebookcheck; TechInsights 2025-07-16)",
                     "https://www.notebookcheck.net/Nvidia-unveils-photonics-switches-to-scale-AI-networks-with-"
                     "millions-of-GPUs.1096181.0.html", "2025-03", "vendor claim")
NVIDIA_LASER = Source("TechPowerUp: NVIDIA Commercializes Silicon Photonics with InfiniBand and Ethernet Switches "
                      "(CW laser sources 2 W per port against 10 W for pluggable EMLs; optical engines 7 W against 20 W "
                      "for DSPs)", "https://www.techpowerup.com/forums/posts/5479274", "2025-03", "vendor claim")
NVIDIA_RESILIENCY = Source("NVIDIA GTC 2025: Spectrum-X and Quantum-X Photonics, 3.5x power efficiency and 10x "
                           "resiliency from fewer active parts (as reported by Notebookcheck)",
                           "https://www.notebookcheck.net/Nvidia-unveils-photonics-switches-to-scale-AI-networks-with-"
                           "millions-of-GPUs.1096181.0.html", "2025-03", "vendor claim")
DR8 = Source("TIA FOTC, 800GBASE-DR8 application overview (IEEE Std 802.3df-2024): insertion loss max 3.0 dB, "
             "2 m to 500 m", "https://www.tiafotc.org/ieee-802-3-ethernet-standards-update/singlemode-standards-update/"
             "800gbase-dr8/", "2024", "standard")
NCCL = Source("NVIDIA nccl-tests, doc/PERFORMANCE.md: all-reduce busbw = algbw x 2(n-1)/n",
              "https://github.com/NVIDIA/nccl-tests/blob/master/doc/PERFORMANCE.md", "2024", "datasheet")
LLAMA3 = Source("Llama Team, AI @ Meta, The Llama 3 Herd of Models, sec. 3.3.4 and Table 5: 419 unexpected "
                "interruptions in 54 days on 16,384 H100, network switch/cable 35; more than 90 % effective "
                "training time", "https://arxiv.org/abs/2407.21783", "2024-07", "paper")
META_CPO = Source("S. Amiralizadeh et al. (Meta, Broadcom), Co-Packaged Optics Technology Evaluation for Hyperscale "
                  "Data Center Fabric Switches, ECOC 2025, and its talk (as reported by SemiAnalysis, CPO Book, "
                  "2026-01-02): 15M 400G-port device-hours of Bailly CPO without failure; 2.6M h CPO MTBF; 0.5-1M h "
                  "for 400G 2xFR4 pluggables", "https://newsletter.semianalysis.com/p/co-packaged-optics-cpo-book-scaling",
                  "2025-09-30", "paper")
RAIL_ONLY = Source("W. Wang, M. Ghobadi et al., Rail-only: A Low-Cost High-Performance Network for Training LLMs "
                   "with Trillion Parameters (arXiv 2307.12169 v5): network cost -38 % to -77 %, power -37 % to -75 %",
                   "https://arxiv.org/abs/2307.12169", "2024", "paper")
TPU_V4 = Source("N. Jouppi et al., TPU v4: An Optically Reconfigurable Supercomputer, ISCA 2023: OCSes and their "
                "optical components are under 5 % of system cost and under 3 % of system power",
                "https://arxiv.org/abs/2304.01433", "2023-06", "paper")
TPU_V4_PRESS = Source("HPCwire, Google AI supercomputer shows the potential of optical interconnects (TPU v4: 64 "
                      "racks, 4,096 TPUs, 48 optical circuit switches)",
                      "https://www.hpcwire.com/2023/04/10/google-ai-supercomputer-shows-the-potential-of-optical-interconnects/",
                      "2023-04-10", "secondary")
TPU_OPTICS = Source("NextBigFuture, Highly customized optical networking critical for Google's TPUs (4x4x4 cubes, "
                    "copper inside a cube, 1.5 optical transceivers per TPU between cubes)",
                    "https://www.nextbigfuture.com/2025/11/highly-customized-optical-networking-critical-for-googles-"
                    "tensor-processing-units-tpus.html", "2025-11-30", "secondary")
TPU_POD = "examples/tpu-v4-like-pod-torus.yaml"
JUPITER = Source("L. Poutievski et al., Jupiter Evolving, SIGCOMM 2022: direct-connect fabric through MEMS OCS, "
                 "30 % lower capex, 41 % lower power", "https://doi.org/10.1145/3544216.3544265", "2022-08", "paper")

SP1K, SP4K, SP16K = ("validation/scenarios/superpod-radix64-1024.yaml", "validation/scenarios/superpod-radix64-4096.yaml",
                     "validation/scenarios/superpod-radix64-16384.yaml")
XDR18, XDR8 = "validation/scenarios/superpod-b300-xdr-10368.yaml", "validation/scenarios/superpod-b300-xdr-4608.yaml"
LLAMA = "examples/h100-16k-llama3-like.yaml"
DEFAULT = "src/lightfabric/scenario/default.yaml"

CLAIMS: list[Claim] = [
    Claim("fat-tree-2-tier", "topology", "a 2-tier folded Clos of k-port switches serves k^2/2 hosts: 2,048 at k = 64",
          2048, "GPUs", AL_FARES, SP1K, "compare: topology.max_host_ports (Tomahawk 5 at 800G, radix 64)",
          (2048, 2048), "an integer identity", "emergent",
          lambda: result(SP1K).topology["max_host_ports"]),
    Claim("fat-tree-3-tier", "topology", "a 3-tier fat-tree of k-port switches serves k^3/4 hosts: 65,536 at k = 64",
          65536, "GPUs", AL_FARES, SP4K, "compare: topology.max_host_ports", (65536, 65536), "an integer identity",
          "emergent", lambda: result(SP4K).topology["max_host_ports"]),
    Claim("superpod-1k-switches", "topology", "4 scalable units, 1,024 GPUs: 32 leaf and 16 spine switches", 48,
          "switches", SUPERPOD_B200, SP1K, "compare: topology.switches (a radix-64 analogue of QM9700 at 400G: "
          "Tomahawk 5 at 800G, one NIC per port)", (48, 48), "a count", "emergent",
          lambda: result(SP1K).topology["switches"]),
    Claim("superpod-16k-switches", "topology", "64 scalable units, 16,384 GPUs: 512 leaf, 512 spine and 256 core "
          "switches", 1280, "switches", SUPERPOD_B200, SP16K, "compare: topology.switches", (1280, 1280), "a count",
          "emergent", lambda: result(SP16K).topology["switches"]),
    Claim("superpod-xdr-18su", "topology", "18 scalable units of B300 on Quantum-X800 (144 x 800G): 144 leaf and 72 "
          "spine switches, 10,368 GPUs", 216, "switches", SUPERPOD_B300, XDR18, "compare: topology.switches",
          (216, 216), "a count", "emergent", lambda: result(XDR18).topology["switches"]),
    Claim("superpod-xdr-8su-spines", "topology", "8 scalable units, 4,608 GPUs: 64 leaf and 36 spine switches", 36,
          "spine switches", SUPERPOD_B300, XDR8, "compare: topology.switches_per_tier[1]", (31.5, 36),
          "-12.5 % to 0: the tool builds the fewest spines", "emergent",
          lambda: result(XDR8).topology["switches_per_tier"][1], verdict="differs",
          note="The tool builds ceil(uplinks / radix) = 32 spines; NVIDIA picks a spine count that divides each "
               "leaf's 72 uplinks (4, 8, 18, 36, 72) so that every leaf sends the same number of links to every "
               "spine. The tool does not stripe that way yet; leaves and cables agree exactly."),
    Claim("modules-per-gpu-2-tier", "counts", "H100, ConnectX-7 400G, 2-tier fabric of 800G switches: 1.5 x 800G "
          "+ 1 x 400G optical modules per GPU (2.5)", 2.5, "modules per GPU", FIBERMALL,
          "examples/h100-4k-400g-breakout.yaml", "compare: bom.pluggable_modules / GPUs (pluggable-dsp)",
          (2.5, 2.5), "a counting rule", "emergent", lambda: modules_per_gpu("examples/h100-4k-400g-breakout.yaml")),
    Claim("modules-per-gpu-3-tier", "counts", "the same on three tiers: 2.5 x 800G + 1 x 400G per GPU (3.5)", 3.5,
          "modules per GPU", FIBERMALL, "validation/scenarios/h100-16k-400g-breakout-3tier.yaml",
          "compare: bom.pluggable_modules / GPUs", (3.5, 3.5), "a counting rule", "emergent",
          lambda: modules_per_gpu("validation/scenarios/h100-16k-400g-breakout-3tier.yaml"),
          note="The article's three-tier case is cut off in the stored copy; 3.5 is its two-tier rule plus one 800G "
               "module per GPU for the added tier, the figure analysts quote."),
    Claim("nvl72-copper-pairs", "counts", "the NVL72 NVLink spine: over 5,000 copper cables (5,184)", 5184,
          "twinax pairs", NVL72_CABLES, "validation/scenarios/nvl72-single-rack.yaml",
          "compare: scale-up links x lanes per link x 2 directions", (5184, 5184),
          "a count (the published cables are twinax pairs)", "emergent",
          lambda: nvl72_scale_up().links * nvl72_scale_up().spec.lower.port.lanes_per_port * 2),
    Claim("nvl72-bandwidth", "bandwidth", "NVL72 NVLink bandwidth: 130 TB/s per rack", 130, "TB/s", NVL72_BW,
          "validation/scenarios/nvl72-single-rack.yaml", "compare: scale-up links x rate x 2 directions", (128.7, 131.3),
          "+-1 %: NVIDIA rounds", "emergent", lambda: nvl72_scale_up().links * nvl72_scale_up().rate_gbps * 2 / 8 / 1000),
    Claim("bailly-port-power-ratio", "power", "Bailly CPO at 5.5 W per 800G against 14-16 W for pluggables: "
          "2.5x to 2.9x", 2.7, "x (DSP / CPO)", BAILLY_LFW, DEFAULT,
          "physics.chains.port_power_from_components, 800G port of 100G lanes, pluggable-dsp / cpo (bottom-up, not "
          "the catalog figures)", (2.5, 2.9), "the published range", "emergent",
          lambda: port_power("pluggable-dsp", 800, 100) / port_power("cpo", 800, 100),
          note="The catalog carries 17 W and 5.5 W from the datasheets; the bottom-up chain gives 11.5 W and 4.4 W "
               "(typical datapath energies, below the datasheets' maximum power class) with the same ratio."),
    Claim("bailly-system-power", "power", "a Bailly CPO switch: 30 % lower system power than a switch with "
          "pluggables", 30, "% lower", BAILLY_LFW, DEFAULT, "compare: Tomahawk 5 system power plus 64 switch ports "
          "(optics and lasers), pluggable-dsp against cpo", (25, 40), "25-40 %: the pluggable taken at 14-17 W",
          "partial", th5_switch_power_cut_pct,
          note="With the DR8 datasheet's 17 W (the catalog) the cut is larger than Broadcom's 30 %, which takes a "
               "pluggable at 14 W per 800G."),
    Claim("nvidia-port-power-ratio", "power", "NVIDIA GTC 2025: pluggable port about 30 W, CPO about 9 W, 3.5x",
          3.5, "x", NVIDIA_PORT, "examples/quantum-x800-16k-gb300.yaml",
          "compare: switch_port.power_w (lasers included), pluggable-dsp / cpo, 800G ports", (2.4, 4.0),
          "2.4-4.0x: the pluggable figure differs", "partial",
          lambda: result("examples/quantum-x800-16k-gb300.yaml", "pluggable-dsp").switch_port["power_w"]
          / result("examples/quantum-x800-16k-gb300.yaml", "cpo").switch_port["power_w"], verdict="differs",
          note="The Q3400's pluggable is NVIDIA's twin-port 1.6T 2xDR4 OSFP at 25 W (its catalog and Lambda's "
               "figure), not the 30 W of the keynote: 12.5 W per 800G port. The CPO port is the engine's 7 W per "
               "1.6T (NVIDIA's figure) plus the laser share lightfabric computes from the ELS lasers' operating "
               "point, 2.4 W per 1.6T against NVIDIA's 2 W (next row). With 30 W the ratio would be 3.2x."),
    Claim("nvidia-cpo-laser-power", "power", "NVIDIA GTC 2025: CW laser sources draw 2 W per 1.6T CPO port (10 W "
          "for a pluggable's EMLs)", 2.0, "W", NVIDIA_LASER, "examples/quantum-x800-16k-gb300.yaml",
          "compare: switch_port.laser_power_w x 2 (a 1.6T port is two 800G ports), cpo", (1.5, 2.5),
          "1.5-2.5 W: 'about 2 W'", "emergent",
          lambda: 2 * result("examples/quantum-x800-16k-gb300.yaml", "cpo").switch_port["laser_power_w"],
          note="Computed, not copied: 8 UHP CW DFB lasers per light source, each driven (L-I-V at a 55 C case) to "
               "the output the worst-case 500 m DR link needs with the 3 dB design margin, plus 1 W of module "
               "control, shared over the lanes they feed. NVIDIA's 10 W for a pluggable's lasers cannot come from "
               "EML bias and coolers alone (lightfabric laser --compare gives about 2 W); it must hold the drivers."),
    Claim("nvidia-lasers-per-switch", "counts", "a 144-port photonics switch has 432 fewer lasers, 25 % of a "
          "pluggable switch's", 432, "lasers", NVIDIA_PORT, "examples/quantum-x800-16k-gb300.yaml",
          "compare: switch_port.lasers x 144 ports, pluggable-dsp - cpo", (432, 432), "a count", "partial",
          lambda: 144 * (result("examples/quantum-x800-16k-gb300.yaml", "pluggable-dsp").switch_port["lasers"]
                         - result("examples/quantum-x800-16k-gb300.yaml", "cpo").switch_port["lasers"])),
    Claim("dr8-channel-loss", "physical layer", "800GBASE-DR8: channel insertion loss at most 3.0 dB over 500 m", 3.0,
          "dB", DR8, DEFAULT, "lightfabric link -t pluggable-dsp --length-m 500: connector and fiber losses",
          (0.0, 3.0), "the standard's maximum", "partial", dr8_channel_loss_db),
    Claim("nccl-busbw", "collectives", "all-reduce bus bandwidth = algorithm bandwidth x 2(n-1)/n; n = 1,024: "
          "1.998047", 2 * 1023 / 1024, "busbw / algbw", NCCL, "examples/h100-4k-400g-breakout.yaml",
          "collective --op all-reduce --gpus 1024: busbw_gbps / algbw_gbps", (2 * 1023 / 1024 - 1e-9,
                                                                            2 * 1023 / 1024 + 1e-9),
          "an identity", "emergent", lambda: busbw_factor(1024)),
    Claim("llama3-network-interruptions", "reliability", "network switch/cable: 35 interruptions of a 16,384-GPU job "
          "in 54 days (0.648 a day)", 35 / 54, "a day", LLAMA3, LLAMA,
          "reliability: job.interruptions_per_day_by_category, switches + optics + cables (policy design)",
          (0.452, 0.902), "Poisson 95 % interval of 35 events in 54 days", "emergent",
          lambda: sum(llama_by_category()["interruptions_per_day_by_category"].get(k, 0.0)
                      for k in ("switches", "optics", "cables")),
          note="The model counts switch reboots and every failed optic as interruptions "
               "(reliability.failure_effects, all interrupt by default): with switch-to-switch links and spines only "
               "degrading it would give 0.23 a day, below the interval."),
    Claim("llama3-all-interruptions", "reliability", "419 unexpected interruptions in 54 days (7.76 a day)", 419 / 54,
          "a day", LLAMA3, LLAMA, "reliability: job.all_causes.interruptions_per_day", (7.03, 8.54),
          "Poisson 95 % interval of 419 events in 54 days", "partial",
          lambda: llama_by_category()["all_causes"]["interruptions_per_day"],
          note="The non-network rate (fit-gpu-host-other) is taken from the same table, so only the network part "
               "is the model's."),
    Claim("llama3-effective-training-time", "reliability", "more than 90 % effective training time", 0.90,
          "goodput", LLAMA3, LLAMA, "reliability: job.all_causes.goodput (Daly, 30 s checkpoints, 10 min restart)",
          (0.85, 0.95), "0.85-0.95: the definitions differ", "partial",
          lambda: llama_by_category()["all_causes"]["goodput"], verdict="differs",
          note="The model's 88 % is below Meta's figure: Meta's effective training time also absorbs its 47 planned "
               "interruptions and Meta restarts faster than the 2 + 8 minutes assumed (reliability.detection_min, "
               "restart_min)."),
    Claim("cpo-field-bound", "reliability", "Bailly CPO: no failure in 15M 400G-port device-hours, so an 800G port's "
          "MTBF is at least 2.5M h (95 %); reported as a 2.6M h MTBF", 2.5e6, "h", META_CPO, DEFAULT,
          "reliability: port_fit.mtbf_h of the cpo design (Bailly, its engine share, laser and laser source)",
          (2.5e6, 5e7), "at or above the zero-failure bound", "emergent", bailly_port_mtbf_h,
          note="Zero failures bound the rate, they do not measure it: the 2.6M h is a lower bound. The engine's "
               "bottom-up FIT (per die) is combined with these hours (Gamma prior, Poisson likelihood); the port's "
               "laser is most of its FIT."),
    Claim("pluggable-field-mtbf", "reliability", "Meta's 400G 2xFR4 pluggables: 0.5M-1M h MTBF", 0.75e6, "h",
          META_CPO, DEFAULT, "reliability: port_fit.mtbf_h of the pluggable-dsp design (800G DR8)", (0.5e6, 1.0e6),
          "the published range", "emergent", lambda: rel_result(DEFAULT, "pluggable-dsp")["port_fit"]["mtbf_h"],
          note="The tool's module is an 800G DR8 (8 lasers, 8 lanes), Meta's a 400G 2xFR4 (8 lasers, 8 lanes): "
               "the same count of lasers and lane electronics."),
    Claim("nvidia-10x-resiliency", "reliability", "CPO: 10x higher resiliency than pluggables", 10, "x",
          NVIDIA_RESILIENCY, "examples/quantum-x800-16k-gb300.yaml",
          "reliability: port_fit.fit, pluggable-dsp / cpo (800G ports of 200G lanes)", (1.0, 10.0),
          "direction only: CPO fails less", "emergent", resiliency_ratio, verdict="direction",
          note="The model removes the module's DSP and puts four lanes' lasers in one cooled external source, and "
               "counts the engine's dies per die, which gives a few times fewer port failures, not ten; NVIDIA's "
               "figure is a part-count argument with no failure data published."),
    Claim("rail-only-cost", "architecture", "rail-only networks cost 38 % to 77 % less than a rail-optimized "
          "fat-tree", 38, "% lower capex", RAIL_ONLY, "examples/rail-only-gb300-37k.yaml",
          "compare: scale-out network capex (no NICs, no NVLink), rail-only against rail-optimized, policy designs",
          (33, 77), "the paper's range with 5 points of slack at the low end", "emergent",
          lambda: saving_pct("examples/rail-optimized-gb300-37k.yaml", "policy", "examples/rail-only-gb300-37k.yaml",
                             "policy", 0),
          note="The paper's low end comes from its own cost model and configurations; the tool's case is one 800G "
               "plane with 72-GPU NVLink domains."),
    Claim("rail-only-power", "architecture", "rail-only networks use 37 % to 75 % less power", 37, "% lower power",
          RAIL_ONLY, "examples/rail-only-gb300-37k.yaml", "compare: scale-out network power, as above", (32, 75),
          "the paper's range with 5 points of slack at the low end", "emergent",
          lambda: saving_pct("examples/rail-optimized-gb300-37k.yaml", "policy", "examples/rail-only-gb300-37k.yaml",
                             "policy", 1)),
    Claim("tpu-v4-ocs-power", "architecture", "OCSes are under 3 % of system power", 3, "% of power", TPU_V4,
          "examples/three-tier-1m-multiplane.yaml", "compare: palomar-ocs power / (scale-out network power + GPUs at "
          "their TDP), ocs design", (0.0, 3.0), "under the published bound (hosts and cooling left out: stricter "
          "than of the whole system)", "emergent",
          lambda: ocs_power_share("examples/three-tier-1m-multiplane.yaml"),
          note="The tool has no GPU capex, so the cost half of the claim (under 5 %) cannot be checked."),
    Claim("tpu-v4-ocs-count", "topology", "a TPU v4 pod: 4,096 chips in 64 cubes joined by 48 optical circuit "
          "switches", 48, "OCS", TPU_V4_PRESS, TPU_POD, "compare: design.ocs.ocs_units (torus, copper design: copper "
          "inside cubes, a pluggable at each face end)", (48, 48), "a count", "emergent",
          lambda: torus_figures(TPU_POD, "copper")["ocs_units"],
          note="One OCS per axis and face position (3 x 16), each holding the 128 face ends of that position; the "
               "module chosen for the faces is a one-fiber-pair WDM part, as TPU v4's CWDM optics with circulators."),
    Claim("tpu-optics-per-chip", "counts", "TPU pods: 1.5 optical transceivers per TPU (copper inside a 4x4x4 cube, "
          "optics between cubes)", 1.5, "modules per chip", TPU_OPTICS, TPU_POD,
          "compare: cube-faces modules / chips (copper design)", (1.5, 1.5), "a counting rule", "emergent",
          lambda: torus_figures(TPU_POD, "copper")["face_optics_per_chip"]),
    Claim("tpu-v4-ocs-power-torus", "architecture", "OCSes are under 3 % of system power (the torus they wire)", 3,
          "% of power", TPU_V4, TPU_POD, "compare: OCS power / (ICI links + chips at their TDP), copper design",
          (0.0, 3.0), "under the published bound (hosts and cooling left out: stricter than of the whole system)",
          "emergent", lambda: torus_figures(TPU_POD, "copper")["ocs_power_pct"],
          note="Like for like: TPU v4's OCSes wire the ICI torus. The chip is Ironwood at an estimated 1,000 W in "
               "TPU v4's geometry."),
    Claim("jupiter-ocs-power", "architecture", "Jupiter's direct-connect OCS fabric: 41 % lower power", 41,
          "% lower power", JUPITER, "examples/jupiter-direct-connect-64k.yaml",
          "compare: scale-out network power, pluggable-dsp, direct-connect against fat-tree-64k-clos.yaml",
          (0.0, 41.0), "direction only", "emergent",
          lambda: saving_pct("examples/fat-tree-64k-clos.yaml", "pluggable-dsp",
                             "examples/jupiter-direct-connect-64k.yaml", "pluggable-dsp", 1), verdict="direction",
          note="The same 64 blocks as a direct-connect mesh and as a Clos: the mesh saves the core switches and the "
               "optics at their ports. Jupiter's 41 % spans a decade of refreshes in which blocks of several "
               "generations share one OCS layer; here one generation, with 2 x FR4 uplinks through the OCS "
               "(docs/topologies.md)."),
    Claim("jupiter-ocs-capex", "architecture", "Jupiter's direct-connect OCS fabric: 30 % lower capex", 30,
          "% lower capex", JUPITER, "examples/jupiter-direct-connect-64k.yaml",
          "compare: scale-out network capex, pluggable-dsp, direct-connect against fat-tree-64k-clos.yaml",
          (0.0, 30.0), "direction only", "emergent",
          lambda: saving_pct("examples/fat-tree-64k-clos.yaml", "pluggable-dsp",
                             "examples/jupiter-direct-connect-64k.yaml", "pluggable-dsp", 0), verdict="direction",
          note="The mesh saves the core switches and their optics, and pays for 482 OCS units at an estimated "
               "200,000 USD: its uplinks take 2 x FR4 modules (two fiber pairs, two OCS ports) because module "
               "choice counts the OCS ports. With DR8 uplinks (eight ports each) it would cost 7 % more than the "
               "Clos. Jupiter's 30 % spans a decade of refreshes sharing one OCS layer."),
]


def by_id() -> dict[str, Claim]:
    return {c.id: c for c in CLAIMS}


def scenario_files() -> list[Path]:
    return sorted({ROOT / c.scenario for c in CLAIMS})


if len({c.id for c in CLAIMS}) != len(CLAIMS):
    raise RuntimeError("a validation claim id repeats")
