from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class SsoProvider(models.Model):
    """An organisation's identity provider, configured by its owner: an OpenID Connect
    or SAML 2.0 app of django-allauth (the SocialApp holds the protocol's settings), and
    the role people get when they first sign in through it (just-in-time membership)."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        MANAGER = "manager", "Programme manager"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="sso_providers"
    )
    protocol = models.CharField(max_length=4, choices=Protocol.choices)
    social_app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.CASCADE, related_name="sso_provider"
    )
    jit_role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "protocol"], name="sso_provider_one_per_protocol"
            ),
            models.CheckConstraint(
                condition=models.Q(jit_role__in=["participant", "manager"]),
                name="sso_provider_jit_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} of {self.organisation_id}"


class SsoDomain(models.Model):
    """An e-mail domain an organisation signs its people in for. A domain belongs to one
    organisation; with `sso_required`, its members with addresses there cannot sign in
    with a password."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="sso_domains"
    )
    domain = models.CharField(max_length=253, unique=True)
    sso_required = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")),
                name="sso_domain_lower_case",
            )
        ]

    def __str__(self) -> str:
        return self.domain
