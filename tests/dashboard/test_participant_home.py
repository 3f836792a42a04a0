from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openmentor.dashboard.home import mentorship_health
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.mentorships.services.journey import meeting_log_external
from openmentor.messaging.models import Message
from openmentor.messaging.services import message_send
from tests.conftest import Tenant, client_for
from tests.factories import GoalFactory, MeetingFactory
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

    MeetingFactory(
        mentorship=mentorship,
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=30,
        status=Meeting.Status.PROPOSED,
        proposed_by=partner,
    )
    message_send(mentorship=mentorship, author=partner, body="Hello there")
    GoalFactory(mentorship=mentorship, title="Give a conference talk", progress=40)
    body = home(tenant)
    assert "Answer the invitation" in body
    assert "1 unread" in body and "Reply to 1 unread message" in body
    assert "Give a conference talk" in body and 'value="40"' in body
    assert "On track" in body  # the message counts as being in touch


def test_join_shows_only_when_there_is_a_call_to_join(tenant: Tenant) -> None:
    """Join opens the call itself: a pasted link from 15 minutes before until the end, and
    for a meeting without link or place OpenMentor's own call room from 10 minutes before;
    a meeting days ahead, or one in a physical place, shows "Add to calendar" instead."""
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    now = timezone.now()

    def meeting(starts_in: timedelta, location: str) -> Meeting:
        return Meeting.objects.create(
            mentorship=mentorship,
            starts_at=now + starts_in,
            duration_minutes=30,
            status=Meeting.Status.ACCEPTED,
            proposed_by=mentorship.mentor,
            location=location,
        )

    soon = meeting(timedelta(minutes=10), "https://meet.example.org/soon")
    later = meeting(timedelta(days=5), "https://meet.example.org/later")
    nowhere = meeting(timedelta(minutes=5), "")
    in_person = meeting(timedelta(minutes=5), "Room 4, second floor")
    body = home(tenant)
    assert body.count(">Join<") == 2
    assert 'href="https://meet.example.org/soon" target="_blank"' in body
    built_in = (
        f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/meetings/{nowhere.pk}/call/"
    )
    assert f'href="{built_in}">Join<' in body  # the built-in call opens in the same tab
    assert "https://meet.example.org/later" not in body
    for planned in (later, in_person):
        assert f"/meetings/{planned.pk}/calendar.ics" in body
    for joinable in (soon, nowhere):
        assert f"/meetings/{joinable.pk}/calendar.ics" not in body
    assert body.count("Add to calendar") == 2


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
        GoalFactory(mentorship=mentorship, title="A goal")
        MeetingFactory(
            mentorship=mentorship,
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=30,
            status=Meeting.Status.ACCEPTED,
            proposed_by=mentorship.mentor,
        )
    # Ended ones, each with a new match asked for (the history section), in one programme
    # (each programme adds its own checklist queries, which are not under test here).
    earlier = mentorship.programme
    for _ in range(5):
        ended = active_mentorship(tenant.organisation, mentee=tenant.participant, programme=earlier)
        ended.status, ended.ended_at = Mentorship.Status.ENDED, timezone.now()
        ended.save()
        RematchRequest.objects.create(
            programme=ended.programme,
            requester=tenant.participant.user,
            role="mentee",
            previous_mentorship=ended,
        )
    client = client_for(tenant.participant)
    client.get(f"/o/{tenant.organisation.slug}/")  # the first visit stores the organisation
    # The same count whatever the number of mentorships, programmes (8 here, each with
    # its checklist) and ended ones; 20 queries before the session was read through the
    # cache and the checklists reused the page's enrolments and profile.
    with django_assert_max_num_queries(14):
        response = client.get(f"/o/{tenant.organisation.slug}/")
    assert response.status_code == 200
    assert response.content.decode().count("Get matched") == 8  # one checklist each


def test_an_ended_mentorship_stays_on_home_with_the_new_match_asked_for(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    mentorship.status, mentorship.ended_at = Mentorship.Status.ENDED, timezone.now()
    mentorship.save()
    RematchRequest.objects.create(
        programme=mentorship.programme,
        requester=tenant.participant.user,
        role="mentee",
        excluded_partner=mentorship.mentor,
        previous_mentorship=mentorship,
    )
    body = home(tenant)
    assert "Earlier mentorships" in body
    assert f"/mentorships/{mentorship.pk}/" in body and mentorship.mentor.name in body
    assert f"You asked for a new match in {mentorship.programme.name}" in body
    assert "Waiting" in body


def test_an_ended_mentorship_offers_no_new_meeting(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    url = f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/meetings/"
    client = client_for(tenant.participant)
    assert "Propose a meeting" in client.get(url).content.decode()
    mentorship.status, mentorship.ended_at = Mentorship.Status.ENDED, timezone.now()
    mentorship.save()
    body = client.get(url).content.decode()
    assert "Propose a meeting" not in body and "only while the mentorship is active" in body


def test_in_touch_means_a_meeting_that_happened_not_one_that_was_booked(tenant: Tenant) -> None:
    """The home page's "gone quiet" agrees with the programme team's health list and the
    nudges: an accepted meeting whose time passed without anyone in the call is not
    contact; one the pair logged as held elsewhere is."""
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    now = timezone.now()
    Mentorship.objects.filter(pk=mentorship.pk).update(
        created_at=now - timedelta(weeks=8),
        started_at=now - timedelta(weeks=8),
        agreed_cadence_weeks=2,
    )
    mentorship.refresh_from_db()
    MeetingFactory(
        mentorship=mentorship,
        starts_at=now - timedelta(days=3),
        duration_minutes=30,
        status=Meeting.Status.ACCEPTED,
        proposed_by=mentorship.mentor,
    )
    body = home(tenant)
    assert "Gone quiet" in body or "No meeting or message yet" in body
    assert "On track" not in body

    meeting_log_external(
        mentorship=mentorship,
        user=tenant.participant.user,
        held_on=(now - timedelta(days=3)).date(),
        duration_minutes=45,
    )
    body = home(tenant)
    assert "On track" in body
