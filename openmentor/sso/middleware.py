"""Lets the sign-on confirmation page's form lead to the organisation's identity provider.

The content security policy's `form-action 'self'` also covers where a form submission
is redirected, so the POST that sends a person on to their provider would be blocked.
On allauth's OIDC and SAML login pages only, the provider's own origin is allowed too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.http import HttpRequest, HttpResponse

LOGIN_PATH = re.compile(r"^/accounts/(?P<protocol>oidc|saml)/(?P<key>[^/]+)/login/$")


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def provider_origin(protocol: str, key: str) -> str | None:
    if protocol == "oidc":
        app = SocialApp.objects.filter(provider="openid_connect", provider_id=key).first()
        return _origin(app.settings.get("server_url", "")) if app else None
    app = SocialApp.objects.filter(provider="saml", client_id=key).first()
    return _origin(app.settings.get("idp", {}).get("sso_url", "")) if app else None


class SignOnFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = LOGIN_PATH.match(request.path)
        if match and request.method == "GET":
            origin = provider_origin(match["protocol"], match["key"])
            if origin:
                response._csp_update = {"form-action": ["'self'", origin]}  # type: ignore[attr-defined]
        return response
