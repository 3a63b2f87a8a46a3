import pytest

from lightfabric import Catalog


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
