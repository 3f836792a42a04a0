"""Reads for programmes, questionnaires and enrolments, always scoped to an organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Organisation
from openmentor.programmes.constants import FIXED_ONCE_MATCHING, SETTING_FIELDS, STATUS_ORDER
from openmentor.programmes.models import (
    Ambassador,
    Answer,
    Campaign,
    Enrolment,
    Programme,
    Question,
)

# A profile counts as complete enough for matching from this percentage on; the people
# app recomputes Profile.completeness on every save.
PROFILE_READY_PERCENT = 80


def programme_accepts_enrolment(programme: Programme) -> bool:
    """Enrolment is open while enrolling, and all along a running evergreen programme."""
    return programme.status == Programme.Status.ENROLLING or (
        programme.status == Programme.Status.RUNNING and programme.evergreen
    )


# What each status allows, in one place. "enrol" is programme_accepts_enrolment (evergreen
# programmes keep enrolling while running).
_ALLOWED: dict[str, frozenset[str]] = {
    # Participants may be imported while the programme is prepared and while it runs.
    "import": frozenset({"draft", "enrolling", "matching", "running"}),
    # Promotion only makes sense while people can join.
    "promote": frozenset({"enrolling"}),
    # Matching (runs, publishing, mentee choice) and pairing by hand: from enrolment
    # (rolling matching) to the end of the running phase.
    "match": frozenset({"enrolling", "matching", "running"}),
}
_REFUSALS = {
    "import": "{name} is {status}: participants can no longer be imported.",
    "promote": "{name} is {status}: it is not taking enrolments, so there is nothing to promote.",
    "match": "{name} is {status}: matching is possible while it is enrolling, matching or running.",
}


def programme_refusal(programme: Programme, action: str) -> str | None:
    """Why the programme's status does not allow `action` now, or None when it does."""
    if action == "promote" and programme_accepts_enrolment(programme):
        return None
    if programme.status in _ALLOWED[action]:
        return None
    return _REFUSALS[action].format(
        name=programme.name, status=programme.get_status_display().lower()
    )


def programme_summaries(*, organisation: Organisation) -> QuerySet[Programme]:
    return (
        Programme.objects.filter(organisation=organisation)
        .annotate(
            mentors=Count("enrolments", filter=Q(enrolments__role=Enrolment.Role.MENTOR)),
            mentees=Count("enrolments", filter=Q(enrolments__role=Enrolment.Role.MENTEE)),
            peers=Count("enrolments", filter=Q(enrolments__role=Enrolment.Role.PEER)),
            pending=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.PENDING)),
        )
        .order_by("name", "pk")
    )


def enrolments_for_member(*, membership: Membership) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        programme__organisation=membership.organisation, user=membership.user
    ).select_related("programme")


def programmes_open_to_member(*, membership: Membership) -> QuerySet[Programme]:
    """What a participant may see: programmes taking enrolments, and their own programmes."""
    mine = Enrolment.objects.filter(programme=OuterRef("pk"), user=membership.user)
    return (
        Programme.objects.filter(organisation=membership.organisation)
        .annotate(is_mine=Exists(mine))
        .filter(
            Q(status=Programme.Status.ENROLLING)
            | Q(status=Programme.Status.RUNNING, evergreen=True)
            | Q(is_mine=True)
        )
    )


def programme_for_manager(*, organisation: Organisation, slug: str) -> Programme:
    programme = Programme.objects.filter(organisation=organisation, slug=slug).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


def programme_for_member(*, membership: Membership, slug: str) -> Programme:
    """The programme as this member may see it; a participant does not see drafts of others."""
    if membership.is_manager:
        return programme_for_manager(organisation=membership.organisation, slug=slug)
    programme = programmes_open_to_member(membership=membership).filter(slug=slug).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


def programme_for_enrolment(*, membership: Membership, slug: str) -> Programme:
    """Any programme of the member's organisation: the enrol page explains why one is shut."""
    return programme_for_manager(organisation=membership.organisation, slug=slug)


def programme_for_join_token(*, token: str) -> Programme | None:
    if not token:
        return None
    return Programme.objects.select_related("organisation").filter(join_token=token).first()


def questions_for_programme(*, programme: Programme) -> QuerySet[Question]:
    return Question.objects.filter(programme=programme).order_by("position", "id")


def question_for_programme(*, programme: Programme, question_id: int) -> Question:
    question = questions_for_programme(programme=programme).filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question")
    return question


def questionnaire_answered(*, programme: Programme) -> bool:
    """Once anyone has answered, the questionnaire is frozen so that answers stay comparable."""
    return Answer.objects.filter(question__programme=programme).exists()


def pending_enrolments(*, programme: Programme) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(programme=programme, status=Enrolment.Status.PENDING)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__position", "question_id"
                ),
            )
        )
        .order_by("created_at", "id")
    )


def pending_enrolment(*, programme: Programme, enrolment_id: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("user", "programme__organisation")
        .filter(programme=programme, pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment")
    return enrolment


def member_enrolments_in(*, programme: Programme, user: User) -> dict[str, Enrolment]:
    """The person's enrolments in the programme, by role."""
    return {e.role: e for e in Enrolment.objects.filter(programme=programme, user=user)}


def enrolment_attribution(
    programme: Programme, via_token: str | None
) -> tuple[Campaign | None, Ambassador | None]:
    """Which campaign or ambassador link of *this* programme brought the person, if any.

    A token of another programme attributes nothing, so nobody can inflate another
    programme's figures by pasting its links.
    """
    if not via_token:
        return None, None
    campaign = Campaign.objects.filter(programme=programme, link_token=via_token).first()
    if campaign is not None:
        return campaign, None
    ambassador = Ambassador.objects.filter(programme=programme, link_token=via_token).first()
    return None, ambassador


@dataclass(frozen=True)
class ChecklistStep:
    label: str
    done: bool
    url: str | None = None


# Enrolments that do not count as being in the programme, for the checklist.
_NOT_ENROLLED = frozenset({Enrolment.Status.WITHDRAWN, Enrolment.Status.DECLINED})


def _url(name: str, *args: str) -> str | None:
    # The profile page belongs to another app; the checklist works with or without it.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Checklist:
    programme: Programme
    steps: list[ChecklistStep] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)


def _profile_completeness(membership: Membership) -> int:
    # The profile belongs to the people app, which depends on this one: imported here.
    from openmentor.people.models import Profile

    return (
        Profile.objects.filter(organisation=membership.organisation, user=membership.user)
        .values_list("completeness", flat=True)
        .first()
    ) or 0


def participant_checklist(
    *,
    membership: Membership,
    programme: Programme,
    profile_completeness: int | None = None,
    enrolments: list[Enrolment] | None = None,
) -> Checklist:
    """The next steps a participant takes in a programme, each ticked when done.

    Pass `profile_completeness` and the person's `enrolments` in the programme when they
    are already loaded, to save the queries.
    """
    if profile_completeness is None:
        profile_completeness = _profile_completeness(membership)
    if enrolments is None:
        enrolments = list(Enrolment.objects.filter(programme=programme, user=membership.user))
    enrolments = [e for e in enrolments if e.status not in _NOT_ENROLLED]
    enrolled = bool(enrolments)
    slug = membership.organisation.slug
    enrol_url = _url("programme_enrol", slug, programme.slug)
    steps = [
        ChecklistStep(
            "Complete your profile",
            profile_completeness >= PROFILE_READY_PERCENT,
            _url("profile_edit", slug),
        ),
        ChecklistStep("Answer the questionnaire", enrolled, enrol_url),
    ]
    if programme.agreement_text:
        steps.append(
            ChecklistStep(
                "Accept the mentoring agreement",
                enrolled and all(e.agreement_accepted_at for e in enrolments),
                enrol_url,
            )
        )
    if programme.requires_approval:
        steps.append(
            ChecklistStep(
                "Wait for approval",
                enrolled and all(e.status == Enrolment.Status.ACTIVE for e in enrolments),
            )
        )
    steps.append(ChecklistStep("Get matched", enrolled and any(e.matched_at for e in enrolments)))
    return Checklist(programme=programme, steps=steps)


def checklists_for_member(
    *,
    membership: Membership,
    enrolments: list[Enrolment] | None = None,
    profile_completeness: int | None = None,
) -> list[Checklist]:
    """One checklist per programme the person is enrolled in (for dashboards), by name.

    Pass what the page already loaded (the person's enrolments in the organisation with
    their programmes, as `enrolments_for_member` gives them, and the profile's
    completeness) and it reads nothing more.
    """
    if profile_completeness is None:
        profile_completeness = _profile_completeness(membership)
    if enrolments is None:
        enrolments = list(enrolments_for_member(membership=membership))
    by_programme: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_programme.setdefault(enrolment.programme_id, []).append(enrolment)
    programmes = sorted(
        (rows[0].programme for rows in by_programme.values()), key=lambda p: (p.name, p.pk)
    )
    return [
        participant_checklist(
            membership=membership,
            programme=programme,
            profile_completeness=profile_completeness,
            enrolments=by_programme[programme.pk],
        )
        for programme in programmes
    ]


# --- What the programme's status allows ----------------------------------------------


def settings_locked(programme: Programme) -> frozenset[str]:
    """The settings that can no longer change in the programme's current status."""
    if programme.status == Programme.Status.CLOSED:
        return frozenset(SETTING_FIELDS)
    if programme.status in (Programme.Status.MATCHING, Programme.Status.RUNNING):
        return FIXED_ONCE_MATCHING
    return frozenset()


def status_neighbours(programme: Programme) -> tuple[str | None, str | None]:
    """(previous, next) status reachable from the current one."""
    index = STATUS_ORDER.index(Programme.Status(programme.status))
    if programme.status == Programme.Status.CLOSED:
        return None, None
    previous = STATUS_ORDER[index - 1].value if index > 0 else None
    following = STATUS_ORDER[index + 1].value if index + 1 < len(STATUS_ORDER) else None
    return previous, following


def questionnaire_lock_reason(programme: Programme) -> str | None:
    if programme.status == Programme.Status.CLOSED:
        return "The programme is closed: its questionnaire can no longer change."
    if questionnaire_answered(programme=programme):
        return (
            "People have answered the questionnaire already, so it can no longer change: "
            "every answer must have been given to the same questions."
        )
    return None
