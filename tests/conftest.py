from collections import Counter

import pytest

from lightfabric import Catalog


def pytest_collection_modifyitems(config, items):
    """Refuse a collection in which two tests share a node id: pytest-xdist schedules and reports
    by id and runs only one of them, silently (schemathesis's per-operation items did so under
    pytest 9.2, whose ids leave out the operation)."""
    repeated = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if repeated:
        raise pytest.UsageError(f"{len(repeated)} node ids are shared by several tests, e.g. {repeated[0]!r}: "
                                "pytest-xdist would run one of each; use the pytest version pyproject.toml names")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.default()


BASE = """
name: test
cluster:
  gpus: {gpus}
  gpu: {gpu}
scale_out:
  switch: {switch}
  port_rate_gbps: {rate}
  nic: {nic}
  tiers: {tiers}
  oversubscription: {over}
  link_length_m: {{nic_leaf_m: 15, leaf_spine_m: 60, spine_core_m: 200}}
technologies: [pluggable-dsp, lpo, cpo]
"""


def scenario_text(gpus=512, gpu="gb300", switch="tomahawk-5", rate=800, nic="connectx-8", tiers="auto", over=1.0,
                  extra=""):
    return BASE.format(gpus=gpus, gpu=gpu, switch=switch, rate=rate, nic=nic, tiers=tiers, over=over) + extra


ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium driven by Playwright; skipped where it is not installed, except in CI
    (CI=true), where a missing browser is a failure (.ci/run installs it)."""
    import os
    import shutil
    path = os.environ.get("LIGHTFABRIC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium on PATH; .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts():
    """Where tests leave screenshots for people to look at (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

