from __future__ import annotations

from django.conf import settings
from django.db import models


class ScimToken(models.Model):
    """The bearer token an organisation's HR or identity system provisions with.

    Only a hash is stored; the secret is shown once. People it creates join with `role`.
    """

    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        MANAGER = "manager", "Programme manager"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["participant", "manager"]),
                name="scim_token_role_valid",
            )
        ]

    def __str__(self) -> str:
        return f"SCIM token {self.name}"


class ScimIdentity(models.Model):
    """What the provisioning system knows a person of the organisation by (externalId).

    The person is active in SCIM's sense while they have a membership; deprovisioning
    removes it and keeps this row, so that the system can read them back as inactive."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identities"
    )
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="scim_identity_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="scim_identity_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"SCIM identity of {self.user_id}"


class ScimGroup(models.Model):
    """A group the provisioning system pushes. With a role, its members have that role
    in the organisation (an owner stays an owner)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_groups"
    )
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=20, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="scim_groups")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "display_name"], name="scim_group_name_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["", "participant", "manager"]),
                name="scim_group_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name
