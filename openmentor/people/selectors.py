"""Reads for profiles and self-identification, always scoped to one organisation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from django.db.models import Count, F, QuerySet
from django.http import Http404

from openmentor.accounts.models import User
from openmentor.organisations.models import Organisation
from openmentor.people.models import Profile, SelfIdentification

# The enrolment statuses that give a person a role (programmes.Enrolment.Status.ACTIVE and
# PENDING). The programmes app sits above this one, so profiles read enrolments through
# the relations its models declare (`user.enrolments`, `organisation.programmes`) and
# name the statuses here; tests/architecture checks that the two agree.
LIVE_ENROLMENT_STATUSES: tuple[str, ...] = ("active", "pending")

# Groups smaller than this are never reported, so nobody can be picked out of a count.
SMALL_GROUP = 5
SELF_IDENTIFICATION_ATTRIBUTES: tuple[str, ...] = ("gender", "ethnicity", "age_band", "disability")

# Sizes are shown as ranges, never exact counts: comparing two visits would otherwise
# reveal one newcomer's answers from the group that grew by one (docs/decisions/0003).
SIZE_RANGES: tuple[tuple[int, int | None], ...] = (
    (5, 9),
    (10, 19),
    (20, 49),
    (50, 99),
    (100, 199),
    (200, None),
)


def size_range(count: int) -> tuple[str, int]:
    """("10–19", 10): the range a group size falls in, and its lower end (for charts)."""
    for low, high in SIZE_RANGES:
        if high is None and count >= low:
            return f"{low} or more", low
        if high is not None and low <= count <= high:
            return f"{low}–{high}", low
    return f"fewer than {SMALL_GROUP}", 0


Suppressed = Literal["suppressed"]


def profile_for(*, organisation: Organisation, user: User) -> Profile | None:
    return (
        Profile.objects.filter(organisation=organisation, user=user)
        .select_related("reports_to")
        .first()
    )


def profile_roles(*, organisation: Organisation, user: User) -> set[str]:
    """The roles ("mentor", "mentee") of the person's live enrolments in this organisation."""
    return set(
        user.enrolments.filter(
            programme__organisation=organisation, status__in=LIVE_ENROLMENT_STATUSES
        )
        .values_list("role", flat=True)
        .distinct()
    )


def skills_taxonomy(*, organisation: Organisation) -> list[str]:
    """The union of the skills of the organisation's programmes, sorted, without repeats."""
    seen: dict[str, str] = {}
    for skills in organisation.programmes.values_list("skills", flat=True):
        for skill in skills or []:
            if isinstance(skill, str) and skill.strip():
                seen.setdefault(skill.strip().casefold(), skill.strip())
    return sorted(seen.values(), key=str.casefold)


def answer_as_text(value: object) -> str:
    """An answer as people read it: a list joined with commas, anything else as text."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def own_questionnaires(*, organisation: Organisation, user: User) -> list[dict[str, object]]:
    """The person's questionnaire answers per programme of this organisation, read-only.

    One query however many programmes, worded by the same formatter as
    `programmes.participants.selectors.participant_answers`.
    """
    rows = (
        user.enrolments.filter(
            programme__organisation=organisation,
            status__in=LIVE_ENROLMENT_STATUSES,
            # Only answers to the enrolment's own programme's questions.
            answers__question__programme_id=F("programme_id"),
        )
        .values_list("pk", "programme__name", "role", "answers__question__text", "answers__value")
        .order_by("programme__name", "role", "answers__question__position", "answers__pk")
    )
    sections: dict[int, dict[str, Any]] = {}
    for enrolment_id, programme_name, role, question, value in rows:
        section = sections.setdefault(
            enrolment_id,
            # The role's label is its value capitalised ("mentor" → "Mentor"); shown lower.
            {"programme": {"name": programme_name}, "role": role, "responses": []},
        )
        section["responses"].append((question, answer_as_text(value)))
    return list(sections.values())


def organisation_people(*, organisation: Organisation) -> QuerySet[User]:
    """Members of the organisation, for choosing one's own manager."""
    return User.objects.filter(memberships__organisation=organisation).order_by(
        "first_name", "last_name", "email"
    )


def member_with_profile(*, organisation: Organisation, user_id: int) -> tuple[User, Profile | None]:
    """A member of the organisation and their profile here; 404 for anyone who is not a member."""
    user = organisation_people(organisation=organisation).filter(pk=user_id).first()
    if user is None:
        raise Http404("No such person in this organisation")
    return user, Profile.objects.filter(organisation=organisation, user=user).first()


def own_self_identification(*, organisation: Organisation, user: User) -> SelfIdentification | None:
    """The person's own answers. Only ever call this with the logged-in person as `user`."""
    return SelfIdentification.objects.filter(organisation=organisation, user=user).first()


def _answers(
    organisation: Organisation, user_ids: Iterable[int] | None
) -> QuerySet[SelfIdentification]:
    # Only current members: a person who left the organisation no longer counts here.
    rows = SelfIdentification.objects.filter(
        organisation=organisation, user__memberships__organisation=organisation
    )
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    return rows


def self_identification_counts(
    *, organisation: Organisation, user_ids: Iterable[int] | None = None
) -> dict[str, dict[str, int | Suppressed]]:
    """How many people gave each answer, per attribute, for reports.

    Answers left blank are not counted. A group of fewer than 5 people is reported as
    "suppressed" instead of its count, so no individual can be picked out; "prefer not to
    say" is reported like any other group. `user_ids` narrows the people counted (for
    example to one programme's participants).
    """
    rows = _answers(organisation, user_ids)
    counts: dict[str, dict[str, int | Suppressed]] = {}
    for attribute in SELF_IDENTIFICATION_ATTRIBUTES:
        groups = (
            rows.exclude(**{attribute: ""})
            .values(attribute)
            .annotate(n=Count("id", distinct=True))
            .order_by(attribute)
        )
        counts[attribute] = {
            row[attribute]: (row["n"] if row["n"] >= SMALL_GROUP else "suppressed")
            for row in groups
        }
    return counts


def protected_attributes_for(
    *, organisation: Organisation, user_ids: Iterable[int]
) -> dict[int, dict[str, str]]:
    """Each person's self-identified groups, for the matching fairness audit ONLY.

    This must only ever feed the matching engine's `protected` field, which the engine
    uses for its aggregate fairness audit and never to score or choose a match. Never
    show it, log it, export it or pass it to scoring. Blank answers and "prefer not to
    say" are left out: the person did not give a group.
    """
    out: dict[int, dict[str, str]] = {}
    for row in _answers(organisation, user_ids).values("user_id", *SELF_IDENTIFICATION_ATTRIBUTES):
        given = {
            attribute: row[attribute]
            for attribute in SELF_IDENTIFICATION_ATTRIBUTES
            if row[attribute] and row[attribute] != SelfIdentification.PREFER_NOT_TO_SAY
        }
        if given:
            out[row["user_id"]] = given
    return out
