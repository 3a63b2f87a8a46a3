"""Write docs/validation.md from the tool's own runs: ``python -m validation.page``.

Every row of the page is a :class:`~validation.claims.Claim`: the published figure, its source, the
scenario and command that express it, the tool's figure, the band it must stay in and the verdict.
``tests/test_validation.py`` holds each figure in its band and this page to the figures (rerun this
script when a figure moves).
"""

from __future__ import annotations

import sys

from validation.claims import CLAIMS, ROOT, Claim

PAGE = ROOT / "docs" / "validation.md"

HEADER = """# Validation: lightfabric beside published figures

Each row sets a published quantitative claim beside the figure lightfabric computes for the scenario
that expresses it, with the band the figure must stay in. The page is written by
`python -m validation.page` from the tool's own runs (the claims, their sources, scenarios and
bands are in `validation/claims.py`; the added scenarios in `validation/scenarios/`), and
`tests/test_validation.py` fails if a figure leaves its band or this page no longer matches the
runs. *Basis* says how much a row tests the tool: **emergent**, the tool derives the figure;
**partial**, some of its inputs come from the same source; **calibrated**, the source set a catalog
figure, so agreement checks the copy. *Verdict*: **agrees** (the figure lies in the claim's own
range or uncertainty), **direction** (only the sign can be compared), **differs** (a known
difference, explained below and held in its band so it cannot drift).

"""


def fmt(x: float) -> str:
    """A figure as the page shows it: four significant digits, thousands separated."""
    if x == int(x) and abs(x) < 1e7:
        return f"{int(x):,}"
    if abs(x) >= 1e5:
        return f"{x:,.4g}" if abs(x) < 1e7 else f"{x:.3e}"
    return f"{x:.4g}"


def band_text(c: Claim) -> str:
    lo, hi = c.band
    return fmt(lo) if lo == hi else f"{fmt(lo)} to {fmt(hi)}"


def row(c: Claim, figure: float) -> str:
    src = f"[{c.source.title.split(':')[0]}]({c.source.url}) ({c.source.date}, {c.source.kind})"
    inside = "" if c.agrees(figure) else " **OUT OF BAND**"
    return (f"| `{c.id}` | {c.published} | {src} | `{c.scenario}`: {c.how} | {fmt(figure)} {c.unit} | "
            f"{band_text(c)} ({c.band_why}) | {c.basis} | {c.verdict}{inside} |")


def render(figures: dict[str, float] | None = None) -> str:
    """The page, from ``figures`` (claim id -> the tool's figure; computed when not given)."""
    figures = figures if figures is not None else {c.id: c.figure() for c in CLAIMS}
    lines = [HEADER.rstrip(), ""]
    lines.append(f"{len(CLAIMS)} claims; {sum(c.verdict == 'agrees' for c in CLAIMS)} agree, "
                 f"{sum(c.verdict == 'direction' for c in CLAIMS)} can be compared in direction only, "
                 f"{sum(c.verdict == 'differs' for c in CLAIMS)} differ for a stated reason.")
    for topic in dict.fromkeys(c.topic for c in CLAIMS):
        lines += ["", f"## {topic[0].upper()}{topic[1:]}", "",
                  "| id | published | source | scenario: how the tool's figure is read | lightfabric | band | basis | "
                  "verdict |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        lines += [row(c, figures[c.id]) for c in CLAIMS if c.topic == topic]
    lines += ["", "## Where the tool differs, and what a row does not cover", ""]
    for c in CLAIMS:
        if c.note:
            lines.append(f"- **`{c.id}`** ({fmt(figures[c.id])} {c.unit} beside {fmt(c.published_value)}): {c.note}")
    lines += ["", "## Sources", ""]
    seen = set()
    for c in CLAIMS:
        if c.source.url not in seen:
            seen.add(c.source.url)
            lines.append(f"- {c.source.title}. {c.source.url} ({c.source.date}; {c.source.kind})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    text = render()
    PAGE.write_text(text)
    sys.stdout.write(f"wrote {PAGE.relative_to(ROOT)}: {len(CLAIMS)} claims\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
