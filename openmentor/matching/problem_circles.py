"""The engine's circles-mode problem (docs/matching-format.md, *Circles mode*) from a
group programme: its open circles with places left, and its active mentees not yet in
one. Engine ids: "u<user id>" for people (as in problem.py), "c<mentorship id>" for
circles.

A circle is scored as a mentor would be, on what the circle is about and what its
mentors bring: its topic and the mentors' offered skills as `skills`, the topic as
`goals`, the languages its mentors speak, and its lead mentor's zone and hours.
"""

from __future__ import annotations

from typing import Any

from openmentor.matching.problem import (
    BuiltProblem,
    _availability,
    engine_id,
    engine_settings,
    settings_for,
)
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship, MentorshipMember
from openmentor.people.models import Profile
from openmentor.people.selectors import protected_attributes_for
from openmentor.programmes.models import Enrolment, Programme


def circle_engine_id(circle_id: int) -> str:
    return f"c{circle_id}"


def circle_id_of(engine_id_: str) -> int:
    return int(engine_id_[1:])


def build_circle_problem(*, programme: Programme) -> BuiltProblem:
    organisation = programme.organisation
    match_settings = settings_for(programme)
    circles = list(
        Mentorship.objects.filter(
            programme=programme, kind=Mentorship.Kind.CIRCLE, status__in=OPEN_STATUSES
        ).order_by("pk")
    )
    rows = list(
        MentorshipMember.objects.filter(mentorship__in=circles, left_at__isnull=True).values_list(
            "mentorship_id", "user_id", "role"
        )
    )
    placed = {user_id for _, user_id, role in rows if role == "mentee"}
    mentees_of: dict[int, int] = {}
    mentors_of: dict[int, list[int]] = {}
    for circle_id, user_id, role in rows:
        if role == "mentee":
            mentees_of[circle_id] = mentees_of.get(circle_id, 0) + 1
        else:
            mentors_of.setdefault(circle_id, []).append(user_id)
    enrolments = list(
        Enrolment.objects.filter(
            programme=programme, status=Enrolment.Status.ACTIVE, role=Enrolment.Role.MENTEE
        )
        .exclude(user_id__in=placed)
        .select_related("user")
        .order_by("user_id")
    )
    mentee_ids = [e.user_id for e in enrolments]
    everyone = set(mentee_ids) | {u for ids in mentors_of.values() for u in ids}
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(organisation=organisation, user_id__in=everyone)
    }
    protected = protected_attributes_for(organisation=organisation, user_ids=set(mentee_ids))
    known = {engine_id(u) for u in everyone}
    mentees: list[dict[str, Any]] = []
    for user_id in mentee_ids:
        data: dict[str, Any] = {"id": engine_id(user_id)}
        profile = profiles.get(user_id)
        if profile is not None:
            data.update(
                skills=list(profile.skills_wanted),
                goals=profile.goals,
                languages=list(profile.languages),
                timezone=profile.timezone or "UTC",
                availability=_availability(profile.availability),
            )
            if profile.seniority_years is not None:
                data["seniority"] = profile.seniority_years
            if profile.reports_to_id is not None and engine_id(profile.reports_to_id) in known:
                data["manager_id"] = engine_id(profile.reports_to_id)
        if protected.get(user_id):
            data["protected"] = protected[user_id]
        mentees.append(data)
    out_circles: list[dict[str, Any]] = []
    for circle in circles:
        leaders = mentors_of.get(circle.pk, [])
        if not leaders:
            continue
        lead = profiles.get(leaders[0])
        skills = {circle.topic.lower()}
        languages: list[str] = []
        for user_id in leaders:
            profile = profiles.get(user_id)
            if profile is not None:
                skills |= {s.lower() for s in profile.skills_offered}
                languages += [x for x in profile.languages if x not in languages]
        seats = (circle.capacity or 0) - mentees_of.get(circle.pk, 0)
        entry: dict[str, Any] = {
            "id": circle_engine_id(circle.pk),
            "capacity": max(0, seats),
            "skills": sorted(skills),
            "goals": circle.topic,
            "languages": languages,
            "mentors": [engine_id(u) for u in leaders],
        }
        if lead is not None:
            entry["timezone"] = lead.timezone or "UTC"
            entry["availability"] = _availability(lead.availability)
            if lead.seniority_years is not None:
                entry["seniority"] = lead.seniority_years
        out_circles.append(entry)
    settings = engine_settings(programme, match_settings, [])
    settings.pop("questions", None)  # questionnaires compare two people, not a circle
    data = {
        "version": 1,
        "mode": "circles",
        "mentees": mentees,
        "circles": out_circles,
        "settings": settings,
    }
    names = {engine_id(e.user_id): e.user.name for e in enrolments}
    names |= {circle_engine_id(c.pk): c.topic for c in circles}
    return BuiltProblem(data=data, names=names)
