"""Bearer tokens for the API: the organisation, the acting membership, scopes, rate limits."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from openmentor.api.errors import ApiError
from openmentor.api.models import ApiToken
from openmentor.api.selectors import api_token_for_secret
from openmentor.api.services import api_token_touch
from openmentor.core.ratelimit import window_allow_sync


class ApiRequest(HttpRequest):
    """The request an operation gets once its token is checked (only a type)."""

    auth: ApiToken


class ScopedToken(HttpBearer):
    """Lets the request through when its token is live and holds `scope`.

    No token, an unknown, revoked or expired one: 401. A live token without the scope: 403.
    Over the token's rate limit: 429 with Retry-After.
    """

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = api_token_for_secret(token)
        if api_token is None:
            return None
        allowed, retry_after = window_allow_sync(
            f"api-token:{api_token.pk}", limit=settings.API_RATE_LIMIT_PER_MINUTE, seconds=60
        )
        if not allowed:
            raise ApiError(
                429,
                "rate_limited",
                f"This token sent more than {settings.API_RATE_LIMIT_PER_MINUTE} requests "
                f"this minute; try again in {retry_after} seconds.",
                headers={"Retry-After": str(retry_after)},
            )
        if self.scope not in api_token.scopes:
            raise ApiError(403, "missing_scope", f"This token lacks the scope {self.scope}.")
        api_token_touch(token=api_token)
        return api_token


def scoped(scope: str) -> Any:
    return ScopedToken(scope)


def token_of(request: HttpRequest) -> ApiToken:
    return cast(ApiRequest, request).auth
