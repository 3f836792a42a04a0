"""The django-allauth social account adapter: an organisation's identity provider signs
in only addresses at the domains that organisation claimed, and a person with such an
address who already has an account is signed in to it."""

from __future__ import annotations

from typing import Any

import requests
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.shortcuts import render

from openmentor.accounts.models import User
from openmentor.core import outbound
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


class _RefusingSession:
    """Wraps the vetted session: a request our outbound rules refuse (the discovery
    document naming an endpoint on our own network, a host name that now resolves to
    one) ends the sign-in with a page that says why, not a server error."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session

    def __enter__(self) -> _RefusingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self._session.close()

    def close(self) -> None:
        self._session.close()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(method, url, **kwargs)
        except outbound.RefusedRequest as error:
            raise _refuse(
                context.request,
                f"The identity provider could not be reached safely: {error} "
                "Ask your organisation's owner to check its sign-on settings.",
            ) from error

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_requests_session(self) -> Any:
        # allauth fetches the issuer's discovery document, then the token, user-info and
        # key endpoints it names: URLs an organisation (or its provider) chose, held to the
        # same rules as webhooks.
        return _RefusingSession(outbound.vetted_session(timeout=10.0))

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
