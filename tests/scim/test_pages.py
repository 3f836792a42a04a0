"""The owner's provisioning page."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from openmentor.scim.models import ScimToken
from tests.conftest import Tenant
from tests.scim.helpers import ScimClient

pytestmark = pytest.mark.django_db


def _url(tenant: Tenant) -> str:
    return f"/o/{tenant.organisation.slug}/integrations/provisioning/"


def test_owner_creates_a_token_shown_once_and_revokes_it(
    tenant: Tenant, owner_client: Client
) -> None:
    response = owner_client.post(_url(tenant), {"name": "Entra ID", "role": "participant"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r'value="(scim_[^"]+)"', html).group(1)
    assert "/scim/v2" in html
    token = ScimToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in owner_client.get(_url(tenant)).content.decode()
    assert ScimClient(secret).get("/scim/v2/Users").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert (
        "Never"
        not in owner_client.get(_url(tenant)).content.decode().split("Tokens")[1].split("Groups")[0]
    )
    owner_client.post(f"{_url(tenant)}tokens/{token.pk}/revoke/")
    assert ScimClient(secret).get("/scim/v2/Users").status_code == 401


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "role": "participant"}, "This field is required."),
        ({"name": "X", "role": "owner"}, "valid choice"),
    ],
)
def test_bad_input_creates_nothing(
    tenant: Tenant, owner_client: Client, data: dict[str, str], message: str
) -> None:
    response = owner_client.post(_url(tenant), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScimToken.objects.exists()


def test_only_owners_see_the_page(tenant: Tenant, manager_client: Client) -> None:
    assert manager_client.get(_url(tenant)).status_code == 403
