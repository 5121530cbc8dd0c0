"""Property-based fuzzing of every operation in /openapi.json against a live server.

Schemathesis generates valid and invalid requests from the schema; no answer may be a 5xx, and
every answer must match the schema (status code, content type, body, headers). Invalid input
must be rejected with a 4xx, and valid input accepted: the schema states the question rules
(length, whitespace-only text, control characters, 200-character words) as a pattern.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow  # tens of seconds: started first under xdist

MAX_EXAMPLES = 150  # per operation and mode; about 1,000 requests, ~20 s on 2 cores
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]


def fuzz_operation(operation: schemathesis.APIOperation, mode: GenerationMode, url: str) -> int:
    """Run one operation's examples in one mode; returns how many requests were sent."""
    sent = 0

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(base_url=url, checks=CHECKS, timeout=30)

    try:
        fuzz()
    except Unsatisfiable:  # nothing invalid can be said to a parameterless operation
        assert mode is GenerationMode.NEGATIVE
    return sent


@pytest.mark.timeout(240)
def test_schemathesis_finds_no_5xx_and_no_schema_violation(live_server):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/ask",
        "/search",
        "/documents",
        "/documents/{doc_id}",
        "/health",
        "/ready",
        "/metrics",
        "/admin/reload",
    }
    started = time.monotonic()
    examples = {
        f"{operation.method.upper()} {operation.path} {mode.value}": fuzz_operation(
            operation, mode, live_server.url
        )
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    }
    total = sum(examples.values())
    print(
        f"\nschemathesis: {total} examples over {len(examples)} operation/mode pairs "
        f"in {time.monotonic() - started:.1f} s, no failure"
    )
    for label, count in sorted(examples.items()):
        print(f"  {count:4d}  {label}")
    assert total >= 6 * MAX_EXAMPLES  # every operation with inputs ran its full budget
