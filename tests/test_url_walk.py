"""Walks every URL pattern as each kind of visitor and checks tenancy and roles.

New URLs are covered automatically: a URL under /o/<slug>/ whose view is not wrapped
by `organisation_view` fails here, and so does a URL parameter that names an object
this test does not know how to create in another organisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openmentor.organisations.models import Invitation, Organisation, Role
from tests.conftest import Tenant, client_for, make_tenant
from tests.walk import MAKERS as OBJECT_MAKERS
from tests.walk import PERSONAL, PUBLIC
from tests.walk.tokens import TOKEN_OPERATIONS

# URL name prefixes served by third parties with their own access rules.
THIRD_PARTY_PREFIXES = ("admin/", "accounts/")
# Served with bearer tokens, not sessions: walked by tests/api/test_api_walk.py (every
# operation of the schema needs a token) and tests/scim/test_scim_walk.py.
TOKEN_PREFIXES = ("api/v1/", "scim/v2/")

# Secrets in URLs (invitation and join links): a wrong one must be refused politely.
OPAQUE_PARAMS = {"token": "not-a-real-token"}


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # e.g. "o/<slug:slug>/invitations/<int:invitation_id>/revoke/"
    callback: Callable[..., Any]

    @property
    def params(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.template)

    def path(self, values: dict[str, Any]) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.template)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield Route(
                name=entry.name or "", template=prefix + str(entry.pattern), callback=entry.callback
            )


def own_routes() -> list[Route]:
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if not r.template.startswith(THIRD_PARTY_PREFIXES)
    ]


def organisation_routes() -> list[Route]:
    return [r for r in own_routes() if r.template.startswith("o/<slug:slug>/")]


def test_every_route_is_classified() -> None:
    for route in own_routes():
        if route.template.startswith("scim/v2/"):
            assert getattr(route.callback, "scim_token_required", False), (
                f"{route.template} ({route.name}) is served without a SCIM token check"
            )
        elif route.template.startswith(TOKEN_PREFIXES) and route.name not in PUBLIC:
            assert route.name in TOKEN_OPERATIONS, (
                f"{route.template} ({route.name}) is served without a token check"
            )
        elif route.template.startswith("o/"):
            assert hasattr(route.callback, "organisation_roles"), (
                f"{route.template} is an organisation URL but its view is not wrapped in "
                "organisation_view(): it would not be scoped to the organisation"
            )
        else:
            assert route.name in PUBLIC | PERSONAL, (
                f"{route.template} ({route.name}) is unclassified"
            )
        for param in route.params:
            assert param == "slug" or param in OBJECT_MAKERS or param in OPAQUE_PARAMS, (
                f"{route.template}: add a maker for parameter {param!r} to OBJECT_MAKERS"
            )


@pytest.fixture
def world(db: None) -> tuple[Tenant, Tenant]:
    return make_tenant("Acme"), make_tenant("Globex")


def _values(route: Route, tenant: Tenant, object_org: Organisation) -> dict[str, Any]:
    values: dict[str, Any] = {"slug": tenant.organisation.slug}
    for param in route.params:
        if param in OBJECT_MAKERS:
            values[param] = OBJECT_MAKERS[param](object_org, values)
        elif param in OPAQUE_PARAMS:
            values[param] = OPAQUE_PARAMS[param]
    return values


def _both_methods(client: Client, path: str) -> list[int]:
    return [client.get(path).status_code, client.post(path).status_code]


@pytest.mark.django_db
@pytest.mark.parametrize("route", organisation_routes(), ids=lambda r: r.name)
def test_anonymous_is_sent_to_login(route: Route, world: tuple[Tenant, Tenant]) -> None:
    acme, _ = world
    path = route.path(_values(route, acme, acme.organisation))
    for response in (Client().get(path), Client().post(path)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("route", organisation_routes(), ids=lambda r: r.name)
def test_manager_of_another_organisation_gets_404(
    route: Route, world: tuple[Tenant, Tenant]
) -> None:
    acme, globex = world
    path = route.path(_values(route, acme, acme.organisation))
    assert _both_methods(client_for(globex.manager), path) == [404, 404]
    assert _both_methods(client_for(globex.owner), path) == [404, 404]


@pytest.mark.django_db
@pytest.mark.parametrize("route", organisation_routes(), ids=lambda r: r.name)
def test_unknown_organisation_slug_is_404_like_a_foreign_one(
    route: Route, world: tuple[Tenant, Tenant]
) -> None:
    acme, _ = world
    values = _values(route, acme, acme.organisation)
    values["slug"] = "no-such-organisation"
    assert _both_methods(client_for(acme.owner), route.path(values)) == [404, 404]


@pytest.mark.django_db
@pytest.mark.parametrize("route", organisation_routes(), ids=lambda r: r.name)
def test_participant_gets_403_on_manager_pages(route: Route, world: tuple[Tenant, Tenant]) -> None:
    acme, _ = world
    path = route.path(_values(route, acme, acme.organisation))
    roles = route.callback.organisation_roles
    statuses = _both_methods(client_for(acme.participant), path)
    if roles is not None and Role.PARTICIPANT not in roles:
        assert statuses == [403, 403]
    else:
        assert 403 not in statuses and 404 not in statuses


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in organisation_routes() if set(r.params) & set(OBJECT_MAKERS)],
    ids=lambda r: r.name,
)
def test_objects_of_another_organisation_are_404(
    route: Route, world: tuple[Tenant, Tenant]
) -> None:
    """Acme's owner, on Acme's URL, naming an object that belongs to Globex."""
    acme, globex = world
    path = route.path(_values(route, acme, globex.organisation))
    get_status, post_status = _both_methods(client_for(acme.owner), path)
    assert post_status == 404
    assert get_status in (404, 405)  # a POST-only view may refuse the method first


@pytest.mark.django_db
def test_public_and_personal_pages(world: tuple[Tenant, Tenant]) -> None:
    anonymous = Client()
    assert anonymous.get("/").status_code == 200
    for route in own_routes():
        if route.name in PERSONAL:
            response = anonymous.get(route.path({}))
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    acme, _ = world
    assert client_for(acme.participant).get("/orgs/").status_code == 200
    assert Invitation.objects.count() == 0
