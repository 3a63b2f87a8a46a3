"""Fuzz the API from its own OpenAPI schema (schemathesis): whatever a client sends, the server
answers with a 2xx or a 4xx, never a 500, and the response matches the schema's status codes."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from lightfabric.web.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_server_errors(case):
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
    assert response.status_code < 500, response.text
