"""Where the product leads into calls: the home page's Join, the meeting page, Call now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship
from openmentor.video import services
from tests.conftest import client_for
from tests.meetings.helpers import make_meeting
from tests.video.conftest import Pair

pytestmark = pytest.mark.django_db


def _meeting_call_url(pair: Pair, meeting: Meeting) -> str:
    return reverse(
        "meeting_call", args=[pair.tenant.organisation.slug, pair.mentorship.pk, meeting.pk]
    )


def test_home_join_opens_the_built_in_room_from_ten_minutes_before(pair: Pair) -> None:
    meeting = make_meeting(pair.mentorship, timezone.now() + timedelta(minutes=12))
    home = f"/o/{pair.tenant.organisation.slug}/"
    body = client_for(pair.mentee).get(home).content.decode()
    assert _meeting_call_url(pair, meeting) not in body
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(minutes=9))
    body = client_for(pair.mentee).get(home).content.decode()
    assert f'href="{_meeting_call_url(pair, meeting)}"' in body


def test_a_pasted_link_still_wins_over_the_built_in_room(pair: Pair) -> None:
    meeting = make_meeting(pair.mentorship, timezone.now() + timedelta(minutes=5))
    Meeting.objects.filter(pk=meeting.pk).update(location="https://meet.example.org/abc")
    body = client_for(pair.mentee).get(f"/o/{pair.tenant.organisation.slug}/").content.decode()
    assert "https://meet.example.org/abc" in body
    assert _meeting_call_url(pair, meeting) not in body


def test_the_meeting_page_leads_into_the_call_and_reports_attendance(pair: Pair) -> None:
    meeting = make_meeting(pair.mentorship, timezone.now() - timedelta(minutes=20))
    detail = reverse(
        "meeting_detail", args=[pair.tenant.organisation.slug, pair.mentorship.pk, meeting.pk]
    )
    page = client_for(pair.mentee).get(detail).content.decode()
    assert f'href="{_meeting_call_url(pair, meeting)}"' in page
    room = services.room_for_meeting(meeting=meeting)
    start = timezone.now() - timedelta(minutes=20)
    for user_id, minutes in ((pair.mentor.user.pk, 15), (pair.mentee.user.pk, 6)):
        presence = services.presence_join(room=room, user_id=user_id, client_id="p", now=start)
        services.presence_heartbeat(presence_id=presence.pk, media=True, now=start)
        services.presence_heartbeat(
            presence_id=presence.pk, media=True, now=start + timedelta(minutes=minutes)
        )
    page = client_for(pair.mentee).get(detail).content.decode()
    assert f"{pair.mentor.user.name}: 15 minutes" in page
    assert f"{pair.mentee.user.name}: 6 minutes" in page
    assert "Both of you were in the call for at least 5 minutes." in page
    # A manager reads the meeting page but gets no way into the call.
    page = client_for(pair.tenant.manager).get(detail).content.decode()
    assert _meeting_call_url(pair, meeting) not in page


def test_call_now_is_on_an_active_pairs_page_only(pair: Pair) -> None:
    url = reverse("mentorship_detail", args=[pair.tenant.organisation.slug, pair.mentorship.pk])
    call = reverse("mentorship_call", args=[pair.tenant.organisation.slug, pair.mentorship.pk])
    assert f'href="{call}">Call now<' in client_for(pair.mentee).get(url).content.decode()
    Mentorship.objects.filter(pk=pair.mentorship.pk).update(status=Mentorship.Status.PAUSED)
    assert call not in client_for(pair.mentee).get(url).content.decode()
