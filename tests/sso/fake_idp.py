"""An OpenID Connect provider's HTTP answers, for driving allauth's flow in-process:
discovery, the token endpoint and userinfo, as the adapter's requests session sees them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ISSUER = "https://idp.acme.example"


@dataclass
class FakeResponse:
    payload: dict[str, Any]
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})

    def json(self) -> dict[str, Any]:
        return self.payload

    @property
    def text(self) -> str:
        return json.dumps(self.payload)

    @property
    def content(self) -> bytes:
        return self.text.encode()

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


@dataclass
class FakeIdp:
    claims: dict[str, Any]
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __enter__(self) -> FakeIdp:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append(("GET", url))
        if url.endswith("/.well-known/openid-configuration"):
            return FakeResponse(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "jwks_uri": f"{ISSUER}/jwks",
                }
            )
        if url == f"{ISSUER}/userinfo":
            return FakeResponse(self.claims)
        return FakeResponse({}, 404)

    def post(self, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append(("POST", url))
        if url == f"{ISSUER}/token":
            return FakeResponse({"access_token": "at-1", "token_type": "Bearer", "expires_in": 300})
        return FakeResponse({}, 404)

    def close(self) -> None:
        pass

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        return self.get(url, **kwargs) if method.upper() == "GET" else self.post(url, **kwargs)
