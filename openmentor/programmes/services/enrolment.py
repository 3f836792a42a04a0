"""Joining a programme's organisation, enrolling in it, approval, and programme invitations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.organisations.models import Invitation, Membership, Role
from openmentor.people.models import Profile
from openmentor.people.services import profile_completeness_refresh
from openmentor.programmes import questionnaire
from openmentor.programmes.models import (
    Ambassador,
    Answer,
    Campaign,
    Enrolment,
    Programme,
)
from openmentor.programmes.selectors import (
    programme_accepts_enrolment,
)
from openmentor.programmes.services.lifecycle import MAX_INVITATIONS_AT_ONCE, _require_manager

# --- Joining and enrolment -------------------------------------------------------------


@transaction.atomic
def programme_join_membership(*, programme: Programme, user: User) -> Membership:
    """Makes the person a participant of the programme's organisation.

    The shareable link is the organisation's explicit permission to join, so it only works
    while the programme takes enrolments.
    """
    if not programme_accepts_enrolment(programme):
        raise ValidationError("This programme is not taking enrolments at the moment.")
    membership, created = Membership.objects.get_or_create(
        organisation=programme.organisation, user=user, defaults={"role": Role.PARTICIPANT}
    )
    if created:
        event_record(
            organisation=programme.organisation,
            actor=user,
            kind=EventKind.MEMBERSHIP_JOINED_BY_LINK,
            data={"programme": programme.pk},
        )
    return membership


def _enrol_url(programme: Programme, role: str = "") -> str:
    path = reverse("programme_enrol", args=[programme.organisation.slug, programme.slug])
    return settings.SITE_URL + path + (f"?role={role}" if role else "")


def enrolment_source(
    *, programme: Programme, user: User, campaign: Campaign | None, ambassador: Ambassador | None
) -> str:
    if campaign is not None:
        return Enrolment.Source.CAMPAIGN
    if ambassador is not None:
        return Enrolment.Source.AMBASSADOR
    if Invitation.objects.filter(programme=programme, accepted_by=user).exists():
        return Enrolment.Source.INVITATION
    # Self-enrolment from the programmes page or the shareable link.
    return Enrolment.Source.LINK


@transaction.atomic
def enrolment_create(
    *,
    programme: Programme,
    membership: Membership,
    roles: list[str],
    answers: dict[int, Any],
    agreement_accepted: bool,
    campaign: Campaign | None = None,
    ambassador: Ambassador | None = None,
) -> list[Enrolment]:
    """Enrols the member in one or both roles with their answers; e-mails a welcome.

    Active at once, or pending when the programme requires approval.
    """
    if membership.organisation_id != programme.organisation_id:
        raise PermissionDenied
    # Lock the programme so a status change cannot slip in between the check and the write.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme_accepts_enrolment(programme):
        raise ValidationError("This programme is not taking enrolments at the moment.")
    allowed = {
        role
        for choice, _ in questionnaire.role_choices(programme)
        for role in questionnaire.roles_for_choice(choice)
    }
    if not roles or any(r not in allowed for r in roles):
        if programme.kind == Programme.Kind.PEER:
            raise ValidationError({"role": "Everyone in a peer programme joins as a peer."})
        raise ValidationError({"role": "Choose whether you join as mentor, mentee or both."})
    existing = set(
        Enrolment.objects.filter(programme=programme, user=membership.user).values_list(
            "role", flat=True
        )
    )
    if existing & set(roles):
        raise ValidationError({"role": "You are already enrolled in this role."})
    if programme.agreement_text and not agreement_accepted:
        raise ValidationError({"agreement": "Accept the agreement to join."})
    questions = list(programme.questions.all())
    cleaned = questionnaire.answers_clean(
        programme=programme, questions=questions, roles=roles, answers=answers
    )
    if campaign is not None and campaign.programme_id != programme.pk:
        campaign = None
    if ambassador is not None and ambassador.programme_id != programme.pk:
        ambassador = None
    source = enrolment_source(
        programme=programme, user=membership.user, campaign=campaign, ambassador=ambassador
    )
    status = Enrolment.Status.PENDING if programme.requires_approval else Enrolment.Status.ACTIVE
    now = timezone.now()
    enrolments = []
    for role in roles:
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    programme=programme,
                    user=membership.user,
                    role=role,
                    status=status,
                    source=source,
                    campaign=campaign,
                    ambassador=ambassador,
                    agreement_accepted_at=now if programme.agreement_text else None,
                )
        except IntegrityError as error:  # a second tab got there first
            raise ValidationError({"role": "You are already enrolled in this role."}) from error
        Answer.objects.bulk_create(
            Answer(enrolment=enrolment, question=q, value=cleaned[q.pk])
            for q in questions
            if q.pk in cleaned and questionnaire.question_applies(q, [role])
        )
        enrolments.append(enrolment)
        event_record(
            organisation=programme.organisation,
            actor=membership.user,
            kind=EventKind.ENROLMENT_CREATED,
            data={
                "programme": programme.pk,
                "role": role,
                "status": status,
                "source": source,
                "campaign": campaign.pk if campaign else None,
                "ambassador": ambassador.pk if ambassador else None,
            },
        )
    _completeness_refresh(organisation_id=programme.organisation_id, user_id=membership.user_id)
    email_send(
        to=[membership.user.email],
        subject=(
            f"Your enrolment in {programme.name} awaits approval"
            if status == Enrolment.Status.PENDING
            else f"Welcome to {programme.name}"
        ),
        template="programmes/email/enrolled",
        context={
            "programme_name": programme.name,
            "organisation_name": programme.organisation.name,
            "roles": ", ".join(Enrolment.Role(r).label.lower() for r in roles),
            "pending": status == Enrolment.Status.PENDING,
            "welcome_message": programme.welcome_message,
            "url": settings.SITE_URL
            + reverse("programme_detail", args=[programme.organisation.slug, programme.slug]),
        },
    )
    return enrolments


@transaction.atomic
def enrolment_decide(*, enrolment: Enrolment, actor: Membership, approve: bool) -> None:
    """Approves or declines a pending enrolment and tells the person by e-mail."""
    programme = enrolment.programme
    _require_manager(actor, programme.organisation_id)
    # Only a pending row changes: two managers deciding at once cannot both succeed.
    updated = Enrolment.objects.filter(pk=enrolment.pk, status=Enrolment.Status.PENDING).update(
        status=Enrolment.Status.ACTIVE if approve else Enrolment.Status.DECLINED,
        decided_by=actor.user,
        decided_at=timezone.now(),
    )
    if not updated:
        raise ValidationError("This enrolment was decided already.")
    enrolment.refresh_from_db()
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.ENROLMENT_APPROVED if approve else EventKind.ENROLMENT_DECLINED,
        data={"programme": programme.pk, "enrolment": enrolment.pk, "role": enrolment.role},
    )
    email_send(
        to=[enrolment.user.email],
        subject=(
            f"You are in: {programme.name}"
            if approve
            else f"Your enrolment in {programme.name} was not approved"
        ),
        template="programmes/email/decided",
        context={
            "approved": approve,
            "programme_name": programme.name,
            "organisation_name": programme.organisation.name,
            "role": enrolment.get_role_display().lower(),
            "welcome_message": programme.welcome_message,
            "url": settings.SITE_URL
            + reverse("programme_detail", args=[programme.organisation.slug, programme.slug]),
        },
    )


def _completeness_refresh(*, organisation_id: int, user_id: int) -> None:
    """What a profile needs depends on the roles held, so enrolling changes it."""

    profile = Profile.objects.filter(organisation_id=organisation_id, user_id=user_id).first()
    if profile is not None:
        profile_completeness_refresh(profile=profile)


# --- Programme invitations -------------------------------------------------------------


def emails_parse(text: str) -> tuple[list[str], list[str], list[str]]:
    """Splits a pasted list (lines or commas) into (valid unique, invalid, duplicates)."""
    valid: list[str] = []
    invalid: list[str] = []
    duplicates: list[str] = []
    seen: set[str] = set()
    for raw in text.replace(";", ",").replace("\n", ",").split(","):
        address = raw.strip().strip("<>").strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
            continue
        key = address.lower()
        if key in seen:
            duplicates.append(address)
            continue
        seen.add(key)
        valid.append(key)
    return valid, invalid, duplicates


@dataclass
class InvitationOutcome:
    invited: list[str] = field(default_factory=list)
    members_notified: list[str] = field(default_factory=list)
    already_enrolled: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


@transaction.atomic
def programme_invite(
    *,
    programme: Programme,
    inviter: Membership,
    emails: Iterable[str],
    programme_role: str,
    duplicates: Iterable[str] = (),
) -> InvitationOutcome:
    """Invites addresses into the programme, skipping and reporting those already in.

    Non-members get an organisation invitation that also enrols them (the accept flow
    sends them to the enrol page); members get an e-mail with a link to the enrol page.
    """
    from openmentor.organisations.services import invitation_create

    _require_manager(inviter, programme.organisation_id)
    if programme.status == Programme.Status.CLOSED:
        raise ValidationError("A closed programme takes no invitations.")
    if programme_role and programme_role not in Enrolment.Role.values:
        raise ValidationError({"programme_role": "Choose mentor, mentee or let them choose."})
    addresses = list(emails)
    if len(addresses) > MAX_INVITATIONS_AT_ONCE:
        raise ValidationError(
            {"emails": f"Invite at most {MAX_INVITATIONS_AT_ONCE} addresses at a time."}
        )
    outcome = InvitationOutcome(duplicates=list(duplicates))
    enrolled = {
        e.lower()
        for e in Enrolment.objects.filter(
            programme=programme, user__email__in=addresses
        ).values_list("user__email", flat=True)
    }
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(
            organisation=programme.organisation, user__email__in=addresses
        ).select_related("user")
    }
    open_invited = {
        e.lower()
        for e in Invitation.objects.filter(
            organisation=programme.organisation,
            email__in=addresses,
            accepted_at__isnull=True,
            # Expired but never withdrawn counts too: it blocks a new invitation until
            # a manager withdraws it (one open invitation per address).
            revoked_at__isnull=True,
        ).values_list("email", flat=True)
    }
    for address in addresses:
        if address in enrolled:
            outcome.already_enrolled.append(address)
        elif address in members:
            email_send(
                to=[address],
                subject=f"Join {programme.name} at {programme.organisation.name}",
                template="programmes/email/member_invitation",
                context={
                    "programme_name": programme.name,
                    "organisation_name": programme.organisation.name,
                    "inviter_name": inviter.user.name,
                    "role": Enrolment.Role(programme_role).label.lower() if programme_role else "",
                    "url": _enrol_url(programme, programme_role),
                },
            )
            outcome.members_notified.append(address)
        elif address in open_invited:
            outcome.already_invited.append(address)
        else:
            invitation_create(
                organisation=programme.organisation,
                inviter=inviter,
                email=address,
                role=Role.PARTICIPANT,
                programme=programme,
                programme_role=programme_role,
            )
            outcome.invited.append(address)
    if outcome.invited or outcome.members_notified:
        event_record(
            organisation=programme.organisation,
            actor=inviter.user,
            kind=EventKind.PROGRAMME_INVITED,
            data={
                "programme": programme.pk,
                "invited": len(outcome.invited),
                "members": len(outcome.members_notified),
            },
        )
    return outcome
