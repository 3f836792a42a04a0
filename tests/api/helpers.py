from __future__ import annotations

from typing import Any

from django.test import Client

from openmentor.api.models import ApiToken
from openmentor.api.scopes import ALL_SCOPES
from openmentor.api.services import api_token_create
from openmentor.organisations.models import Membership


def token_for(owner: Membership, scopes: tuple[str, ...] = ALL_SCOPES) -> tuple[ApiToken, str]:
    return api_token_create(actor=owner, name="Test", scopes=list(scopes), expires_at=None)


class ApiClient:
    """A test client that sends `Authorization: Bearer <secret>` with every request."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data or {}, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            path, body or {}, content_type="application/json", headers=self.headers
        )
