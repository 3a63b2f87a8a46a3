"""Fuzz the API from its own OpenAPI schema (schemathesis, every check): whatever a client sends, the
server answers with a status the schema documents (never a 5xx), in the content type and shape it
documents, and refuses what the schema says is invalid. A request the schema calls valid may still
be refused with a 4xx for what no schema can state (an unknown part, a cluster the switch cannot
hold, work over the server's limits): the positive-data check accepts 404, 413 and 422 for that. A
body over the server's size limit is refused with 413 before it is read, invalid or not.

The examples per operation are bounded so that CI stays fast: 40 random examples per operation
(LIGHTFABRIC_FUZZ_EXAMPLES), beside schemathesis's coverage phase (every boundary and every invalid
value of the schema, run in full for every operation). The heavy operations (HEAVY_PATHS: each
successful answer is a Monte Carlo, a tornado, a simulation, a sweep or the whole report, up to
seconds) get 10 random examples (LIGHTFABRIC_FUZZ_HEAVY_EXAMPLES); setting LIGHTFABRIC_FUZZ_EXAMPLES
alone gives them that count too, e.g. LIGHTFABRIC_FUZZ_EXAMPLES=40 for the full count everywhere."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from lightfabric.web.app import create_app
from lightfabric.web.limits import Limits

CONFIG = SchemathesisConfig.from_str("""
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "404", "413", "422"]

[checks.negative_data_rejection]
expected-statuses = ["400", "404", "413", "422"]
""")
# tighter limits than a server's defaults, so that the heavy operations (report, sensitivity, sweep)
# answer the fuzzer in a second or refuse with 413: the checks are about the schema, not the work
FUZZ_LIMITS = Limits(max_gpus=131_072, max_failure_events=2e5, max_simulated_flows=16_384,
                     max_simulated_flow_phases=100_000, max_closed_form_flow_phases=5_000_000,
                     max_design_evaluations=50)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(FUZZ_LIMITS), config=CONFIG)

# the operations whose valid requests run an analysis of seconds on the default 32k-GPU scenario
HEAVY_PATHS = ["/api/report", "/api/sensitivity", "/api/sweep", "/api/step", "/api/reliability", "/api/economics",
               "/api/collective", "/api/design"]
RANDOM = "LIGHTFABRIC_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("LIGHTFABRIC_FUZZ_EXAMPLES", "40"))
HEAVY_EXAMPLES = int(os.environ.get("LIGHTFABRIC_FUZZ_HEAVY_EXAMPLES",
                                    os.environ.get("LIGHTFABRIC_FUZZ_EXAMPLES", "10")))
SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]


def _keeps_its_schema(case):
    response = case.call()
    case.validate_response(response)
    assert response.status_code < 500, response.text


@schema.exclude(path=HEAVY_PATHS).parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, suppress_health_check=SUPPRESS)
def test_the_api_keeps_its_schema(case):
    _keeps_its_schema(case)


@schema.include(path=HEAVY_PATHS).parametrize()
@settings(max_examples=HEAVY_EXAMPLES, deadline=None, derandomize=not RANDOM, suppress_health_check=SUPPRESS)
def test_the_heavy_operations_keep_their_schema(case):
    """As test_the_api_keeps_its_schema, with HEAVY_EXAMPLES random examples (the coverage phase in full)."""
    _keeps_its_schema(case)
