"""Feedback after each meeting and the check-ins: who is asked, what one click does, who
may answer, how answers are checked, and who ever sees them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.feedback.surveys import services
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.notifications.models import Notification
from openmentor.tracking.services.outcomes import meetings_settle, pulses_open
from openmentor.video.models import Presence, Room
from tests.conftest import Tenant, client_for
from tests.factories import MeetingFactory
from tests.scenarios import active_mentorship


@pytest.fixture
def pair(tenant: Tenant) -> Mentorship:
    return active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=2)


def ended_meeting(m: Mentorship, *, location: str = "", attended: int | None = None) -> Any:
    start = timezone.now() - dt.timedelta(hours=2)
    meeting = MeetingFactory(
        mentorship=m, starts_at=start, status="accepted", location=location, duration_minutes=30
    )
    if attended is not None:
        room = Room.objects.create(
            organisation=m.programme.organisation, kind="meeting", meeting=meeting, mentorship=m
        )
        for n, user in enumerate((m.mentor, m.mentee)):
            Presence.objects.create(
                room=room,
                user=user,
                client_id=f"c{n}",
                joined_at=start,
                media_since=start,
                confirmed_until=start + dt.timedelta(minutes=attended),
                left_at=start + dt.timedelta(minutes=attended),
            )
    return meeting


def settle(capture: Any) -> None:
    with capture(execute=True):
        meetings_settle(now=timezone.now())


def link(to: str, pattern: str) -> str:
    for message in mail.outbox:
        if message.to == [to]:
            found = re.search(pattern, message.body)
            if found:
                return found.group(0)
    raise AssertionError(f"no {pattern} for {to}")


def test_a_call_both_attended_counts_as_held_and_asks_both(
    pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    outcome = Activity.objects.get(key=f"outcome:meeting:{meeting.pk}")
    assert outcome.kind == "meeting_held" and outcome.data["source"] == "call"
    asked = MeetingFeedback.objects.filter(meeting=meeting)
    assert {f.author_id for f in asked} == set(pair.member_ids())
    assert not any(f.ask_happened for f in asked)
    # After the first meeting: the pairing fit for both.
    assert Checkin.objects.filter(mentorship=pair, survey="pairing_fit").count() == 2
    settle(django_capture_on_commit_callbacks)  # again: nobody is asked twice
    assert MeetingFeedback.objects.filter(meeting=meeting).count() == 2
    assert Notification.objects.filter(kind="feedback.meeting").count() == 2


def test_a_short_call_is_missed_and_a_meeting_elsewhere_asks_whether_it_happened(
    pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    short = ended_meeting(pair, attended=2)
    elsewhere = ended_meeting(pair, location="Café Central")
    settle(django_capture_on_commit_callbacks)
    assert Activity.objects.get(key=f"outcome:meeting:{short.pk}").kind == "meeting_missed"
    assert not Activity.objects.filter(key=f"outcome:meeting:{elsewhere.pk}").exists()
    question = MeetingFeedback.objects.get(meeting=elsewhere, author=pair.mentee)
    assert question.ask_happened
    services.meeting_feedback_submit(
        feedback=question, author=pair.mentee, rating=None, happened=False, now=timezone.now()
    )
    assert Activity.objects.get(key=f"outcome:meeting:{elsewhere.pk}").kind == "meeting_missed"


def test_one_click_records_the_rating_once_and_a_replay_says_so(
    pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    four = link(pair.mentee.email, r"/r/[^\s]+/")
    message = next(m for m in mail.outbox if m.to == [pair.mentee.email] and "/r/" in m.body)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.alternatives, "an HTML part too"
    page = Client().post(four)
    assert page.status_code == 200
    assert "you rated this meeting 1 out of 5" in page.content.decode()
    feedback = MeetingFeedback.objects.get(author=pair.mentee)
    assert feedback.rating == 1
    replay = Client().get(four)
    assert "already recorded" in replay.content.decode()
    recorded = Activity.objects.get(key=f"meeting-feedback:{feedback.pk}")
    assert "rating" not in recorded.data, "not shared: the record carries no value"


def test_a_mail_scanner_fetching_the_rating_links_records_nothing(
    pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [pair.mentee.email] and "/r/" in m.body)
    links = re.findall(r"/r/[^\s]+/", message.body)
    assert len(links) == 5
    for fetched in links:  # what a link scanner does with every link of the message
        page = Client().get(fetched)
        assert page.status_code == 200
        assert "data-one-click" in page.content.decode()
        assert "Record my rating" in page.content.decode()
    assert MeetingFeedback.objects.get(author=pair.mentee).rating is None
    # The person's click: the page submits its form, and the rating is recorded.
    recorded = Client().post(links[2])
    assert "you rated this meeting 3 out of 5" in recorded.content.decode()
    assert MeetingFeedback.objects.get(author=pair.mentee).rating == 3


def test_altered_or_expired_rating_links_are_refused(
    pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    good = link(pair.mentee.email, r"/r/[^\s]+/")
    token = good.split("/")[-2]
    bad = Client().get(reverse("meeting_rating_link", args=[token[:-2] + "xx"]))
    assert bad.status_code == 400 and "not valid" in bad.content.decode()
    with freeze_time(timezone.now() + dt.timedelta(days=15)):
        late = Client().get(good)
    assert late.status_code == 400 and "expired" in late.content.decode()
    assert MeetingFeedback.objects.get(author=pair.mentee).rating is None


def test_nobody_answers_a_question_meant_for_someone_else(
    pair: Mentorship, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    mentors = MeetingFeedback.objects.get(author=pair.mentor)
    url = reverse("meeting_feedback", args=[tenant.organisation.slug, mentors.pk])
    partner = client_for(tenant.participant)  # the mentee
    assert partner.get(url).status_code == 404
    assert partner.post(url, {"rating": "5"}).status_code == 404
    assert client_for(tenant.manager).get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.meeting_feedback_submit(
            feedback=mentors, author=pair.mentee, rating=5, now=timezone.now()
        )
    checkin = Checkin.objects.get(author=pair.mentor, survey="pairing_fit")
    other = reverse("checkin_answer", args=[tenant.organisation.slug, checkin.pk])
    assert partner.post(other, {"comfortable": "no", "fit": "no"}).status_code == 404
    mentors.refresh_from_db()
    checkin.refresh_from_db()
    assert mentors.rating is None and checkin.answered_at is None


@pytest.mark.parametrize(
    ("post", "error"),
    [
        ({}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "6"}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "x"}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "3", "comment": "a" * 5001}, "Keep your comment under 5,000 characters."),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_saved(
    pair: Mentorship,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Any,
    post: dict[str, str],
    error: str,
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    mine = MeetingFeedback.objects.get(author=pair.mentee)
    url = reverse("meeting_feedback", args=[tenant.organisation.slug, mine.pk])
    page = client_for(tenant.participant).post(url, post)
    assert page.status_code == 400
    assert error in page.content.decode()
    mine.refresh_from_db()
    assert mine.answered_at is None


def test_a_meeting_that_did_not_happen_takes_no_rating(pair: Mentorship) -> None:
    meeting = ended_meeting(pair, location="https://meet.example/x")
    services.meeting_feedback_request(meeting=meeting, ask_happened=True, now=timezone.now())
    mine = MeetingFeedback.objects.get(author=pair.mentee)
    with pytest.raises(Exception, match="no rating"):
        services.meeting_feedback_submit(
            feedback=mine, author=pair.mentee, rating=4, happened=False, now=timezone.now()
        )
    with pytest.raises(Exception, match="whether the meeting happened"):
        services.meeting_feedback_submit(
            feedback=mine, author=pair.mentee, rating=4, now=timezone.now()
        )


def test_private_comments_never_reach_the_partner_or_the_manager(
    pair: Mentorship, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    mine = MeetingFeedback.objects.get(author=pair.mentee)
    services.meeting_feedback_submit(
        feedback=mine,
        author=pair.mentee,
        rating=2,
        comment="my secret worry",
        shared=True,
        now=timezone.now(),
    )
    checkin = Checkin.objects.get(author=pair.mentee, survey="pairing_fit")
    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_submit(
            checkin=checkin,
            author=pair.mentee,
            answers={"comfortable": "no", "fit": "no", "comment": "my secret worry"},
            now=timezone.now(),
        )
    health = client_for(tenant.manager).get(
        reverse("programme_health", args=[tenant.organisation.slug, pair.programme.slug])
    )
    assert "not working" in health.content.decode()
    assert "my secret worry" not in health.content.decode()
    assert not any("my secret worry" in str(a.data) for a in Activity.objects.all())
    assert not any("my secret worry" in n.text for n in Notification.objects.all())
    assert not any("my secret worry" in m.body for m in mail.outbox)
    # The shared rating travels with the record; the comment never does.
    assert Activity.objects.get(key=f"meeting-feedback:{mine.pk}").data["rating"] == 2


def test_not_working_offers_the_no_fault_ending_and_alerts_the_managers(
    pair: Mentorship, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    ended_meeting(pair, attended=20)
    settle(django_capture_on_commit_callbacks)
    checkin = Checkin.objects.get(author=pair.mentee, survey="pairing_fit")
    url = reverse("checkin_answer", args=[tenant.organisation.slug, checkin.pk])
    client = client_for(tenant.participant)
    refused = client.post(url, {"comfortable": "maybe", "fit": "no"})
    assert refused.status_code == 400 and "Answer yes or no." in refused.content.decode()
    page = client.post(url, {"comfortable": "no", "fit": "no"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "End it without blame and ask for a new match" in text
    assert reverse("mentorship_end", args=[tenant.organisation.slug, pair.pk]) in text
    alerted = Notification.objects.filter(kind="alert.fit")
    assert {n.user_id for n in alerted} == {tenant.manager.user_id, tenant.owner.user_id}
    client.post(url, {"comfortable": "no", "fit": "no"})  # again: nobody is told twice
    assert Notification.objects.filter(kind="alert.fit").count() == 2


def test_the_aggregate_shows_only_from_five_ratings(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    first = active_mentorship(tenant.organisation, weeks_old=2)
    url = reverse("programme_health", args=[tenant.organisation.slug, first.programme.slug])
    manager = client_for(tenant.manager)
    for n in range(5):
        m = first if n == 0 else active_mentorship(tenant.organisation, programme=first.programme)
        meeting = ended_meeting(m)
        services.meeting_feedback_request(meeting=meeting, ask_happened=False, now=timezone.now())
        feedback = MeetingFeedback.objects.get(meeting=meeting, author=m.mentee)
        services.meeting_feedback_submit(
            feedback=feedback, author=m.mentee, rating=4 if n else 2, now=timezone.now()
        )
        if n < 4:
            assert "Not enough ratings yet" in manager.get(url).content.decode()
    assert "rated 3.6 out of 5 on average, from 5 ratings" in manager.get(url).content.decode()


def test_pulse_at_day_30_then_every_60_and_closing_survey_at_the_end(
    pair: Mentorship, django_capture_on_commit_callbacks: Any
) -> None:
    start = pair.started_at
    assert start is not None
    pulses_open(now=start + dt.timedelta(days=29))
    assert not Checkin.objects.filter(survey="pulse").exists()
    pulses_open(now=start + dt.timedelta(days=30))
    pulses_open(now=start + dt.timedelta(days=31))
    assert Checkin.objects.filter(survey="pulse", period=0).count() == 2
    pulses_open(now=start + dt.timedelta(days=90))
    assert Checkin.objects.filter(survey="pulse", period=1).count() == 2
    from openmentor.mentorships.services.lifecycle import mentorship_end

    mentorship_end(
        mentorship=pair, user=pair.mentee, reason="goals_met", reflection="", want_rematch=False
    )
    closing = Checkin.objects.get(author=pair.mentor, survey="closing")
    with pytest.raises(Exception, match="0 to 10"):
        services.checkin_submit(
            checkin=closing,
            author=pair.mentor,
            answers={"rating": 5, "nps": 11},
            now=timezone.now(),
        )
    services.checkin_submit(
        checkin=closing, author=pair.mentor, answers={"rating": 5, "nps": 9}, now=timezone.now()
    )
    closing.refresh_from_db()
    assert closing.nps == 9


def test_a_meeting_logged_as_held_elsewhere_opens_the_pairing_fit(pair: Mentorship) -> None:
    from openmentor.mentorships.services.journey import meeting_log_external
    from openmentor.tracking.services.outcomes import pairing_fits_open

    meeting_log_external(
        mentorship=pair, user=pair.mentee, held_on=timezone.localdate(), duration_minutes=30
    )
    assert pairing_fits_open(now=timezone.now()) == 1
    assert pairing_fits_open(now=timezone.now()) == 0
    assert Checkin.objects.filter(mentorship=pair, survey="pairing_fit").count() == 2
