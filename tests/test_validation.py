"""docs/validation.md: every published claim's figure stays in its band, and the page is the tool's own
run (regenerate it with ``python -m validation.page`` when a figure moves)."""

import pytest

from validation.claims import CLAIMS, ROOT
from validation.page import PAGE, render

SOURCE_KINDS = {"datasheet", "standard", "paper", "vendor claim", "secondary"}


@pytest.fixture(scope="module")
def figures():
    return {c.id: c.figure() for c in CLAIMS}


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_the_tools_figure_stays_in_the_claims_band(claim, figures):
    lo, hi = claim.band
    assert lo <= figures[claim.id] <= hi, (claim.id, figures[claim.id], claim.band, claim.note)


def test_at_least_ten_sourced_claims_with_their_scenarios():
    assert len(CLAIMS) >= 10
    for c in CLAIMS:
        assert c.source.url.startswith("https://") and c.source.date and c.source.kind in SOURCE_KINDS, c.id
        assert (ROOT / c.scenario).is_file(), c.scenario
        assert c.basis in ("emergent", "partial", "calibrated") and c.verdict in ("agrees", "direction", "differs")
        # a claim the tool does not reproduce says why
        if c.verdict != "agrees":
            assert len(c.note) > 40, c.id
    # most rows must test the tool, not the catalog's copy of the source
    assert sum(c.basis == "emergent" for c in CLAIMS) >= 10


def test_the_page_is_the_tools_own_run(figures):
    assert PAGE.read_text() == render(figures), "docs/validation.md is stale: run python -m validation.page"
