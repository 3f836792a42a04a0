"""Reads of API tokens, and the token behind a request's secret."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from openmentor.api.models import ApiToken
from openmentor.organisations.models import MANAGING_ROLES, Organisation
from openmentor.organisations.services import hash_token


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret: not revoked, not expired, and its creator still an
    owner or manager of the organisation; None otherwise (one query)."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("organisation", "membership__user")
        .filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
            token_hash=hash_token(secret),
            revoked_at__isnull=True,
            membership__role__in=list(MANAGING_ROLES),
        )
        .first()
    )


def api_tokens(*, organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("membership__user")


def api_token_in(*, organisation: Organisation, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, organisation=organisation, pk=token_id)
