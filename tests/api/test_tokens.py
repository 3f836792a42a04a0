"""The owner's API token page: created with scopes and expiry, shown once, hashed at rest,
revoked; and the bad input it refuses."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from openmentor.api.models import ApiToken
from tests.api.helpers import ApiClient
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _url(tenant: Tenant) -> str:
    return f"/o/{tenant.organisation.slug}/integrations/api-tokens/"


def test_owner_creates_a_token_that_is_shown_once_and_stored_as_a_hash(
    tenant: Tenant, owner_client: Client
) -> None:
    response = owner_client.post(
        _url(tenant),
        {"name": "HR reports", "scopes": ["participants:read"], "expires_in_days": "30"},
    )
    assert response.status_code == 200
    secret = re.search(r'value="(om_[^"]+)"', response.content.decode()).group(1)
    assert "shown only this once" in response.content.decode()
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert token.scopes == ["participants:read"]
    assert 29 <= (token.expires_at - timezone.now()).days <= 30
    # Shown once: the list afterwards names the token by its first characters only.
    page = owner_client.get(_url(tenant)).content.decode()
    assert secret not in page and token.prefix in page and "HR reports" in page

    client = ApiClient(secret)
    assert client.get("/api/v1/participants").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.get("/api/v1/programmes").status_code == 403  # not in its scopes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scopes": ["programmes:read"]}, "This field is required."),
        ({"name": "X"}, "Choose at least one scope."),
        ({"name": "X", "scopes": ["programmes:delete"]}, "Select a valid choice."),
        ({"name": "X", "scopes": ["programmes:read"], "expires_in_days": "7"}, "valid choice"),
        ({"name": "x" * 101, "scopes": ["programmes:read"]}, "at most 100 characters"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(
    tenant: Tenant, owner_client: Client, data: dict[str, object], message: str
) -> None:
    response = owner_client.post(_url(tenant), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once(tenant: Tenant, owner_client: Client) -> None:
    response = owner_client.post(
        _url(tenant), {"name": "Sync", "scopes": ["programmes:read"], "expires_in_days": ""}
    )
    secret = re.search(r'value="(om_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.expires_at is None
    assert ApiClient(secret).get("/api/v1/programmes").status_code == 200
    response = owner_client.post(f"{_url(tenant)}{token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiClient(secret).get("/api/v1/programmes").status_code == 401
    assert "Revoked" in owner_client.get(_url(tenant)).content.decode()


def test_managers_and_participants_cannot_manage_tokens(
    tenant: Tenant, manager_client: Client, participant_client: Client
) -> None:
    for client in (manager_client, participant_client):
        assert client.get(_url(tenant)).status_code == 403
        assert (
            client.post(_url(tenant), {"name": "X", "scopes": ["programmes:read"]}).status_code
            == 403
        )
    assert not ApiToken.objects.exists()
