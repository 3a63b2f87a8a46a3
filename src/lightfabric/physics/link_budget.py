"""Optical power along a chain of elements, and the margin at the receiver.

A chain starts with a light source and is a list of :class:`Element`. Before the modulator the
light is CW (average power only); the modulator turns it into a signal with an OMA; every
passive element after it scales average power and OMA by the same loss. A ``split`` element is
a 1:N splitter: ``10 log10 N`` plus its excess loss.

At the receiver, the margin is

    margin = OMA_received - penalties - sensitivity

where penalties are the transmitter's dispersion-eye closure (TDECQ) and any other allocation,
and ``sensitivity`` is the receiver's OMA sensitivity for an ideal (unstressed) eye. This is how
IEEE 802.3 budgets its PMDs: for 400GBASE-DR4, a transmitter at its minimum OMA - TDECQ of
-2.2 dBm, through 3 dB of channel loss, meets a receiver whose stressed sensitivity is -1.9 dBm
at SECQ 3.4 dB (ideal-eye -5.3 dBm) with 0.1 dB to spare (IEEE Std 802.3-2022, clause 124,
tables 124-6, 124-7 and the illustrative power budget 124-8).

All losses may be numpy arrays (for example fiber loss over a range of lengths); the powers and
margins broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lightfabric.physics.modulation import modulator_output_mw
from lightfabric.physics.units import dbm_to_mw, mw_to_dbm, ratio_to_db


@dataclass(frozen=True)
class Element:
    """One element of an optical path.

    ``kind``: ``passive`` (loss only), ``split`` (1:``ways`` splitter with ``loss_db`` excess) or
    ``modulator`` (``loss_db`` insertion loss in the one state, ``extinction_ratio_db``).
    """

    name: str
    loss_db: float | np.ndarray = 0.0
    kind: str = "passive"
    ways: int = 1
    extinction_ratio_db: float | None = None
    part: str | None = None       # catalog id the figure comes from, if any

    def total_loss_db(self):
        if self.kind == "split":
            return ratio_to_db(self.ways) + self.loss_db
        return self.loss_db


@dataclass
class BudgetStep:
    name: str
    loss_db: float | np.ndarray
    power_dbm: float | np.ndarray       # average power after the element
    oma_dbm: float | np.ndarray | None  # OMA after the element (None while the light is CW)
    part: str | None = None


@dataclass
class LinkBudget:
    steps: list[BudgetStep] = field(default_factory=list)

    @property
    def received_power_dbm(self):
        return self.steps[-1].power_dbm

    @property
    def received_oma_dbm(self):
        return self.steps[-1].oma_dbm


def propagate(source_power_dbm, elements: list[Element], *, source_oma_dbm=None,
              source_name: str = "laser", source_part: str | None = None) -> LinkBudget:
    """Carry a source's average power (and OMA, for a modulated source) through ``elements``.

    ``source_oma_dbm`` given means the source is already modulated (a directly modulated laser or
    an EML); otherwise the chain must contain exactly one ``modulator`` element.
    """
    power_mw = dbm_to_mw(source_power_dbm)
    oma_mw = None if source_oma_dbm is None else dbm_to_mw(source_oma_dbm)
    modulators = sum(e.kind == "modulator" for e in elements)
    if oma_mw is None and modulators != 1:
        raise ValueError(f"a CW source needs exactly one modulator in its chain, found {modulators}")
    if oma_mw is not None and modulators:
        raise ValueError("a modulated source cannot pass through another modulator")
    budget = LinkBudget([BudgetStep(source_name, 0.0, mw_to_dbm(power_mw),
                                    None if oma_mw is None else mw_to_dbm(oma_mw), source_part)])
    for e in elements:
        if e.kind == "modulator":
            if e.extinction_ratio_db is None:
                raise ValueError(f"modulator {e.name!r} needs an extinction ratio")
            new_power, oma_mw = modulator_output_mw(power_mw, e.loss_db, e.extinction_ratio_db)
            loss = ratio_to_db(power_mw / new_power)
            power_mw = new_power
        else:
            loss = e.total_loss_db()
            scale = dbm_to_mw(-np.asarray(loss, dtype=float))
            power_mw = power_mw * scale
            oma_mw = None if oma_mw is None else oma_mw * scale
        budget.steps.append(BudgetStep(e.name, loss, mw_to_dbm(power_mw),
                                       None if oma_mw is None else mw_to_dbm(oma_mw), e.part))
    return budget


def margin_db(received_oma_dbm, sensitivity_oma_dbm, penalties_db=0.0):
    """Link margin (dB): received OMA less penalties, above the ideal-eye sensitivity."""
    return np.asarray(received_oma_dbm, dtype=float) - penalties_db - sensitivity_oma_dbm


def required_source_power_dbm(elements: list[Element], sensitivity_oma_dbm, penalties_db=0.0,
                              target_margin_db=0.0):
    """The CW source power (dBm) for which the chain's margin equals ``target_margin_db``.

    The chain is linear in power, so propagate 0 dBm and shift by the shortfall.
    """
    b = propagate(0.0, elements)
    return target_margin_db - margin_db(b.received_oma_dbm, sensitivity_oma_dbm, penalties_db)
