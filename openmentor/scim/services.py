"""Writes of provisioning: SCIM tokens, and the people and groups an organisation's
identity or HR system creates, changes and deprovisions.

A person is *active* while they have a membership. Deprovisioning ends their open
mentorships gracefully (the partner is told), withdraws their live enrolments and
removes the membership; their SCIM identity stays, so the system reads them back as
inactive, and activating them again restores the membership.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.events import EventKind, event_record
from openmentor.mentorships.members import member_q
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship
from openmentor.mentorships.services.endings import mentorship_end_on_departure
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.organisations.services import hash_token
from openmentor.people.services import profile_get_or_create
from openmentor.programmes.models import Enrolment
from openmentor.scim.models import ScimGroup, ScimIdentity, ScimToken

SECRET_PREFIX = "scim_"  # noqa: S105  (a label, not a secret)


class ScimConflict(Exception):
    """The write would duplicate or orphan something (SCIM 409 `uniqueness`/`mutability`)."""

    def __init__(self, detail: str, scim_type: str = "uniqueness") -> None:
        super().__init__(detail)
        self.scim_type = scim_type


@dataclass
class PersonData:
    """What a SCIM User carries that OpenMentor keeps."""

    email: str
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    external_id: str = ""
    active: bool = True
    department: str | None = None
    job_title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _require_owner(actor: Membership) -> None:
    if actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner of the organisation manages provisioning.")


@transaction.atomic
def scim_token_create(*, actor: Membership, name: str, role: str) -> tuple[ScimToken, str]:
    """A token for the organisation's provisioning system; the secret is shown once."""
    _require_owner(actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Name the token (up to 100 characters)."})
    if role not in ScimToken.Role.values:
        raise ValidationError({"role": "Choose participant or programme manager."})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        organisation_id=actor.organisation_id,
        name=name,
        prefix=secret[:10],
        token_hash=hash_token(secret),
        role=role,
        created_by=actor.user,
    )
    return token, secret


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, actor: Membership) -> None:
    _require_owner(actor)
    if actor.organisation_id != token.organisation_id:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def scim_token_touch(*, token: ScimToken) -> None:
    """Notes when the token was last used, at most once a minute."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- people ---------------------------------------------------------------------------


def _clean(data: PersonData) -> PersonData:
    data.email = data.email.strip().lower()
    try:
        validate_email(data.email)
    except ValidationError as error:
        raise ValidationError(
            "userName (or the primary e-mail) must be an e-mail address."
        ) from error
    for name in ("given_name", "family_name", "display_name"):
        value = getattr(data, name).strip()
        if len(value) > 150:
            raise ValidationError(f"{name} is longer than 150 characters.")
        setattr(data, name, value)
    if len(data.external_id) > 255:
        raise ValidationError("externalId is longer than 255 characters.")
    for name in ("department", "job_title"):
        value = getattr(data, name)
        if value is not None and len(value) > 100:
            raise ValidationError(f"{name} is longer than 100 characters.")
    return data


def _only_here(user: User, organisation: Organisation) -> bool:
    """Whether the account belongs to no other organisation: only then may this
    organisation's system change the account's own name and e-mail (a User is global)."""
    return not Membership.objects.filter(user=user).exclude(organisation=organisation).exists()


def _apply(organisation: Organisation, user: User, data: PersonData) -> None:
    if _only_here(user, organisation):
        changed = []
        for model_field, value in (
            ("first_name", data.given_name),
            ("last_name", data.family_name),
            ("display_name", data.display_name),
        ):
            if getattr(user, model_field) != value:
                setattr(user, model_field, value)
                changed.append(model_field)
        if data.email != user.email:
            if User.objects.filter(email__iexact=data.email).exclude(pk=user.pk).exists():
                raise ScimConflict(f"Another account already uses {data.email}.")
            user.email = data.email
            changed.append("email")
            EmailAddress.objects.filter(user=user).delete()
            EmailAddress.objects.create(user=user, email=data.email, primary=True, verified=False)
        if changed:
            user.save(update_fields=changed)
    if Membership.objects.filter(organisation=organisation, user=user).exists() and (
        data.department is not None or data.job_title is not None
    ):
        profile, _ = profile_get_or_create(organisation=organisation, user=user)
        profile.department = data.department if data.department is not None else profile.department
        profile.job_title = data.job_title if data.job_title is not None else profile.job_title
        profile.save(update_fields=["department", "job_title"])


def _identity(organisation: Organisation, user: User, external_id: str) -> ScimIdentity:
    identity, _ = ScimIdentity.objects.get_or_create(organisation=organisation, user=user)
    if identity.external_id != external_id:
        if (
            external_id
            and ScimIdentity.objects.filter(organisation=organisation, external_id=external_id)
            .exclude(pk=identity.pk)
            .exists()
        ):
            raise ScimConflict(f"Another person already has externalId {external_id!r}.")
        identity.external_id = external_id
        identity.save(update_fields=["external_id", "updated_at"])
    return identity


@transaction.atomic
def scim_user_create(*, token: ScimToken, data: PersonData) -> User:
    """Provisions a person: their account (or an existing one with that e-mail) joins the
    organisation with the token's role."""
    organisation = token.organisation
    data = _clean(data)
    user = User.objects.filter(email__iexact=data.email).first()
    if user is not None and (
        Membership.objects.filter(organisation=organisation, user=user).exists()
        or ScimIdentity.objects.filter(organisation=organisation, user=user).exists()
    ):
        raise ScimConflict(f"{data.email} is already provisioned in this organisation.")
    if user is None:
        user = User.objects.create_user(email=data.email, password=None)
        EmailAddress.objects.create(user=user, email=data.email, primary=True, verified=False)
    if data.active:
        Membership.objects.create(organisation=organisation, user=user, role=token.role)
    _identity(organisation, user, data.external_id)
    _apply(organisation, user, data)
    event_record(
        organisation=organisation,
        kind=EventKind.PERSON_PROVISIONED,
        data={"user": user.pk, "active": data.active},
    )
    return user


@transaction.atomic
def scim_user_update(*, token: ScimToken, user: User, data: PersonData) -> User:
    """Replaces what SCIM holds of the person; `active` false deprovisions them and true
    restores their membership."""
    organisation = token.organisation
    data = _clean(data)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    _identity(organisation, user, data.external_id)
    if data.active and membership is None:
        Membership.objects.create(organisation=organisation, user=user, role=token.role)
        event_record(
            organisation=organisation, kind=EventKind.PERSON_PROVISIONED, data={"user": user.pk}
        )
    _apply(organisation, user, data)
    if not data.active and membership is not None:
        person_deprovision(organisation=organisation, user=user)
    return user


def person_deprovision(*, organisation: Organisation, user: User) -> int:
    """Ends the person's open mentorships in the organisation (each partner is told),
    withdraws their live enrolments and removes their membership. Returns how many
    mentorships ended. The last owner cannot be deprovisioned (the organisation would
    have nobody to run it)."""
    membership = (
        Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    )
    if membership is None:
        return 0
    if (
        membership.role == Role.OWNER
        and not Membership.objects.filter(organisation=organisation, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ScimConflict(
            "This person is the organisation's only owner; make someone else an owner first.",
            scim_type="mutability",
        )
    mentorships = Mentorship.objects.filter(
        programme__organisation=organisation, status__in=OPEN_STATUSES
    ).filter(member_q(user))
    ended = 0
    for mentorship in mentorships:
        mentorship_end_on_departure(mentorship=mentorship, person=user)
        ended += 1
    Enrolment.objects.filter(
        programme__organisation=organisation,
        user=user,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PENDING],
    ).update(status=Enrolment.Status.WITHDRAWN, matched_at=None)
    membership.delete()
    event_record(
        organisation=organisation,
        kind=EventKind.PERSON_DEPROVISIONED,
        data={"user": user.pk, "mentorships_ended": ended},
    )
    return ended


@transaction.atomic
def scim_user_delete(*, token: ScimToken, user: User) -> None:
    """Deprovisions the person and forgets their SCIM identity (GET is 404 afterwards)."""
    person_deprovision(organisation=token.organisation, user=user)
    ScimIdentity.objects.filter(organisation=token.organisation, user=user).delete()
    for group in ScimGroup.objects.filter(organisation=token.organisation, members=user):
        group.members.remove(user)


# --- groups ---------------------------------------------------------------------------

ROLE_RANK = {"participant": 1, "manager": 2}


def _role_sync(organisation: Organisation, user_ids: set[int]) -> None:
    """People in a group with a role take the highest such role; people in none keep
    theirs, except that leaving every manager group makes a manager a participant again.
    Owners are never changed."""
    role_groups = ScimGroup.objects.filter(organisation=organisation).exclude(role="")
    if not role_groups.exists():
        return
    for membership in Membership.objects.filter(
        organisation=organisation, user_id__in=user_ids
    ).exclude(role=Role.OWNER):
        roles = set(role_groups.filter(members=membership.user_id).values_list("role", flat=True))
        target = max(roles, key=ROLE_RANK.__getitem__) if roles else Role.PARTICIPANT
        if membership.role != target:
            membership.role = target
            membership.save(update_fields=["role"])


def _members(organisation: Organisation, ids: list[str]) -> list[int]:
    wanted: set[int] = set()
    for raw in ids:
        if not str(raw).isdigit():
            raise ValidationError(f"No person with id {raw!r} here.")
        wanted.add(int(raw))
    found = set(
        User.objects.filter(pk__in=wanted, memberships__organisation=organisation).values_list(
            "pk", flat=True
        )
    ) | set(
        ScimIdentity.objects.filter(organisation=organisation, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    missing = sorted(wanted - found)
    if missing:
        raise ValidationError(f"No person with id {missing[0]} here.")
    return sorted(wanted)


@transaction.atomic
def scim_group_save(
    *,
    token: ScimToken,
    group: ScimGroup | None,
    display_name: str,
    external_id: str,
    member_ids: list[str] | None,
    add: list[str] | None = None,
    remove: list[str] | None = None,
) -> ScimGroup:
    """Creates or replaces a group (`member_ids`: the whole list; None keeps it), or adds
    and removes members; then updates the roles of everyone whose groups changed."""
    organisation = token.organisation
    display_name = display_name.strip()
    if not display_name or len(display_name) > 255:
        raise ValidationError("displayName is required (up to 255 characters).")
    before: set[int] = set(group.members.values_list("pk", flat=True)) if group else set()
    try:
        with transaction.atomic():
            if group is None:
                group = ScimGroup.objects.create(
                    organisation=organisation, display_name=display_name, external_id=external_id
                )
            else:
                group.display_name = display_name
                group.external_id = external_id
                group.save(update_fields=["display_name", "external_id", "updated_at"])
    except IntegrityError as error:
        raise ScimConflict(f"A group named {display_name!r} exists already.") from error
    members = set(before)
    if member_ids is not None:
        members = set(_members(organisation, member_ids))
    members |= set(_members(organisation, add or []))
    members -= {int(r) for r in (remove or []) if str(r).isdigit()}
    if members != before:
        group.members.set(members)
    _role_sync(organisation, members ^ before)
    return group


@transaction.atomic
def scim_group_delete(*, token: ScimToken, group: ScimGroup) -> None:
    members = set(group.members.values_list("pk", flat=True))
    group.delete()
    _role_sync(token.organisation, members)


@transaction.atomic
def scim_group_role_set(*, actor: Membership, group: ScimGroup, role: str) -> None:
    """An owner gives the members of a provisioned group a role (or none)."""
    _require_owner(actor)
    if group.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if role not in ("", "participant", "manager"):
        raise ValidationError({"role": "Choose a role."})
    group.role = role
    group.save(update_fields=["role", "updated_at"])
    _role_sync(group.organisation, set(group.members.values_list("pk", flat=True)))
