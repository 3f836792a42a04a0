from __future__ import annotations

import json
from typing import Any

from django.test import Client

from openmentor.organisations.models import Membership
from openmentor.scim.models import ScimToken
from openmentor.scim.services import scim_token_create


def scim_token(owner: Membership, role: str = "participant") -> tuple[ScimToken, str]:
    return scim_token_create(actor=owner, name="Entra ID", role=role)


class ScimClient:
    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _send(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, bytes) else body
            kwargs["content_type"] = "application/scim+json"
        call = getattr(self.client, method)
        if method == "get":
            return call(path, params, headers=self.headers)
        return call(path, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self._send("get", path, **params)

    def post(self, path: str, body: Any) -> Any:
        return self._send("post", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self._send("put", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self._send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)


# The bodies Microsoft Entra ID's provisioning service sends (its SCIM validator's shapes).
def entra_user(email: str, external_id: str) -> dict[str, Any]:
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": external_id,
        "userName": email,
        "active": True,
        "displayName": "Ada Lovelace",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
        "title": "Analyst",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Engines",
            "manager": {"value": "someone"},
        },
        "roles": [],
    }


def entra_patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": list(operations),
    }


# The bodies Okta sends.
def okta_user(email: str) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Grace", "familyName": "Hopper"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": "Grace Hopper",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "not-used-by-OpenMentor-1",
        "active": True,
    }
