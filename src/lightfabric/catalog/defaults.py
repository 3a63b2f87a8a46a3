"""The catalog parts the model uses where a design has no choice to make: the optical circuit switch
of an OCS spine, the fiber shuffle of structured cabling and its trunk connector, the fiber array
unit of an optical engine and the polarization-maintaining jumper of an external laser source, and
the per-die failure rates of an optical engine.
Each appears in the bill of materials (and so in ``--sources``) wherever it is used."""

from __future__ import annotations

OCS_PART = "palomar-ocs"
SHUFFLE_PART = "fiber-shuffle-48"
SHUFFLE_CONNECTOR = "mpo16-apc"
FAU_PART = "fau-engine"
PMF_PART = "pmf-jumper-8"
# the failure rates of an optical engine's dies (reliability counts dies, not lanes)
ENGINE_ELECTRONIC_DIE_RATE = "fit-engine-electronic-die"
ENGINE_PHOTONIC_DIE_RATE = "fit-engine-photonic-die"


def shuffle_ports(catalog, shuffle) -> int:
    """MPO ports of a fiber shuffle: its fibers over those of the trunk connector."""
    return shuffle.fibers // catalog.get(SHUFFLE_CONNECTOR, kind="connector").fibers
