from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

PENDING_INVITATION_SESSION_KEY = "openmentor.pending_invitation"


class AccountAdapter(DefaultAccountAdapter):
    """Sends a person who arrived through an invitation back to it after login."""

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        token = request.session.get(PENDING_INVITATION_SESSION_KEY)
        if token:
            from django.urls import reverse

            return reverse("invitation_accept", kwargs={"token": token})
        return super().get_login_redirect_url(request)
