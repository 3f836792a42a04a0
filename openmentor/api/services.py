"""Writes of API tokens: created by an owner (the secret shown once), revoked by an owner."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openmentor.api.models import ApiToken
from openmentor.api.scopes import ALL_SCOPES
from openmentor.organisations.models import Membership, Role
from openmentor.organisations.services import hash_token

SECRET_PREFIX = "om_"  # noqa: S105  (a label, not a secret)
MAX_TOKENS = 50


def _require_owner(actor: Membership, organisation_id: int) -> None:
    if actor.organisation_id != organisation_id or actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner of the organisation manages its API tokens.")


@transaction.atomic
def api_token_create(
    *,
    actor: Membership,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None,
) -> tuple[ApiToken, str]:
    """Creates a token acting as `actor` with `scopes`; returns it with its secret, which
    is stored only as a hash and so can never be shown again."""
    _require_owner(actor, actor.organisation_id)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Name the token (up to 100 characters)."})
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValidationError({"scopes": f"Unknown scopes: {', '.join(unknown)}."})
    if not scopes:
        raise ValidationError({"scopes": "Choose at least one scope."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    live = ApiToken.objects.filter(organisation_id=actor.organisation_id, revoked_at__isnull=True)
    if live.count() >= MAX_TOKENS:
        raise ValidationError(f"An organisation has at most {MAX_TOKENS} live tokens.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation_id=actor.organisation_id,
        membership=actor,
        name=name,
        prefix=secret[:10],
        token_hash=hash_token(secret),
        scopes=[s for s in ALL_SCOPES if s in scopes],
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Membership) -> None:
    """Stops the token from working at once; the row stays for the record."""
    _require_owner(actor, token.organisation_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_touch(*, token: ApiToken) -> None:
    """Notes when the token was last used, at most once a minute (not a write per call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
