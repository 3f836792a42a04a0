from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from openmentor.organisations.access import PENDING_INVITATION_SESSION_KEY


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
