from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from openmentor.organisations.models import Organisation
from openmentor.sso.models import SsoDomain, SsoProvider


def sso_providers(*, organisation: Organisation) -> dict[str, SsoProvider]:
    return {
        p.protocol: p
        for p in SsoProvider.objects.filter(organisation=organisation).select_related("social_app")
    }


def sso_domains(*, organisation: Organisation) -> QuerySet[SsoDomain]:
    return SsoDomain.objects.filter(organisation=organisation)


def provider_for_app(app_id: int | None) -> SsoProvider | None:
    if app_id is None:
        return None
    return SsoProvider.objects.select_related("organisation").filter(social_app_id=app_id).first()


def domain_of(email: str) -> str:
    return email.strip().lower().rsplit("@", 1)[-1]


def sso_required_for(email: str) -> SsoDomain | None:
    """The domain rule that keeps this person from signing in with a password: their
    address is at a domain an organisation they belong to requires sign-on for."""
    return (
        SsoDomain.objects.filter(
            domain=domain_of(email),
            sso_required=True,
            organisation__memberships__user__email__iexact=email.strip(),
        )
        .select_related("organisation")
        .first()
    )


def sign_on_url(email: str) -> str | None:
    """Where someone with this address starts their organisation's sign-on, if any."""
    domain = SsoDomain.objects.filter(domain=domain_of(email)).first()
    if domain is None:
        return None
    providers = sso_providers(organisation=domain.organisation)
    if SsoProvider.Protocol.OIDC in providers:
        return reverse(
            "openid_connect_login",
            kwargs={"provider_id": providers[SsoProvider.Protocol.OIDC].social_app.provider_id},
        )
    if SsoProvider.Protocol.SAML in providers:
        return reverse(
            "saml_login", args=[providers[SsoProvider.Protocol.SAML].social_app.client_id]
        )
    return None
