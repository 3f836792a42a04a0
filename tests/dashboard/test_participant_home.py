from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openmentor.dashboard.home import mentorship_health
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Goal, Mentorship
from openmentor.messaging.models import Message
from tests.conftest import Tenant, client_for
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def home(tenant: Tenant) -> str:
    response = client_for(tenant.participant).get(f"/o/{tenant.organisation.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_health_follows_the_agreed_cadence(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    now = timezone.now()
    mentorship.agreed_cadence_weeks = 2
    mentorship.started_at = now - timedelta(days=60)
    assert (
        mentorship_health(
            mentorship=mentorship, last_activity=now - timedelta(days=10), now=now
        ).level
        == "good"
    )
    quiet = mentorship_health(
        mentorship=mentorship, last_activity=now - timedelta(days=30), now=now
    )
    assert (quiet.level, quiet.detail) == ("quiet", "Last in touch 30 days ago")
    assert mentorship_health(mentorship=mentorship, last_activity=None, now=now).level == "quiet"
    mentorship.started_at = now - timedelta(days=3)
    assert mentorship_health(mentorship=mentorship, last_activity=None, now=now).level == "new"
    mentorship.status = Mentorship.Status.PAUSED
    assert mentorship_health(mentorship=mentorship, last_activity=None, now=now).label == "Paused"


def test_home_shows_meetings_mentorships_unread_goals_and_the_next_step(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    partner = mentorship.mentor
    body = home(tenant)
    assert "Propose your first meeting" in body  # nothing planned yet
    assert partner.name in body and "New" in body

    Meeting.objects.create(
        mentorship=mentorship,
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=30,
        status=Meeting.Status.PROPOSED,
        proposed_by=partner,
    )
    Message.objects.create(mentorship=mentorship, author=partner, body="Hello there")
    Goal.objects.create(mentorship=mentorship, title="Give a conference talk", progress=40)
    body = home(tenant)
    assert "Answer the invitation" in body
    assert "1 unread" in body and "Reply to 1 unread message" in body
    assert "Give a conference talk" in body and 'value="40"' in body
    assert "On track" in body  # the message counts as being in touch


def test_an_accepted_meeting_offers_join(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    meeting = Meeting.objects.create(
        mentorship=mentorship,
        starts_at=timezone.now() + timedelta(minutes=10),
        duration_minutes=30,
        status=Meeting.Status.ACCEPTED,
        proposed_by=mentorship.mentor,
    )
    body = home(tenant)
    assert f"/mentorships/{mentorship.pk}/meetings/{meeting.pk}/" in body and ">Join<" in body


def test_home_shows_only_my_own_mentorships(tenant: Tenant) -> None:
    mine = active_mentorship(tenant.organisation, mentee=tenant.participant)
    others = active_mentorship(tenant.organisation)
    body = home(tenant)
    assert mine.mentor.name in body
    assert others.mentor.email not in body and f"/mentorships/{others.pk}/" not in body


def test_home_runs_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries
) -> None:
    for _ in range(8):
        mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
        Message.objects.create(mentorship=mentorship, author=mentorship.mentor, body="hi")
        Goal.objects.create(mentorship=mentorship, title="A goal")
        Meeting.objects.create(
            mentorship=mentorship,
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=30,
            status=Meeting.Status.ACCEPTED,
            proposed_by=mentorship.mentor,
        )
    client = client_for(tenant.participant)
    with django_assert_max_num_queries(30):
        response = client.get(f"/o/{tenant.organisation.slug}/")
    assert response.status_code == 200
