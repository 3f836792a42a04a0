"""Writes for organisations, memberships and invitations."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from openmentor.accounts.models import User
from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.organisations.models import Invitation, Membership, Organisation, Role
from openmentor.organisations.selectors import (  # noqa: F401 - part of this API
    InvitationInvalid,
    hash_token,
    invitation_for_token,
)


class InvitedProgramme(Protocol):
    """A programme as a programme invitation reads it. The programmes app sits above
    this one (a programme belongs to an organisation), so it is described, not imported."""

    pk: Any
    organisation_id: int
    name: str


RESERVED_SLUGS = frozenset({"new", "admin", "api", "static", "media", "accounts"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    if base in RESERVED_SLUGS:
        base = f"{base}-org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(*, name: str, owner: User) -> Organisation:
    """Creates an organisation with its creator as owner."""
    organisation = Organisation.objects.create(name=name.strip(), slug=_unique_slug(name))
    Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    event_record(organisation=organisation, actor=owner, kind=EventKind.ORGANISATION_CREATED)
    return organisation


def organisation_security_update(
    *, organisation: Organisation, actor: Membership, require_mfa_for_managers: bool
) -> None:
    """Owners only: turns the two-factor requirement for owners and managers on or off."""
    if not actor.is_owner or actor.organisation_id != organisation.pk:
        raise PermissionDenied("Only an owner changes the organisation's security settings.")
    if organisation.require_mfa_for_managers == require_mfa_for_managers:
        return
    with transaction.atomic():
        organisation.require_mfa_for_managers = require_mfa_for_managers
        organisation.save(update_fields=["require_mfa_for_managers"])
        event_record(
            organisation=organisation,
            actor=actor.user,
            kind=EventKind.ORGANISATION_MFA_REQUIRED
            if require_mfa_for_managers
            else EventKind.ORGANISATION_MFA_OPTIONAL,
        )


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        return reverse("invitation_accept", kwargs={"token": self.token})


def invitation_create(
    *,
    organisation: Organisation,
    inviter: Membership,
    email: str,
    role: str,
    programme: InvitedProgramme | None = None,
    programme_role: str = "",
) -> CreatedInvitation:
    """Invites an e-mail address with a role and e-mails the link (after commit).

    Owners may invite any role; programme managers may invite participants only. With a
    `programme`, accepting the invitation leads on to enrolling in it, in `programme_role`
    ("mentor", "mentee", or "" to let the person choose).
    """
    if not inviter.is_manager or inviter.organisation_id != organisation.pk:
        raise PermissionDenied
    if programme is not None and programme.organisation_id != organisation.pk:
        raise PermissionDenied
    if programme_role and (programme is None or programme_role not in ("mentor", "mentee")):
        raise ValidationError({"programme_role": "Choose mentor, mentee or let them choose."})
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the listed roles."})
    if not inviter.is_owner and role != Role.PARTICIPANT:
        raise ValidationError({"role": "Only an owner can invite owners or programme managers."})
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the organisation."})
    # An expired invitation nobody withdrew would otherwise block a new one for the same
    # address (the open-invitation constraint): withdraw it first.
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=timezone.now(),
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=email,
                role=role,
                token_hash=hash_token(token),
                invited_by=inviter.user,
                created_at=now,
                expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
                programme_id=programme.pk if programme is not None else None,
                programme_role=programme_role,
            )
            event_record(
                organisation=organisation,
                actor=inviter.user,
                kind=EventKind.INVITATION_CREATED,
                data={
                    "email": email,
                    "role": role,
                    "programme": programme.pk if programme else None,
                    "programme_role": programme_role,
                },
            )
            created = CreatedInvitation(invitation=invitation, token=token)
            context: dict[str, Any] = {
                "organisation_name": organisation.name,
                "inviter_name": inviter.user.name,
                "role": invitation.get_role_display(),
                "url": settings.SITE_URL + created.path,
                "expires_at": invitation.expires_at.strftime("%d %B %Y"),
            }
            if programme is None:
                subject = f"You are invited to {organisation.name} on OpenMentor"
                template = "organisations/email/invitation"
            else:
                subject = f"You are invited to {programme.name} at {organisation.name}"
                template = "programmes/email/invitation"
                context |= {
                    "programme_name": programme.name,
                    "programme_role": programme_role,
                    # The template says when it opens (programmes' `opening` filter reads
                    # invitation.programme; this app does not import programmes).
                    "invitation": invitation,
                }
            email_send(to=[email], subject=subject, template=template, context=context)
    except IntegrityError as error:
        raise ValidationError(
            {"email": "An open invitation for this address exists already; revoke it first."}
        ) from error
    return created


def _user_has_email(user: User, email: str) -> bool:
    if user.email.lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Turns an open invitation into a membership for the person it was sent to."""
    invitation = invitation_for_token(token=token)
    # Lock the row so that two tabs accepting at once cannot both succeed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation has already been used.", 410)
    if not _user_has_email(user, invitation.email):
        raise InvitationInvalid(
            f"This invitation was sent to {invitation.email}. Log in with that address "
            "to accept it.",
            403,
        )
    membership, created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    if not created and membership.role == Role.PARTICIPANT and invitation.role != Role.PARTICIPANT:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    event_record(
        organisation=invitation.organisation,
        actor=user,
        kind=EventKind.INVITATION_ACCEPTED,
        data={"role": invitation.role, "programme": invitation.programme_id},
    )
    # A programme invitation does not enrol by itself: enrolling needs the person's own
    # answers and their acceptance of the agreement, so the accept view sends them on
    # to `invitation_next_url` (the programme's enrol page, role preselected).
    return membership


def invitation_next_url(invitation: Invitation) -> str | None:
    """Where to go after accepting: the programme's enrol page for a programme invitation."""
    if invitation.programme_id is None:
        return None
    programme = invitation.programme
    assert programme is not None
    url = reverse("programme_enrol", args=[invitation.organisation.slug, programme.slug])
    return url + (f"?role={invitation.programme_role}" if invitation.programme_role else "")


def invitation_revoke(*, invitation: Invitation, actor: Membership) -> None:
    if not actor.is_manager or invitation.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if invitation.role != Role.PARTICIPANT and not actor.is_owner:
        # Like creating them: only owners decide about owner and manager invitations.
        raise PermissionDenied("Only an owner can withdraw an invitation for this role.")
    if invitation.status != "open":
        raise ValidationError("Only an open invitation can be withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    event_record(
        organisation=invitation.organisation,
        actor=actor.user,
        kind=EventKind.INVITATION_REVOKED,
        data={"email": invitation.email},
    )
