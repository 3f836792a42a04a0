"""The demo shows its best features on the first visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from openmentor.dashboard.reports import matching_outcomes
from openmentor.demo.seed import DEMO_PASSWORD, seed_demo
from openmentor.feedback.models import MentorshipRating
from openmentor.feedback.services import checkin_refusal
from openmentor.meetings.models import Meeting
from openmentor.meetings.selectors import common_free_starts
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_the_demo_has_mentorships_of_several_ages_with_meetings_check_ins_and_ratings() -> None:
    seed_demo()
    now = timezone.now()
    pilot = Programme.objects.get(slug="pilot-2026")
    mentorships = list(Mentorship.objects.filter(programme=pilot))
    ages = [(now - m.started_at).days for m in mentorships if m.started_at]
    assert len(mentorships) >= 30 and min(ages) < 21 and max(ages) > 180
    held = Meeting.objects.filter(mentorship__programme=pilot, starts_at__lt=now)
    assert held.count() > 100
    assert MentorshipRating.objects.filter(moment="checkin").count() > 20
    assert MentorshipRating.objects.filter(moment="ending").count() > 10


def test_the_outcomes_report_has_figures() -> None:
    seed_demo()
    outcomes = matching_outcomes(programme=Programme.objects.get(slug="pilot-2026"))
    assert outcomes.total >= 30 and outcomes.feedback_collected
    assert sum(b.ended_early for b in outcomes.bands) >= 5
    assert any(b.shown_rating is not None for b in outcomes.bands)


def test_the_demo_pair_can_check_in_and_gets_suggested_times() -> None:
    seed_demo()
    pair = Mentorship.objects.get(
        mentor__email="mentor1@northwind.example", mentee__email="mentee1@northwind.example"
    )
    assert checkin_refusal(pair) == ""
    assert Meeting.objects.filter(mentorship=pair, starts_at__lt=timezone.now()).exists()
    for zone in ("Australia/Sydney", "Europe/Berlin"):
        starts = common_free_starts(mentorship=pair, viewer_tz=zone, duration_minutes=30)
        assert starts, f"no suggested time for the demo pair seen from {zone}"
        assert all(s > timezone.now() + dt.timedelta(minutes=1) for s in starts)


def test_the_demo_mentees_pages_show_it() -> None:
    seed_demo()
    client = Client()
    client.login(email="mentee1@northwind.example", password=DEMO_PASSWORD)
    pair = Mentorship.objects.get(mentee__email="mentee1@northwind.example")
    propose = client.get(f"/o/northwind/mentorships/{pair.pk}/meetings/propose/")
    body = propose.content.decode()
    assert propose.status_code == 200 and "no free time in common" not in body
    assert body.count('name="slot"') > 1  # suggested times, and "Another time"
    checkin = client.get(f"/o/northwind/mentorships/{pair.pk}/feedback/")
    assert checkin.status_code == 200 and "opens three weeks" not in checkin.content.decode()
