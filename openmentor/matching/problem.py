"""Builds the engine's problem (docs/matching-format.md) from a programme's rows.

Everything the engine sees passes through here, so this is where blindness is enforced:
protected attributes go only into each person's `protected` field (read by the fairness
audit alone), never into anything that is scored.

Engine ids are "u<user id>"; `user_id_of` turns them back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from openmentor.matching.models import MatchingPin, MatchingSettings
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship, RematchRequest
from openmentor.people.models import Profile
from openmentor.people.selectors import protected_attributes_for
from openmentor.programmes.models import Answer, Enrolment, Programme, Question
from openmentor.programmes.roles import enrolment_role, is_peer


def engine_id(user_id: int) -> str:
    return f"u{user_id}"


def user_id_of(engine_id_: str) -> int:
    return int(engine_id_[1:])


def settings_for(programme: Programme) -> MatchingSettings:
    found, _ = MatchingSettings.objects.get_or_create(programme=programme)
    return found


@dataclass
class BuiltProblem:
    """The engine's problem, and what the run saw (to detect a stale proposal later)."""

    data: dict[str, Any]
    snapshot: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def _answer_value(question: Question, value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def _availability(slots: Any) -> list[dict[str, str]]:
    if not isinstance(slots, list):
        return []
    return [
        {"day": s["day"], "start": s["start"], "end": s["end"]}
        for s in slots
        if isinstance(s, dict) and {"day", "start", "end"} <= s.keys()
    ]


def build_problem(
    *,
    programme: Programme,
    mentee_user_ids: set[int] | None = None,
    extra_forbidden: set[tuple[int, int]] | None = None,
    include_locks: bool = True,
) -> BuiltProblem:
    """The whole-cohort problem: active mentees who still want a mentor, and active mentors
    with capacity left (capacity is per person across the organisation).

    `mentee_user_ids` narrows the mentees (a rematch); `extra_forbidden` adds
    (mentee user id, mentor user id) pairs never to propose.
    """
    organisation = programme.organisation
    match_settings = settings_for(programme)
    enrolments = list(
        Enrolment.objects.filter(programme=programme, status=Enrolment.Status.ACTIVE)
        .select_related("user")
        .order_by("user_id", "role")
    )
    peer = is_peer(programme)
    mentee_ids = [e.user_id for e in enrolments if e.role == enrolment_role(programme, "mentee")]
    mentor_ids = [e.user_id for e in enrolments if e.role == enrolment_role(programme, "mentor")]
    if mentee_user_ids is not None:
        mentee_ids = [u for u in mentee_ids if u in mentee_user_ids]
    everyone = set(mentee_ids) | set(mentor_ids)
    names = {engine_id(e.user_id): e.user.name for e in enrolments}
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(organisation=organisation, user_id__in=everyone)
    }
    # Pairs only: leading or joining a circle does not use up a one-to-one capacity
    # (docs/decisions/0010-circles.md).
    open_mentorships = Mentorship.objects.filter(
        programme__organisation=organisation,
        status__in=OPEN_STATUSES,
        kind=Mentorship.Kind.PAIR,
    )
    mentors_busy = dict(
        open_mentorships.filter(mentor_id__in=mentor_ids)
        .values_list("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    if peer:  # a peer's pairs in this programme, on either side, count against one limit
        from openmentor.matching.problem_peer import peer_pair_counts, peer_problem

        mentors_busy = peer_pair_counts(programme=programme, user_ids=mentor_ids)
    mentees_have = dict(
        open_mentorships.filter(programme=programme, mentee_id__in=mentee_ids)
        .values_list("mentee_id")
        .annotate(n=Count("id"))
        .values_list("mentee_id", "n")
    )
    questions = list(programme.questions.filter(feeds_matching=True, matching_weight__gt=0))
    answers: dict[int, dict[str, str | list[str]]] = defaultdict(dict)
    if questions:
        by_pk = {q.pk: q for q in questions}
        for row in Answer.objects.filter(
            enrolment__programme=programme,
            enrolment__user_id__in=everyone,
            question_id__in=list(by_pk),
        ).values("enrolment__user_id", "question_id", "value"):
            question = by_pk[row["question_id"]]
            answers[row["enrolment__user_id"]][f"q{question.pk}"] = _answer_value(
                question, row["value"]
            )
    protected = protected_attributes_for(organisation=organisation, user_ids=everyone)

    def person(user_id: int, *, mentor: bool) -> dict[str, Any]:
        profile = profiles.get(user_id)
        data: dict[str, Any] = {"id": engine_id(user_id)}
        if profile is not None:
            data.update(
                skills=list(profile.skills_offered if mentor else profile.skills_wanted),
                # A mentor's goals say what they can help with; many write only a bio.
                goals=(profile.goals or profile.bio) if mentor else profile.goals,
                bio=profile.bio if mentor else "",
                languages=list(profile.languages),
                timezone=profile.timezone or "UTC",
                availability=_availability(profile.availability),
            )
            if profile.department:
                data["department"] = profile.department
            if profile.seniority_years is not None:
                data["seniority"] = profile.seniority_years
            if profile.reports_to_id is not None:
                # Kept only if that person is in the final lists (see below); the reporting
                # line is also sent as forbidden pairs.
                data["manager_id"] = engine_id(profile.reports_to_id)
        if answers.get(user_id):
            data["answers"] = answers[user_id]
        if protected.get(user_id):
            data["protected"] = protected[user_id]
        return data

    if peer:
        return peer_problem(
            programme=programme,
            match_settings=match_settings,
            peers=[person(u, mentor=False) for u in mentor_ids],
            profiles=profiles,
            busy=mentors_busy,
            names=names,
            include_locks=include_locks,
            extra_forbidden=extra_forbidden or set(),
            questions=questions,
        )
    mentees: list[dict[str, Any]] = []
    for user_id in mentee_ids:
        wants = programme.mentors_per_mentee - mentees_have.get(user_id, 0)
        if wants > 0:
            mentees.append({**person(user_id, mentor=False), "wants": wants})
    mentors: list[dict[str, Any]] = []
    for user_id in mentor_ids:
        profile = profiles.get(user_id)
        capacity = (
            profile.mentor_capacity if profile is not None else programme.default_mentor_capacity
        ) - mentors_busy.get(user_id, 0)
        if (
            profile is not None
            and profile.away_until
            and profile.away_until >= timezone.localdate()
        ):
            capacity = 0  # away: no new mentee until they are back
        mentors.append({**person(user_id, mentor=True), "capacity": max(0, capacity)})

    mentee_set = {m["id"] for m in mentees}
    mentor_set = {m["id"] for m in mentors}
    listed = mentee_set | mentor_set
    for listed_person in (*mentees, *mentors):
        if listed_person.get("manager_id") not in listed:
            listed_person.pop("manager_id", None)
    forbidden: set[tuple[str, str]] = set()

    def forbid(mentee: int, mentor: int) -> None:
        pair = (engine_id(mentee), engine_id(mentor))
        if pair[0] in mentee_set and pair[1] in mentor_set:
            forbidden.add(pair)

    # Never the same pair again: open or ended mentorships in this programme, and the
    # partners named by open rematch requests.
    for mentee, mentor in Mentorship.objects.filter(programme=programme).values_list(
        "mentee_id", "mentor_id"
    ):
        forbid(mentee, mentor)
    for requester, partner in RematchRequest.objects.filter(
        programme=programme, status=RematchRequest.Status.OPEN
    ).values_list("requester_id", "excluded_partner_id"):
        if partner is not None:
            forbid(requester, partner)
            forbid(partner, requester)
    # The reporting line two levels up, in both directions, even when the manager in
    # between is not in the programme (the engine only sees people in its lists).
    if match_settings.forbid_reporting_line:
        reports_to = dict(
            Profile.objects.filter(organisation=organisation)
            .exclude(reports_to=None)
            .values_list("user_id", "reports_to_id")
        )
        for user_id in everyone:
            boss = reports_to.get(user_id)
            for above in (boss, reports_to.get(boss) if boss else None):
                if above is not None:
                    forbid(user_id, above)
                    forbid(above, user_id)
    locked: list[list[str]] = []
    for pin in MatchingPin.objects.filter(programme=programme):
        pair = (engine_id(pin.mentee_id), engine_id(pin.mentor_id))
        if pair[0] not in mentee_set or pair[1] not in mentor_set:
            continue
        if pin.kind == MatchingPin.Kind.FORBID:
            forbidden.add(pair)
        elif include_locks:
            locked.append(list(pair))
    for mentee, mentor in extra_forbidden or set():
        forbid(mentee, mentor)
    locked = [pair for pair in locked if tuple(pair) not in forbidden]

    data: dict[str, Any] = {
        "version": 1,
        "mentees": mentees,
        "mentors": mentors,
        "settings": {
            "mentors_per_mentee": programme.mentors_per_mentee,
            **engine_settings(programme, match_settings, questions),
        },
        "locked_pairs": sorted(locked),
        "forbidden_pairs": sorted([list(p) for p in forbidden]),
    }
    snapshot = {
        "mentees": {m["id"]: m["wants"] for m in mentees},
        "mentors": {m["id"]: m["capacity"] for m in mentors},
    }
    return BuiltProblem(data=data, snapshot=snapshot, names=names)


def engine_settings(
    programme: Programme, match_settings: MatchingSettings, questions: list[Question]
) -> dict[str, Any]:
    """The engine's settings from the programme's matching controls (both modes)."""
    weights = {k: float(v) for k, v in (match_settings.weights or {}).items()}
    reverse = programme.kind == Programme.Kind.REVERSE
    return {
        # Reverse mentoring: the junior person mentors the senior one; the seniority factor
        # prefers a more junior mentor, and the setting can require one.
        **({"seniority_direction": "mentee_ahead"} if reverse else {}),
        "min_score": match_settings.min_score,
        "candidates_per_mentee": match_settings.candidates_per_mentee,
        "weights": weights,
        "rules": {
            "require_common_language": match_settings.require_common_language,
            "max_timezone_gap_hours": match_settings.max_timezone_gap_hours,
            "min_availability_overlap_minutes": (match_settings.min_availability_overlap_minutes),
            "same_department": match_settings.same_department,
            "forbid_reporting_line": match_settings.forbid_reporting_line,
            "mentor_less_senior": reverse and match_settings.require_junior_mentor,
        },
        "related_skills": {k: list(v) for k, v in (programme.related_skills or {}).items() if v},
        "questions": [
            {
                "key": f"q{q.pk}",
                "weight": q.matching_weight,
                "compare": "overlap"
                if q.kind in (Question.Kind.MULTIPLE, Question.Kind.SKILLS)
                else "same",
            }
            for q in questions
        ],
    }


def engine_options() -> dict[str, Any]:
    """What the engine is told to use, from settings: its scoring threads and text model."""
    return {
        "threads": settings.OPENMENTOR_MATCHING_THREADS or None,
        "embedding_backend": settings.OPENMENTOR_EMBEDDING_BACKEND,
    }
