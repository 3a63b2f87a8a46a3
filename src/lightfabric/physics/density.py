"""Bandwidth density (the formulas; each technology picks its limit, :mod:`lightfabric.density` reports them):
how much a switch of each technology can carry, and how much bandwidth one
millimetre of package edge or one rack unit of front panel passes.

Three limits, each from a figure with its source (the ``SOURCES`` table prints with the result):

* **Faceplate** (pluggables, copper): a 1 RU panel holds 32 OSFP cages (OSFP MSA; NVIDIA QM9700:
  1U, 32 OSFP; SN5600: 2U, 64 OSFP). Per rack unit that is 32 x the module rate: 51.2 Tb/s with the
  1.6T modules that ship, 102.4 Tb/s with the 3.2T modules announced (448G lanes), which the seed
  article calls near the practical limit of pluggable optics. A box is not a rack unit: the
  largest pluggable box in the catalog (Quantum-X800 Q3400: 72 cages of twin-port 1.6T in 4 U,
  115.2 Tb/s) carries more than one rack unit of faceplate but less per rack unit.
* **Fiber panel** (co-packaged, near-packaged, optical I/O): the front panel carries MPO adapters
  instead of cages, 48 per RU (a 48-port panel, luxoptx); an MPO-16 carries one 8-lane DR port
  at 100G lanes, two 4-lane DR ports at 200G lanes, or, with 16-wavelength WDM at 1.6 Tb/s per
  fiber (Lightmatter/Qualcomm, OFC 2026), 8 duplex pairs of 1.6 Tb/s.
* **Shoreline** (package edge, one direction): electrical SerDes escape through the package's
  BGA: Tomahawk 5 carries 51.2 Tb/s over a 9,352-ball, 0.9 mm-pitch hexagonal BGA, a package of
  side sqrt(9352 x 0.81 x sqrt(3)/2) = 81 mm, so 51.2 / (4 x 81) = 0.16 Tb/s per mm. Optical
  I/O leaves through fiber array units at 127 um pitch: one DR lane of 200G per fiber pair is
  200 / 0.254 = 0.79 Tb/s/mm; a WDM fiber pair at 1.6 Tb/s is 6.3 Tb/s/mm; the chiplet's UCIe
  advanced-package edge carries 1.3 TB/s/mm = 10.4 Tb/s/mm.
"""

from __future__ import annotations

from math import sqrt


OSFP_CAGES_PER_RU = 32
MPO_ADAPTERS_PER_RU = 48
MPO_FIBERS = 16
FAU_PITCH_MM = 0.127
WDM_FIBER_TBPS = 1.6
UCIE_ADVANCED_TBPS_PER_MM = 1.3 * 8
FUTURE_MODULE_TBPS = 3.2
TH5_BALLS, TH5_PITCH_MM, TH5_TBPS = 9352, 0.9, 51.2

SOURCES = {
    "faceplate": "OSFP MSA (32 cages per RU); NVIDIA QM9700 (1U, 32 OSFP cages) and SN5600 (2U, 64 OSFP) "
                 "manuals; the catalog's switches (cages, rack units); seed article (51.2 Tb/s per panel with "
                 "1.6T modules, 102.4 Tb/s with 3.2T)",
    "fiber_panel": "luxoptx 48-port MPO panel (estimate: 48 MPO-16 adapters per RU); OFC 2026 exhibitor news "
                   "(1.6 Tb/s per fiber, 16 wavelengths)",
    "shoreline_electrical": "chipcraft.tech Tomahawk 5 field study (9,352-ball BGA, 0.9 mm pitch, 51.2 Tb/s); "
                            "derived: 81 mm package side",
    "shoreline_optical": "estimate: 127 um fiber-array pitch; OFC 2026 exhibitor news (1.6 Tb/s per WDM fiber); "
                         "Das Sharma, Hot Interconnects 2025 (UCIe 2.5D 1.3 TB/s/mm)",
}


def package_side_mm(balls: int = TH5_BALLS, pitch_mm: float = TH5_PITCH_MM) -> float:
    """Side of a square package holding ``balls`` on a hexagonal grid of ``pitch_mm``."""
    return sqrt(balls * pitch_mm ** 2 * sqrt(3) / 2)


def electrical_shoreline_tbps_per_mm() -> float:
    return TH5_TBPS / (4 * package_side_mm())


def optical_shoreline_tbps_per_mm(tbps_per_fiber_pair: float) -> float:
    return tbps_per_fiber_pair / (2 * FAU_PITCH_MM)


def faceplate(now_module_tbps: float, top_module_tbps: float, boxes: list[dict]) -> dict:
    """The faceplate limit of a technology whose fastest shipping module (or cable) carries
    ``now_module_tbps`` and whose fastest announced one ``top_module_tbps``.

    Per rack unit: 32 OSFP cages x the module rate (51.2 Tb/s with 1.6T modules, 102.4 Tb/s with
    3.2T). Per box: the largest pluggable switch in the catalog (``boxes``: id, capacity, cages,
    rack units, one per switch with front-panel cages), as built; its ceiling is the box's cages
    filled with the fastest announced module, capped by the switch's capacity.
    """
    elec = electrical_shoreline_tbps_per_mm()
    per_ru_now = OSFP_CAGES_PER_RU * now_module_tbps
    per_ru_top = OSFP_CAGES_PER_RU * top_module_tbps
    fill = [dict(b, tbps=min(b["capacity_tbps"], b["cages"] * now_module_tbps),
                 ceiling_tbps=min(b["capacity_tbps"], b["cages"] * top_module_tbps)) for b in boxes]
    largest = max(fill, key=lambda b: (b["tbps"], -b["rack_units"]), default=None)
    ceiling = max(fill, key=lambda b: (b["ceiling_tbps"], -b["rack_units"]), default=None)
    return {
        "limit": "faceplate",
        "tbps_per_rack_unit": round(per_ru_now, 1), "tbps_per_rack_unit_ceiling": round(per_ru_top, 1),
        "ports_per_rack_unit": OSFP_CAGES_PER_RU, "port_rate_gbps": now_module_tbps * 1000,
        "top_module_gbps": top_module_tbps * 1000,
        "max_switch_capacity_tbps": round(largest["tbps"], 1) if largest else round(per_ru_now, 1),
        "largest_box": None if largest is None else {
            "switch": largest["id"], "rack_units": largest["rack_units"], "cages": largest["cages"],
            "tbps": round(largest["tbps"], 1), "tbps_per_rack_unit": round(largest["tbps"] / largest["rack_units"], 1)},
        "ceiling_tbps": round(ceiling["ceiling_tbps"], 1) if ceiling else round(per_ru_top, 1),
        "ceiling_box": None if ceiling is None else ceiling["id"],
        "shoreline_tbps_per_mm": round(elec, 3), "shoreline_kind": "electrical SerDes (package BGA)",
        "source": SOURCES["faceplate"] + "; " + SOURCES["shoreline_electrical"],
    }


def fiber_panel(largest_switch_tbps: float, largest_switch: str) -> dict:
    """Optics off the faceplate (co- and near-packaged): the ASIC limits the switch; the front panel
    carries MPO adapters, 800G DR ports of 4 x 200G lanes on 8 fibers."""
    ports_dr = MPO_ADAPTERS_PER_RU * MPO_FIBERS // 8
    return {
        "limit": "switch ASIC (optics are off the faceplate)", "max_switch_capacity_tbps": largest_switch_tbps,
        "largest_switch": largest_switch, "ceiling_tbps": 409.6,
        "ports_per_rack_unit": ports_dr, "port_rate_gbps": 800.0,
        "tbps_per_rack_unit": round(ports_dr * 0.8, 1),
        "shoreline_tbps_per_mm": round(optical_shoreline_tbps_per_mm(0.2), 3),
        "shoreline_kind": "optical, DR fiber pairs at 127 um",
        "source": "catalog engines and hosts; NVIDIA Spectrum-X Photonics 409.6 Tb/s (multi-ASIC); "
                  + SOURCES["fiber_panel"] + "; " + SOURCES["shoreline_optical"],
    }


def package_shoreline() -> dict:
    """Optical I/O chiplets around a Tomahawk-5-size package: the package edge limits the switch."""
    wdm_pair = optical_shoreline_tbps_per_mm(WDM_FIBER_TBPS)
    perimeter_mm = 4 * package_side_mm()
    wdm_ports = MPO_ADAPTERS_PER_RU * (MPO_FIBERS // 2) * WDM_FIBER_TBPS / 0.8
    return {
        "limit": "package shoreline (chiplets around a Tomahawk-5-size package)",
        "max_switch_capacity_tbps": round(perimeter_mm * min(wdm_pair, UCIE_ADVANCED_TBPS_PER_MM), 0),
        "ceiling_tbps": None, "ports_per_rack_unit": int(wdm_ports), "port_rate_gbps": 800.0,
        "tbps_per_rack_unit": round(wdm_ports * 0.8, 1),
        "shoreline_tbps_per_mm": round(wdm_pair, 3), "shoreline_kind": "optical, WDM fiber pairs at 127 um "
        f"(die edge UCIe-A {UCIE_ADVANCED_TBPS_PER_MM:g} Tb/s/mm)",
        "source": SOURCES["fiber_panel"] + "; " + SOURCES["shoreline_optical"],
        "note": "a bound from the package edge, not a product: no switch ships with optical I/O chiplets",
    }


def assumptions() -> dict:
    return {"osfp_cages_per_ru": OSFP_CAGES_PER_RU, "mpo_adapters_per_ru": MPO_ADAPTERS_PER_RU,
            "fau_pitch_mm": FAU_PITCH_MM, "package_side_mm": round(package_side_mm(), 1),
            "future_module_tbps": FUTURE_MODULE_TBPS}
