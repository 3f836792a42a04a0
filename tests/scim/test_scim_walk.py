"""Every SCIM endpoint, with no token, a revoked one, and another organisation's."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from openmentor.scim.models import ScimToken
from tests.conftest import Tenant, make_tenant
from tests.scim.helpers import ScimClient, scim_token
from tests.test_url_walk import Route, own_routes
from tests.walk import MAKERS

SCIM_ROUTES = [r for r in own_routes() if r.template.startswith("scim/v2/")]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def world(db: None) -> tuple[Tenant, Tenant]:
    return make_tenant("Acme"), make_tenant("Globex")


def _path(route: Route, tenant: Tenant) -> str:
    values: dict[str, Any] = {}
    for param in route.params:
        values[param] = MAKERS[param](tenant.organisation, values)
    return route.path(values)


def test_the_walk_sees_the_scim_endpoints() -> None:
    assert {r.name for r in SCIM_ROUTES} >= {"scim_users", "scim_user", "scim_groups", "scim_group"}


@pytest.mark.django_db
@pytest.mark.parametrize("route", SCIM_ROUTES, ids=lambda r: r.name)
def test_without_a_live_token_every_method_is_401(
    route: Route, world: tuple[Tenant, Tenant]
) -> None:
    acme, _ = world
    path = _path(route, acme)
    revoked, revoked_secret = scim_token(acme.owner)
    ScimToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    for secret in (None, "scim_not-a-token", revoked_secret):
        client = ScimClient(secret)
        for method in METHODS:
            response = client._send(
                method, path, {} if method in ("post", "put", "patch") else None
            )
            assert response.status_code == 401, (method, secret)
            assert response.json()["status"] == "401"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in SCIM_ROUTES if r.params], ids=lambda r: r.name)
def test_another_organisations_token_finds_nothing(
    route: Route, world: tuple[Tenant, Tenant]
) -> None:
    acme, globex = world
    path = _path(route, acme)
    client = ScimClient(scim_token(globex.owner)[1])
    for method in METHODS:
        response = client._send(
            method,
            path,
            {"schemas": [], "Operations": []} if method in ("post", "put", "patch") else None,
        )
        assert response.status_code in (404, 405), (method, response.content)
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_lists_hold_only_the_tokens_organisation(world: tuple[Tenant, Tenant]) -> None:
    acme, globex = world
    client = ScimClient(scim_token(globex.owner)[1])
    ids = {r["id"] for r in client.get("/scim/v2/Users").json()["Resources"]}
    assert str(acme.participant.user_id) not in ids
    assert str(globex.participant.user_id) in ids
    MAKERS["group_id"](acme.organisation, {})
    assert client.get("/scim/v2/Groups").json()["totalResults"] == 0
