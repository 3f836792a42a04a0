from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from openmentor.organisations.access import PENDING_INVITATION_SESSION_KEY

# One notice per account and address in this time, however long the guessing goes on.
LOGIN_NOTICE_EVERY_SECONDS = 60 * 60


def _pending_invitation_url(request: HttpRequest) -> str | None:
    token = request.session.get(PENDING_INVITATION_SESSION_KEY)
    return reverse("invitation_accept", kwargs={"token": token}) if token else None


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Sends a person who arrived through an invitation back to it, through sign-up,
    e-mail verification and login."""

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return _pending_invitation_url(request) or str(super().get_login_redirect_url(request))

    def get_email_verification_redirect_url(self, email_address: Any) -> str:
        return _pending_invitation_url(self.request) or str(
            super().get_email_verification_redirect_url(email_address)
        )

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the failed-login limit by account alone, so anyone could lock the
        # owner out by guessing wrong five times. Keyed by account and client address
        # together, the guesser is paused and the owner, from elsewhere, signs in.
        # (The per-address limit of ACCOUNT_RATE_LIMITS still slows one address trying
        # many accounts.) The address is REMOTE_ADDR, or X-Forwarded-For only when
        # BEHIND_PROXY is set (ALLAUTH_TRUSTED_PROXY_COUNT in settings).
        account = str(super()._get_login_attempts_cache_key(request, **credentials))
        return f"{account}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            self._notify_login_blocked(request, credentials)
            raise

    def _notify_login_blocked(self, request: HttpRequest, credentials: dict[str, Any]) -> None:
        """E-mails the account's owner (if the account exists) that guessing was paused."""
        from openmentor.accounts.models import User
        from openmentor.core.email import email_send

        email = str(credentials.get("email") or credentials.get("username") or "").strip()
        address = self.get_client_ip(request)
        once = f"login-notice:{email.lower()}:{address}"
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is None or not cache.add(once, 1, LOGIN_NOTICE_EVERY_SECONDS):
            return
        email_send(
            to=[user.email],
            subject="Failed sign-ins to your OpenMentor account",
            template="account/email_notice/login_blocked",
            context={"email": user.email, "address": address},
        )
