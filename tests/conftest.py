from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from openmentor.organisations.models import Membership, Organisation, Role
from tests.factories import MembershipFactory, OrganisationFactory


@dataclass
class Tenant:
    """An organisation with one member of each role."""

    organisation: Organisation
    owner: Membership
    manager: Membership
    participant: Membership


def make_tenant(name: str = "Acme") -> Tenant:
    organisation = OrganisationFactory(name=name)
    return Tenant(
        organisation=organisation,
        owner=MembershipFactory(organisation=organisation, role=Role.OWNER),
        manager=MembershipFactory(organisation=organisation, role=Role.MANAGER),
        participant=MembershipFactory(organisation=organisation, role=Role.PARTICIPANT),
    )


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant("Acme")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return make_tenant("Globex")


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def owner_client(tenant: Tenant) -> Client:
    return client_for(tenant.owner)


@pytest.fixture
def manager_client(tenant: Tenant) -> Client:
    return client_for(tenant.manager)


@pytest.fixture
def participant_client(tenant: Tenant) -> Client:
    return client_for(tenant.participant)


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channel layer object.

    The Redis layer keeps asyncio locks bound to the event loop that first used them, and
    every async test (and every async_to_sync call in a sync test) runs its own loop; the
    server, by contrast, runs one loop for its whole life.
    """
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture(scope="session", autouse=True)
def _url_modules_imported() -> None:
    """Every URL module (and so every view module) is imported before any test freezes
    the clock: freezegun hands `FakeDatetime` to modules imported while it is frozen, and
    the API's schemas (pydantic) cannot be built on it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
