"""schemathesis generates requests from the API's OpenAPI schema, valid ones and invalid
ones, and sends them in-process with a token holding every scope: no answer may be a
server error, and every answer must match what the schema documents.

(schemathesis's pytest plugin does not run under pytest 9 yet, so the test walks the
schema's operations and drives each one's hypothesis strategy itself.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode

from tests.api.helpers import token_for
from tests.conftest import make_tenant
from tests.scenarios import active_mentorship, enrolling_programme

EXAMPLES = 25
# A schema cannot state every rule (a programme starts before it ends, an enrolment is
# decided once, matching runs one at a time): such refusals answer 400 with the error
# body and are expected for schema-valid requests. 422 is not: it comes only from the
# schema's own validation, so a valid request answered 422 means schema and server differ.
CONFIG = SchemathesisConfig.from_dict(
    {
        # NUL characters in query keys are dropped on the way (the WSGI client), so the
        # server never sees what it would refuse.
        "generation": {"allow-x00": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": [200, 201, 202, 400, 401, 403, 404, 409, 429]
            }
        },
    }
)


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    # Requests run through Django's WSGI handler in this thread, inside the test's
    # transaction; like Django's test client, keep the handler from closing the connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_every_generated_request_as_documented(
    api_schema: Any, mode: GenerationMode
) -> None:
    tenant = make_tenant("Acme")
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=2)
    active_mentorship(tenant.organisation, programme=scenario.programme)
    headers = {"Authorization": f"Bearer {token_for(tenant.owner)[1]}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            cache.clear()  # the token's rate limit is not what is under test here
            # A negative case may leave the Authorization header out or mangle it on
            # purpose: sending our token then would undo its mutation, and the request
            # could be valid (a mangled header beside a mutated query value that does not
            # survive serialisation was answered 200 and failed the check).
            dropped = "Authorization" not in (case.headers or {})
            mangled = case._meta is not None and case._meta.is_negative_at(ParameterLocation.HEADER)
            case.call_and_validate(headers={} if dropped or mangled else headers)

        check()
