"""Writes for a programme itself: creating it, its settings, its status, its join link.

What each programme status allows (enforced here, explained on the programme page):

- draft: only managers see it; settings and questionnaire are edited; nobody enrols.
- enrolling: members enrol (through the programmes page, an invitation or the shareable
  link); settings stay editable.
- matching: enrolment is shut while managers match; pending enrolments can still be
  decided. The kind, matching mode and mentors per mentee are fixed from here on,
  because matches are computed with them.
- running: mentorships run; an evergreen programme keeps taking enrolments.
- closed: final and read-only; nobody enrols, nothing is edited, no step back.

Statuses move one step forward, or one step back except from closed. The questionnaire
can change only until the first answer is stored, so that every answer was given to the
same questions (and matching compares like with like).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from openmentor.core.events import EventKind, event_record
from openmentor.organisations.models import Membership, Organisation
from openmentor.programmes.models import (
    Programme,
)
from openmentor.programmes.selectors import (
    programme_refusal,
)

RESERVED_PROGRAMME_SLUGS = frozenset({"new"})

STATUS_ORDER = [
    Programme.Status.DRAFT,
    Programme.Status.ENROLLING,
    Programme.Status.MATCHING,
    Programme.Status.RUNNING,
    Programme.Status.CLOSED,
]

# Settings a manager may change; those in FIXED_ONCE_MATCHING are locked from matching on.
SETTING_FIELDS = (
    "name",
    "description",
    "kind",
    "evergreen",
    "starts_on",
    "ends_on",
    "mentors_per_mentee",
    "default_mentor_capacity",
    "matching_mode",
    "cadence_weeks",
    "session_minutes",
    "skills",
    "related_skills",
    "requires_approval",
    "agreement_text",
    "welcome_message",
)
FIXED_ONCE_MATCHING = frozenset({"kind", "matching_mode", "mentors_per_mentee"})

QUESTION_FIELDS = (
    "kind",
    "text",
    "help_text",
    "audience",
    "required",
    "choices",
    "feeds_matching",
    "matching_weight",
)

MAX_INVITATIONS_AT_ONCE = 500


def _require_manager(actor: Membership, organisation: Organisation | int) -> None:
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    if not actor.is_manager or actor.organisation_id != organisation_id:
        raise PermissionDenied


def _unique_slug(organisation: Organisation, name: str) -> str:
    base = slugify(name)[:70] or "programme"
    if base in RESERVED_PROGRAMME_SLUGS:
        base = f"{base}-programme"
    slug, n = base, 2
    while Programme.objects.filter(organisation=organisation, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def settings_locked(programme: Programme) -> frozenset[str]:
    """The settings that can no longer change in the programme's current status."""
    if programme.status == Programme.Status.CLOSED:
        return frozenset(SETTING_FIELDS)
    if programme.status in (Programme.Status.MATCHING, Programme.Status.RUNNING):
        return FIXED_ONCE_MATCHING
    return frozenset()


@transaction.atomic
def programme_create(
    *, organisation: Organisation, actor: Membership, values: dict[str, Any]
) -> Programme:
    """Creates a draft programme with the given settings."""
    _require_manager(actor, organisation)
    programme = Programme(
        organisation=organisation,
        slug=_unique_slug(organisation, values["name"]),
        created_by=actor.user,
        status=Programme.Status.DRAFT,
    )
    for name in SETTING_FIELDS:
        if name in values:
            setattr(programme, name, values[name])
    programme.full_clean(exclude=["slug", "join_token"])
    programme.save()
    event_record(
        organisation=organisation,
        actor=actor.user,
        kind=EventKind.PROGRAMME_CREATED,
        data={"programme": programme.pk},
    )
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor: Membership, values: dict[str, Any]) -> None:
    """Saves the settings that the programme's status still allows to change."""
    _require_manager(actor, programme.organisation_id)
    locked = settings_locked(programme)
    if programme.status == Programme.Status.CLOSED:
        raise ValidationError("A closed programme cannot be changed.")
    changed = []
    for name in SETTING_FIELDS:
        if name in values and name not in locked and getattr(programme, name) != values[name]:
            setattr(programme, name, values[name])
            changed.append(name)
    if not changed:
        return
    programme.full_clean(exclude=["slug", "join_token"])
    programme.save(update_fields=changed)
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.PROGRAMME_UPDATED,
        data={"programme": programme.pk, "fields": changed},
    )


def status_neighbours(programme: Programme) -> tuple[str | None, str | None]:
    """(previous, next) status reachable from the current one."""
    index = STATUS_ORDER.index(Programme.Status(programme.status))
    if programme.status == Programme.Status.CLOSED:
        return None, None
    previous = STATUS_ORDER[index - 1].value if index > 0 else None
    following = STATUS_ORDER[index + 1].value if index + 1 < len(STATUS_ORDER) else None
    return previous, following


@transaction.atomic
def programme_status_change(*, programme: Programme, actor: Membership, to: str) -> None:
    """Moves the programme one step forward, or one step back (never out of closed)."""
    _require_manager(actor, programme.organisation_id)
    # Lock and re-read, so two managers clicking at once cannot skip a step.
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    previous, following = status_neighbours(current)
    if to not in (previous, following):
        if current.status == Programme.Status.CLOSED:
            raise ValidationError("A closed programme stays closed.")
        raise ValidationError(
            f"A programme that is {current.get_status_display().lower()} cannot move to "
            f"“{to}”; it moves one step at a time."
        )
    if to == Programme.Status.RUNNING and not current.evergreen and current.starts_on is None:
        raise ValidationError("Set the start and end dates (or make it evergreen) first.")
    before = current.status
    current.status = to
    current.save(update_fields=["status"])
    programme.status = to
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.PROGRAMME_STATUS_CHANGED,
        data={"programme": programme.pk, "from": before, "to": to},
    )


@transaction.atomic
def programme_join_link_rotate(*, programme: Programme, actor: Membership) -> str:
    """Creates (or replaces) the shareable join link; an old link stops working at once."""
    _require_manager(actor, programme.organisation_id)
    token = secrets.token_urlsafe(32)
    Programme.objects.filter(pk=programme.pk).update(join_token=token)
    programme.join_token = token
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.PROGRAMME_JOIN_LINK_REPLACED,
        data={"programme": programme.pk},
    )
    return token


def programme_require(programme: Programme, action: str) -> None:
    """Raises a ValidationError with a clear message when the status forbids `action`."""
    refusal = programme_refusal(programme, action)
    if refusal:
        raise ValidationError(refusal)
