"""The HTML report: written by the CLI, parses, holds every figure and table, names the infeasible
designs, cites its sources, references nothing outside itself and draws offline in Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lightfabric.compare import compare
from lightfabric.report.html import figures, gather
from lightfabric.scenario.loader import load_scenario
from test_cli import lf

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class _Outline(HTMLParser):
    """Collects what the checks need: figure ids, tables, external references, open tags."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base", "embed", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.figures, self.tables, self.external, self.stack, self.ids = [], 0, [], [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-figure" in a:
            self.figures.append(a["data-figure"])
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table":
            self.tables += 1
        for key in ("src", "href"):
            if a.get(key) and re.match(r"^(https?:)?//", a[key]) and tag in ("script", "link", "img", "iframe"):
                self.external.append(a[key])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[str, list[str]]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = lf("report", "-o", str(out), "--trials", "40")
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    expected = list(figures(gather(load_scenario(), trials=40)))
    return out.read_text(encoding="utf-8"), expected


def test_report_parses_and_holds_every_figure(written):
    text, expected = written
    outline = _Outline()
    outline.feed(text)
    outline.close()
    assert outline.stack == []
    # every figure the results allow: power, BOM, TCO, one link budget per optical design, lasers,
    # failures, GPUs down, value chain, tornado, collectives, density
    assert outline.figures == expected
    for fid in ("power", "bom", "tco", "link-pluggable-dsp", "link-lpo", "link-cpo", "lasers", "failures",
                "gpus-down", "valuechain", "tornado", "collectives", "density"):
        assert fid in outline.figures
    assert outline.tables >= 8  # winners, comparison, economics, reliability, value chain, tornado, break-even, sources
    assert {"summary", "figures", "tables", "assumptions", "winners"} <= outline.ids


def test_report_is_self_contained(written):
    text, _ = written
    outline = _Outline()
    outline.feed(text)
    assert outline.external == []
    assert "<script src" not in text and "<link rel='stylesheet'" not in text
    assert len(text) > 3_000_000  # plotly.js is inside


def test_report_summary_and_sources(written):
    text, _ = written
    # the winners table names the lowest-power design of the comparison
    assert re.search(r"fabric power \(MW\).*?data-winner='cpo'", text, re.S)
    # the assumptions section cites the catalog's sources
    assert "convergedigest.blogspot.com" in text and "vendor-claim" in text and "estimate" in text
    # issue 20: the downtime's model, the job mix and repair policy behind it, and every link group's technology
    assert "the network&#x27;s marginal cost" in text or "the network's marginal cost" in text
    assert "job mix: training-cluster" in text and "repair policy: swap-now" in text
    assert "Link groups: technology" in text


def test_report_lists_infeasible_designs(tmp_path):
    out = tmp_path / "r.html"
    r = lf("report", str(EXAMPLES / "scale-up-512-copper-limit.yaml"), "-o", str(out), "--trials", "20")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    # the report's comparison section is compare(scenario).to_dict() (report.html.gather): that alone, not
    # every other section again
    comparison = compare(load_scenario(EXAMPLES / "scale-up-512-copper-limit.yaml")).to_dict()
    reasons = [reason for res in comparison["results"] for reason in res["reasons"]]
    assert reasons, "the example should have an infeasible design"
    import html
    for reason in reasons:
        assert html.escape(reason) in text


@pytest.mark.parametrize("args, field", [
    (["-o", "report.txt"], "--output"),
    (["-o", "/no/such/dir/r.html"], "--output"),
])
def test_report_bad_output(args, field):
    r = lf("report", *args)
    assert r.returncode == 2 and field in r.stderr


def test_report_draws_offline_in_chromium(written, chromium, tmp_path, artifacts):
    text, expected = written
    path = tmp_path / "report.html"
    path.write_text(text, encoding="utf-8")
    context = chromium.new_context(viewport={"width": 1250, "height": 900}, offline=True)
    page = context.new_page()
    requested: list[str] = []
    page.route("**/*", lambda route: (requested.append(route.request.url),
                                      route.continue_() if route.request.url.startswith("file:") else route.abort()))
    page.goto(path.as_uri())
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(expected)}",
                           timeout=60_000)
    assert all(u.startswith("file:") for u in requested), requested
    page.locator("[data-figure=link-cpo]").screenshot(path=str(artifacts / "report-link-cpo.png"))
    page.locator("[data-figure=power]").screenshot(path=str(artifacts / "report-power.png"))
    context.close()


def test_report_of_one_technology(tmp_path):
    """One design: no break-even (it needs two), but every figure it allows, the tornado included."""
    scenario = tmp_path / "one.yaml"
    scenario.write_text(load_scenario().model_dump_json())  # JSON is YAML
    text = scenario.read_text().replace('"technologies":["pluggable-dsp","lpo","cpo"]', '"technologies":["cpo"]')
    assert '"technologies":["cpo"]' in text
    scenario.write_text(text)
    out = tmp_path / "one.html"
    r = lf("report", str(scenario), "-o", str(out), "--trials", "20")
    assert r.returncode == 0, r.stderr
    outline = _Outline()
    outline.feed(out.read_text())
    assert "tornado" in outline.figures and "link-cpo" in outline.figures
    assert "Break-even" not in out.read_text()
