"""The django-allauth social account adapter: an organisation's identity provider signs
in only addresses at the domains that organisation claimed, and a person with such an
address who already has an account is signed in to it."""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.shortcuts import render

from openmentor.accounts.models import User
from openmentor.sso.models import SsoDomain
from openmentor.sso.selectors import domain_of, provider_for_app


def _refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(
        render(request, "sso/refused.html", {"message": message}, status=403)
    )


def sociallogin_email(sociallogin: Any) -> str:
    email = (sociallogin.user.email or "").strip().lower()
    if not email:
        for address in sociallogin.email_addresses:
            if address.email:
                return str(address.email).strip().lower()
    return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        app = getattr(sociallogin.provider, "app", None)
        provider = provider_for_app(getattr(app, "pk", None))
        if provider is None:
            raise _refuse(request, "This sign-on is not configured for any organisation.")
        email = sociallogin_email(sociallogin)
        organisation = provider.organisation
        domains = set(
            SsoDomain.objects.filter(organisation=organisation).values_list("domain", flat=True)
        )
        if not email or domain_of(email) not in domains:
            raise _refuse(
                request,
                f"{organisation.name}'s sign-on signed you in as {email or 'someone without an e-mail address'}, "
                f"but it serves only addresses at {', '.join(sorted(domains)) or 'no domain yet'}.",
            )
        # The organisation vouches for addresses at its own domains.
        sociallogin.user.email = email
        for address in sociallogin.email_addresses:
            if address.email and domain_of(address.email) in domains:
                address.verified = True
        request.session["openmentor.sso_provider"] = provider.pk
        if not sociallogin.is_existing:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None:
                sociallogin.connect(request, existing)

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True
