"""The web app in a real browser: `lightfabric serve` on loopback, headless Chromium loads the page,
changes the GPU count and sees the figures change; picks an example, uploads a scenario, browses the
catalog. Screenshots go to artifacts/ (not committed)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

LF = [sys.executable, "-c", "from lightfabric.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(LF + ["serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/examples", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"lightfabric serve did not start: {proc.stdout.read()}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture()
def page(chromium, server):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    yield page
    context.close()
    assert not errors, errors


def _updates(page, n: int) -> None:
    page.wait_for_function(f"Number(document.body.dataset.updated || 0) >= {n}", timeout=90_000)


def _power_bars(page) -> list[list[float]]:
    return page.evaluate("document.getElementById('fig-power').data.filter(t => t.type === 'bar').map(t => Array.from(t.y))")


def test_changing_the_gpu_count_redraws_the_figures(page, artifacts):
    _updates(page, 1)
    assert page.input_value("#gpus") == "32768"
    before = _power_bars(page)
    drawn = page.evaluate("Array.from(document.querySelectorAll('.figure.drawn')).map(e => e.id)")
    for fig in ("fig-power", "fig-bom", "fig-tco", "fig-failures", "fig-gpus-down", "fig-valuechain", "fig-collectives"):
        assert fig in drawn
    assert page.locator("#fig-power .main-svg").count() > 0  # plotly rendered an SVG
    page.wait_for_timeout(1000)  # let plotly's transitions settle before the picture
    page.screenshot(path=str(artifacts / "webapp.png"))
    page.fill("#gpus", "4096")
    page.dispatch_event("#gpus", "change")
    _updates(page, 2)
    after = _power_bars(page)
    assert page.get_attribute("#metrics", "data-gpus") == "4096"
    # 8x fewer GPUs: every power category drops by roughly that much (switch counts round)
    ratio = sum(map(sum, before)) / sum(map(sum, after))
    assert 6 < ratio < 10, ratio
    page.screenshot(path=str(artifacts / "webapp-4096-gpus.png"), full_page=True)


def test_a_bad_value_is_shown_next_to_its_field(page):
    _updates(page, 1)
    page.fill("#gpus", "5000000")
    page.dispatch_event("#gpus", "change")
    page.wait_for_selector("#gpus.invalid", timeout=30_000)
    assert "GPUs" in page.inner_text("#errors")
    # no result of the previous scenario stays on screen beside the refused value
    assert page.inner_html("#metrics") == "" and page.evaluate("document.querySelectorAll('.figure.drawn').length") == 0


def test_example_and_upload(page, tmp_path: Path, artifacts):
    _updates(page, 1)
    page.select_option("#example", "rail-8k-h100-pluggable")
    _updates(page, 2)
    assert page.input_value("#gpus") == "8192" and page.input_value("#gpu") == "h100"
    text = Path(__file__).resolve().parent.parent.joinpath("examples", "h100-4k-400g-breakout.yaml").read_text()
    upload = tmp_path / "mine.yaml"
    upload.write_text(text)
    page.set_input_files("#upload", str(upload))
    _updates(page, 3)
    assert page.input_value("#gpus") == "4096"
    assert "mine.yaml" in page.inner_text("#source-note")


def test_every_link_group_shows_its_technology(page):
    """Issue 20: a column is its technology wherever it can serve and names the incumbent elsewhere."""
    _updates(page, 1)
    page.select_option("#example", "gb300-nvl72-64k-cpo")
    _updates(page, 2)
    cells = page.evaluate("Array.from(document.querySelectorAll('#metrics td.tech')).map(e => "
                          "[e.dataset.group, e.textContent])")
    assert ["scale-up", "copper (incumbent)"] in cells          # the pluggable column keeps NVLink copper
    assert ["leaf-spine", "cpo"] in cells
    # the reliability choices behind the downtime, named
    page.wait_for_selector("#assumptions li", timeout=60_000)
    text = page.inner_text("#assumptions")
    assert "job mix training-cluster" in text and "repair policy swap-now" in text


def test_a_torus_and_a_direct_connect_fabric_in_the_page(page):
    """Issue 22: a torus (no switch, no port rate) builds in the page; a direct-connect fabric shows
    its traffic patterns: uniform at the GPUs' rate, a permutation of blocks at half."""
    _updates(page, 1)
    page.select_option("#example", "tpu-ironwood-pod-torus")
    _updates(page, 2)
    assert page.input_value("#gpus") == "9216" and page.input_value("#switch") == ""
    assert "torus of 144 cubes" in page.inner_text("#status")
    page.wait_for_function("document.getElementById('traffic-note').textContent.includes('blocks')", timeout=60_000)
    page.select_option("#example", "jupiter-direct-connect-64k")
    _updates(page, 3)
    page.wait_for_selector("#traffic tr", timeout=60_000)
    rows = page.evaluate("Array.from(document.querySelectorAll('#traffic tr')).map(r => r.innerText)")
    assert any(r.startswith("uniform") and "100 %" in r for r in rows), rows
    assert any(r.startswith("block permutation") and "50 %" in r for r in rows), rows


def test_any_key_edited_downloaded_and_shared(page, chromium, server):
    """Issue 23: a key outside the main fields (the NIC) is edited in the form built from the schema;
    the title says the scenario was edited; the CSV downloads; the page's URL restores the scenario."""
    _updates(page, 1)
    page.click('details[data-section="scale_out"] > summary')
    nic = page.locator('[id="f-scale_out.nic"]')
    section = page.inner_text('details[data-section="scale_out"]')
    assert "port_rate_gbps (Gb/s)" in section and "planes 1 to 16; default 1" in section   # unit, range, default
    nic.select_option(label="connectx-7")
    _updates(page, 2)
    assert page.evaluate("window.lightfabric.lastCompare.result.inputs.nic") == "connectx-7"
    assert "(edited)" in page.inner_text("#title")
    with page.expect_download() as dl:
        page.click("#download-csv")
    text = Path(dl.value.path()).read_text()
    header, *rows = [r for r in text.splitlines() if r]
    assert header.startswith("technology") and len(rows) == page.evaluate("window.lightfabric.lastCompare.result.results.length")
    url = page.url
    assert "#s=" in url
    other = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(url)
    _updates(other, 1)
    assert other.evaluate("window.lightfabric.lastCompare.result.inputs.nic") == "connectx-7"
    assert other.input_value('[id="f-scale_out.nic"]') == '"connectx-7"'
    assert "(edited)" in other.inner_text("#title")
    other.context.close()


def test_analysis_pages_show_their_tables(page):
    _updates(page, 1)
    page.click("button.tab[data-tab=reliability]")
    page.wait_for_selector("#rel-table tr", timeout=60_000)
    assert "goodput" in page.inner_text("#rel-table")
    assert page.locator("#fig-rel-failures.drawn").count() == 1
    page.click("button.tab[data-tab=economics]")
    assert "TCO (M USD)" in page.inner_text("#eco-table")
    page.click("button.tab[data-tab=step]")
    page.click("#step-run")
    page.wait_for_selector("#step-table tr", timeout=60_000)
    assert "step time (s)" in page.inner_text("#step-table")


def test_the_design_page_finds_a_design_and_opens_it_in_compare(page):
    _updates(page, 1)
    page.click("button.tab[data-tab=design]")
    page.fill("#design-gpus", "1024")
    page.fill("#design-constraints", "bisection >= 1; network_power_mw <= 0.2")
    page.click("#design-run")
    page.wait_for_selector("#design-best tr td", timeout=90_000)
    assert "tco" in page.inner_text("#design-best").lower()
    assert "evaluated exactly" in page.inner_text("#design-status")
    page.click("#design-open")
    _updates(page, 2)
    assert "designed-1024-gb300" in page.inner_text("#title")


def test_api_docs_render_with_no_network(chromium, server):
    """Issue 23: /docs loads Swagger UI from this server, not a CDN: it renders with every other host blocked."""
    context = chromium.new_context()
    blocked: list[str] = []

    def only_local(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()
    context.route("**/*", only_local)
    docs = context.new_page()
    docs.goto(server + "/docs")
    docs.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "lightfabric" in docs.inner_text(".swagger-ui .info .title")
    assert docs.locator(".opblock").count() > 10
    assert not blocked, blocked
    context.close()


def test_catalog_browser_shows_sources(page, artifacts):
    _updates(page, 1)
    page.click("button[data-tab=catalog]")
    page.fill("#catalog-search", "tomahawk-5")
    page.click("#catalog-list tr[data-id=tomahawk-5]")
    page.wait_for_selector("#catalog-part h3", timeout=10_000)
    text = page.inner_text("#catalog-part")
    assert "capacity_gbps" in text and "51200" in text and "vendor-claim" in text
    page.screenshot(path=str(artifacts / "webapp-catalog.png"))
