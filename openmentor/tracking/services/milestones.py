"""Milestones worth celebrating: the first and the fifth meeting held, and the
programme's halfway point. Recorded once each in the activity record (goals reached are
recorded where they happen) and told to the pair."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.notifications.services import notify
from openmentor.programmes.models import Programme

MEETING_MILESTONES = {1: ("first_meeting", "First meeting"), 5: ("fifth_meeting", "Fifth meeting")}


def _celebrate(mentorship: Mentorship, name: str, label: str, at: dt.datetime, text: str) -> bool:
    recorded = activity_record(
        mentorship=mentorship,
        kind=ActivityKind.MILESTONE,
        key=f"milestone:{mentorship.pk}:{name}",
        at=at,
        data={"milestone": name, "label": label},
    )
    if recorded is None:
        return False
    organisation = mentorship.programme.organisation
    for person in (p.user for p in members.people_of(mentorship)):
        notify(
            organisation=organisation,
            user=person,
            kind=f"milestone.{name}",
            text=text.replace("{partner}", members.title_for(mentorship, person)),
            url=reverse("mentorship_detail", args=[organisation.slug, mentorship.pk]),
        )
    return True


def milestones_record(*, now: dt.datetime) -> int:
    """Records every milestone reached and not yet recorded; returns how many."""
    open_statuses = [Mentorship.Status.ACTIVE, Mentorship.Status.PAUSED]
    held: dict[int, list[dt.datetime]] = defaultdict(list)
    for mentorship_id, at in (
        Activity.objects.filter(
            kind=ActivityKind.MEETING_HELD, mentorship__status__in=open_statuses
        )
        .order_by("mentorship_id", "occurred_at")
        .values_list("mentorship_id", "occurred_at")
    ):
        held[mentorship_id].append(at)
    done = set(
        Activity.objects.filter(
            kind=ActivityKind.MILESTONE, mentorship__status__in=open_statuses
        ).values_list("key", flat=True)
    )
    wanted: list[tuple[int, str, str, dt.datetime]] = []
    for mentorship_id, times in held.items():
        for count, (name, label) in MEETING_MILESTONES.items():
            if len(times) >= count and f"milestone:{mentorship_id}:{name}" not in done:
                wanted.append((mentorship_id, name, label, times[count - 1]))
    today = now.date()
    halfway_programmes = {
        p.pk: p
        for p in Programme.objects.filter(
            status=Programme.Status.RUNNING, starts_on__isnull=False, ends_on__isnull=False
        )
        if p.starts_on and p.ends_on and p.starts_on + (p.ends_on - p.starts_on) / 2 <= today
    }
    halfway_ids = Mentorship.objects.filter(
        programme_id__in=halfway_programmes, status__in=open_statuses
    ).values_list("pk", flat=True)
    for mentorship_id in halfway_ids:
        if f"milestone:{mentorship_id}:halfway" not in done:
            wanted.append((mentorship_id, "halfway", "Halfway through the programme", now))
    if not wanted:
        return 0
    mentorships = Mentorship.objects.select_related(
        "programme__organisation", "mentor", "mentee"
    ).in_bulk([w[0] for w in wanted])
    count = 0
    for mentorship_id, name, label, at in wanted:
        m = mentorships[mentorship_id]
        texts = {
            "first_meeting": "Your first meeting with {partner} is behind you: a good start!",
            "fifth_meeting": "Five meetings together: well done, both of you!",
            "halfway": f"You are halfway through {m.programme.name}. A good moment to look "
            "back at your goals together.",
        }
        count += _celebrate(m, name, label, at, texts[name])
    return count
