"""Walk makers for the single sign-on pages."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialApp

from openmentor.sso.models import SsoDomain, SsoProvider


def sso_domain_id(organisation: Any, values: dict[str, Any]) -> int:
    return SsoDomain.objects.create(
        organisation=organisation, domain=f"{organisation.slug}.example"
    ).pk


def sso_provider_id(organisation: Any, values: dict[str, Any]) -> int:
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id=f"om-{organisation.slug}",
        name=organisation.name,
        client_id="walk",
        secret="walk",
        settings={"server_url": "https://idp.example.org"},
    )
    return SsoProvider.objects.create(organisation=organisation, protocol="oidc", social_app=app).pk


MAKERS = {"sso_domain_id": sso_domain_id, "sso_provider_id": sso_provider_id}
PUBLIC = {"sso_start"}
