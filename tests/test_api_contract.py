"""The API does what its OpenAPI document says, checked by schemathesis with all its checks:
no request the document allows is refused, none it forbids is accepted, every status is
documented and every response conforms. Generated from the document, deterministic, a few
seconds."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from reporter.api.openapi import SEEN_AT_FORMAT

EXAMPLES = 40
IDEMPOTENCY_KEY = "Idempotency-Key"


def _recent_uk_times():
    """Times the API accepts for `seen_at`: in the last year, written as reporters write them."""
    now = datetime.now(UTC).replace(tzinfo=None)
    moments = st.datetimes(min_value=now - timedelta(days=360), max_value=now - timedelta(days=1))
    formats = st.sampled_from(["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"])
    return st.tuples(moments, formats).map(lambda pair: pair[0].strftime(pair[1]))


schemathesis.openapi.format(SEEN_AT_FORMAT, _recent_uk_times())


def _operations(app):
    config = SchemathesisConfig.from_dict({"generation": {"deterministic": True}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_every_promise_of_its_document(app, mode):
    operations = _operations(app)
    assert {op.label for op in operations} == {
        "GET /guidance",
        "POST /reports",
        "POST /follow-up",
        "POST /follow-up/sightings",
    }
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_its_promises(case):
            # A key is one report's: generated keys repeat across different bodies, which is
            # a 422 (tests/test_idempotency.py), so each case sends a valid key of its own.
            if case.headers and IDEMPOTENCY_KEY in case.headers and mode == GenerationMode.POSITIVE:
                case.headers[IDEMPOTENCY_KEY] = secrets.token_urlsafe(18)
            case.call_and_validate()

        keeps_its_promises()
