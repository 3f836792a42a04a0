"""Walks every operation of the API's schema with each kind of caller: no token, a
token of another organisation, a token without the scope, a revoked and an expired one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openmentor.api.models import ApiToken
from openmentor.organisations.models import Organisation
from tests.api.helpers import ApiClient, token_for
from tests.conftest import Tenant, make_tenant
from tests.walk import MAKERS
from tests.walk.tokens import BODIES, Operation, operations

SECURED = [op for op in operations() if op.secured]


@pytest.fixture
def world(db: None) -> tuple[Tenant, Tenant]:
    return make_tenant("Acme"), make_tenant("Globex")


def _values(op: Operation, organisation: Organisation) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in op.params:
        values[param] = MAKERS[param](organisation, values)
    return values


def _call(client: ApiClient, op: Operation, url: str) -> Any:
    return client.get(url) if op.method == "GET" else client.post(url, BODIES.get(op.name, {}))


def test_the_schema_lists_every_resource() -> None:
    names = {op.name for op in operations()}
    assert {
        "programme_list",
        "participant_list",
        "enrolment_list",
        "mentorship_list",
        "meeting_list",
        "feedback_get",
        "matching_run_list",
    } <= names
    assert all(op.secured for op in operations()), "every operation needs a token"
    assert {op.name for op in operations() if op.has_body} <= set(BODIES)


@pytest.mark.django_db
@pytest.mark.parametrize("op", SECURED, ids=lambda op: f"{op.method} {op.name}")
def test_no_token_or_a_dead_one_is_401(op: Operation, world: tuple[Tenant, Tenant]) -> None:
    acme, _ = world
    url = op.url(_values(op, acme.organisation))
    revoked, revoked_secret = token_for(acme.owner)
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expired, expired_secret = token_for(acme.owner)
    ApiToken.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    for secret in (None, "om_not-a-token", revoked_secret, expired_secret):
        response = _call(ApiClient(secret), op, url)
        assert response.status_code == 401, (secret, response.content)
        assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "op", [op for op in SECURED if op.params], ids=lambda op: f"{op.method} {op.name}"
)
def test_objects_of_another_organisation_are_404(
    op: Operation, world: tuple[Tenant, Tenant]
) -> None:
    """Globex's token with every scope, naming Acme's objects."""
    acme, globex = world
    url = op.url(_values(op, acme.organisation))
    _, secret = token_for(globex.owner)
    response = _call(ApiClient(secret), op, url)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("op", SECURED, ids=lambda op: f"{op.method} {op.name}")
def test_a_token_without_the_scope_is_403(op: Operation, world: tuple[Tenant, Tenant]) -> None:
    acme, _ = world
    url = op.url(_values(op, acme.organisation))
    token, secret = token_for(acme.owner)
    ApiToken.objects.filter(pk=token.pk).update(scopes=[])
    response = _call(ApiClient(secret), op, url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


@pytest.mark.django_db
def test_a_token_stops_working_when_its_creator_is_no_longer_a_manager(
    world: tuple[Tenant, Tenant],
) -> None:
    acme, _ = world
    _, secret = token_for(acme.owner)
    client = ApiClient(secret)
    assert client.get("/api/v1/programmes").status_code == 200
    acme.owner.role = "participant"
    acme.owner.save()
    assert client.get("/api/v1/programmes").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/programmes",
        "/api/v1/participants",
        "/api/v1/enrolments",
        "/api/v1/mentorships",
        "/api/v1/meetings",
        "/api/v1/matching-runs",
    ],
)
def test_lists_hold_only_the_tokens_organisation(path: str, world: tuple[Tenant, Tenant]) -> None:
    acme, globex = world
    made = {
        "/api/v1/programmes": "programme_id",
        "/api/v1/participants": "participant_id",
        "/api/v1/enrolments": "enrolment_id",
        "/api/v1/mentorships": "mentorship_id",
        "/api/v1/meetings": "meeting_id",
        "/api/v1/matching-runs": "run_id",
    }[path]
    ours = MAKERS[made](acme.organisation, {})
    theirs = MAKERS[made](globex.organisation, {})
    _, secret = token_for(acme.owner)
    ids = {row["id"] for row in ApiClient(secret).get(path, {"limit": 200}).json()["items"]}
    assert ours in ids
    assert theirs not in ids
