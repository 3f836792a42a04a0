"""Writes of single sign-on: an owner's OIDC and SAML providers and e-mail domains, and
the membership a person gets when they first sign in through one."""

from __future__ import annotations

import re
from typing import Any

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from openmentor.core import outbound
from openmentor.core.events import EventKind, event_record
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.sso.models import SsoDomain, SsoProvider

# Domains nobody may claim: anyone can have an address there.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.ru",
        "qq.com",
        "example.com",
    }
)
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SAML_ATTRIBUTES = {
    "uid": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
        "uid",
        "nameid",
    ],
    "email": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
    ],
    "first_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "givenName",
        "first_name",
    ],
    "last_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "sn",
        "last_name",
    ],
}


def _require_owner(actor: Membership, organisation: Organisation) -> None:
    if actor.organisation_id != organisation.pk or actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner of the organisation configures single sign-on.")


def _issuer_check(url: str) -> str:
    try:
        scheme, host, _, _ = outbound.url_check(url)
        if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
            outbound.resolve(url)
    except outbound.TargetRefused as error:
        raise ValidationError({"issuer": str(error)}) from error
    return url.strip().rstrip("/")


def _provider(organisation: Organisation, protocol: str) -> SsoProvider | None:
    return (
        SsoProvider.objects.filter(organisation=organisation, protocol=protocol)
        .select_related("social_app")
        .first()
    )


@transaction.atomic
def sso_oidc_save(
    *,
    organisation: Organisation,
    actor: Membership,
    issuer: str,
    client_id: str,
    client_secret: str,
    jit_role: str,
) -> SsoProvider:
    """Creates or updates the organisation's OpenID Connect provider (Entra ID, Okta,
    Google Workspace, Keycloak: each publishes its configuration under the issuer URL).
    A blank secret keeps the one stored."""
    _require_owner(actor, organisation)
    issuer = _issuer_check(issuer)
    if not client_id.strip() or len(client_id) > 191:
        raise ValidationError({"client_id": "Enter the client id your provider gave you."})
    provider = _provider(organisation, SsoProvider.Protocol.OIDC)
    if provider is None and not client_secret:
        raise ValidationError({"client_secret": "Enter the client secret."})
    app = provider.social_app if provider else SocialApp(provider="openid_connect")
    app.provider_id = f"om-{organisation.slug}"
    app.name = organisation.name
    app.client_id = client_id.strip()
    if client_secret:
        app.secret = client_secret.strip()
    app.settings = {"server_url": issuer}
    app.save()
    if provider is None:
        provider = SsoProvider(
            organisation=organisation, protocol=SsoProvider.Protocol.OIDC, social_app=app
        )
    provider.jit_role = jit_role
    provider.full_clean(exclude=["social_app"])
    provider.save()
    return provider


def saml_metadata_parse(xml: str) -> dict[str, str]:
    """entity_id, sso_url and x509cert of an IdP's metadata document."""
    if len(xml) > 500_000:
        raise ValidationError({"metadata": "The metadata is over 500 KB."})
    try:
        parsed: dict[str, Any] = OneLogin_Saml2_IdPMetadataParser.parse(xml)["idp"]
        return {
            "entity_id": parsed["entityId"],
            "sso_url": parsed["singleSignOnService"]["url"],
            "x509cert": parsed.get("x509cert") or parsed["x509certMulti"]["signing"][0],
        }
    except Exception as error:  # the parser raises many kinds on bad XML
        raise ValidationError(
            {
                "metadata": "This is not IdP metadata with an entity id, a sign-on URL and a certificate."
            }
        ) from error


@transaction.atomic
def sso_saml_save(
    *,
    organisation: Organisation,
    actor: Membership,
    metadata_xml: str,
    entity_id: str,
    sso_url: str,
    x509cert: str,
    jit_role: str,
) -> SsoProvider:
    """Creates or updates the organisation's SAML 2.0 provider from the IdP's metadata
    (pasted or uploaded) or from its entity id, sign-on URL and certificate. Assertions
    must be signed with that certificate."""
    _require_owner(actor, organisation)
    if metadata_xml.strip():
        idp = saml_metadata_parse(metadata_xml)
    else:
        if not (entity_id.strip() and sso_url.strip() and x509cert.strip()):
            raise ValidationError(
                "Paste the IdP's metadata, or its entity id, sign-on URL and certificate."
            )
        try:
            outbound.url_check(sso_url)
        except outbound.TargetRefused as error:
            raise ValidationError({"sso_url": str(error)}) from error
        cert = re.sub(r"-----(BEGIN|END) CERTIFICATE-----|\s", "", x509cert)
        if not re.fullmatch(r"[A-Za-z0-9+/=]{100,20000}", cert):
            raise ValidationError({"x509cert": "Paste the certificate (PEM or base64)."})
        idp = {"entity_id": entity_id.strip(), "sso_url": sso_url.strip(), "x509cert": cert}
    provider = _provider(organisation, SsoProvider.Protocol.SAML)
    app = provider.social_app if provider else SocialApp(provider="saml")
    app.provider_id = f"om-saml-{organisation.slug}"
    app.name = organisation.name
    app.client_id = organisation.slug
    app.settings = {
        "idp": idp,
        "attribute_mapping": SAML_ATTRIBUTES,
        "advanced": {"want_assertion_signed": True, "want_attribute_statement": False},
    }
    app.save()
    if provider is None:
        provider = SsoProvider(
            organisation=organisation, protocol=SsoProvider.Protocol.SAML, social_app=app
        )
    provider.jit_role = jit_role
    provider.full_clean(exclude=["social_app"])
    provider.save()
    return provider


@transaction.atomic
def sso_provider_delete(*, provider: SsoProvider, actor: Membership) -> None:
    _require_owner(actor, provider.organisation)
    provider.social_app.delete()  # cascades to the provider


@transaction.atomic
def sso_domain_add(
    *, organisation: Organisation, actor: Membership, domain: str, sso_required: bool
) -> SsoDomain:
    """Claims an e-mail domain for the organisation's sign-on. The owner's own address
    must be at that domain (so nobody claims a domain that is not theirs), and no public
    mail domain can be claimed."""
    _require_owner(actor, organisation)
    domain = domain.strip().lower().lstrip("@")
    if not DOMAIN.match(domain):
        raise ValidationError({"domain": "Enter a domain such as acme.example."})
    if domain in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(
            {"domain": f"Anyone can have an address at {domain}; it cannot be claimed."}
        )
    if actor.user.email.lower().rsplit("@", 1)[-1] != domain:
        raise ValidationError(
            {"domain": f"Your own e-mail address must be at {domain} to claim it."}
        )
    try:
        with transaction.atomic():
            return SsoDomain.objects.create(
                organisation=organisation, domain=domain, sso_required=sso_required
            )
    except IntegrityError as error:
        raise ValidationError({"domain": f"{domain} is already claimed."}) from error


@transaction.atomic
def sso_domain_update(*, domain: SsoDomain, actor: Membership, sso_required: bool) -> None:
    _require_owner(actor, domain.organisation)
    if sso_required and not SsoProvider.objects.filter(organisation=domain.organisation).exists():
        raise ValidationError("Configure a sign-on provider before requiring it.")
    domain.sso_required = sso_required
    domain.save(update_fields=["sso_required"])


@transaction.atomic
def sso_domain_remove(*, domain: SsoDomain, actor: Membership) -> None:
    _require_owner(actor, domain.organisation)
    domain.delete()


def sso_membership_ensure(*, provider: SsoProvider, user: Any) -> Membership:
    """Just-in-time membership: the person who signed in through the organisation's
    provider joins it with the configured role (an existing membership is kept as is)."""
    membership, created = Membership.objects.get_or_create(
        organisation=provider.organisation, user=user, defaults={"role": provider.jit_role}
    )
    if created:
        event_record(
            organisation=provider.organisation,
            actor=user,
            kind=EventKind.MEMBERSHIP_JOINED_BY_SSO,
            data={"protocol": provider.protocol, "role": provider.jit_role},
        )
    return membership
