"""The call page: only the room's members see it, with a policy fit for a call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openmentor.meetings.models import Meeting
from openmentor.video import services
from openmentor.video.models import CallPreference, Room
from tests.conftest import Tenant, client_for
from tests.meetings.helpers import make_meeting
from tests.messaging.conftest import make_pair, new_participant
from tests.video.conftest import Pair

pytestmark = pytest.mark.django_db


def call_url(pair: Pair) -> str:
    return reverse("mentorship_call", args=[pair.tenant.organisation.slug, pair.mentorship.pk])


def test_a_member_gets_the_lobby_with_a_call_policy(pair: Pair) -> None:
    response = client_for(pair.mentee).get(call_url(pair))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before you join" in page and 'id="call-config"' in page
    assert pair.mentor.user.name in page
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    policy = response.headers["Content-Security-Policy"]
    assert "media-src 'self' blob: mediastream:" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_other_pages_may_not_use_the_camera(pair: Pair) -> None:
    response = client_for(pair.mentee).get(
        reverse("mentorship_detail", args=[pair.tenant.organisation.slug, pair.mentorship.pk])
    )
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), display-capture=()"


def test_the_policy_allows_the_configured_janus_origin(pair: Pair, settings) -> None:  # type: ignore[no-untyped-def]
    settings.VIDEO_JANUS_URLS = ["https://janus.example.org/janus"]
    room = services.room_group_create(
        organisation=pair.tenant.organisation,
        title="Circle",
        mentors=[pair.mentor.user],
        mentees=[pair.mentee.user, new_participant(pair.tenant.organisation).user],
    )
    response = client_for(pair.mentee).get(
        reverse("group_call", args=[pair.tenant.organisation.slug, room.pk])
    )
    assert response.status_code == 200
    assert "https://janus.example.org" in response.headers["Content-Security-Policy"]
    assert '"mode": "janus"' in response.content.decode()


def test_managers_strangers_and_other_organisations_get_a_404(
    pair: Pair, other_tenant: Tenant
) -> None:
    stranger = new_participant(pair.tenant.organisation)
    for outsider in (pair.tenant.manager, pair.tenant.owner, stranger):
        assert client_for(outsider).get(call_url(pair)).status_code == 404
    other_url = reverse(
        "mentorship_call", args=[other_tenant.organisation.slug, pair.mentorship.pk]
    )
    assert client_for(other_tenant.owner).get(other_url).status_code == 404
    # The pair's own organisation slug with another organisation's member: 404 too.
    assert client_for(other_tenant.participant).get(call_url(pair)).status_code == 404


def test_a_meeting_call_of_another_pair_is_a_404(pair: Pair) -> None:
    other = make_pair(pair.tenant, new_participant(pair.tenant.organisation))
    meeting = make_meeting(other.mentorship, timezone.now())
    url = reverse(
        "meeting_call", args=[pair.tenant.organisation.slug, pair.mentorship.pk, meeting.pk]
    )
    assert client_for(pair.mentee).get(url).status_code == 404
    assert not Room.objects.exists()


def test_a_meeting_room_says_when_it_opens_and_shows_first_meeting_icebreakers(pair: Pair) -> None:
    meeting = make_meeting(pair.mentorship, timezone.now() + timedelta(hours=2))
    url = reverse(
        "meeting_call", args=[pair.tenant.organisation.slug, pair.mentorship.pk, meeting.pk]
    )
    page = client_for(pair.mentee).get(url).content.decode()
    assert "The room opens at" in page and "Before you join" not in page
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(minutes=5))
    page = client_for(pair.mentee).get(url).content.decode()
    assert "Before you join" in page
    assert "What made you sign up for this programme?" in page  # first-meeting icebreaker


def test_the_phone_panel_shows_only_a_shared_number(pair: Pair) -> None:
    CallPreference.objects.create(
        user=pair.mentor.user, organisation=pair.tenant.organisation, phone="+44 1632 960000"
    )
    page = client_for(pair.mentee).get(call_url(pair)).content.decode()
    assert "+44 1632 960000" not in page and "has not shared a phone number" in page
    CallPreference.objects.filter(user=pair.mentor.user).update(share_phone=True)
    page = client_for(pair.mentee).get(call_url(pair)).content.decode()
    assert 'href="tel:+44 1632 960000"' in page


def test_call_settings_refuse_bad_input_with_a_400_and_save_nothing(pair: Pair) -> None:
    url = reverse("call_preferences", args=[pair.tenant.organisation.slug])
    client = client_for(pair.mentee)
    response = client.post(url, {"phone": "", "share_phone": "on", "next": call_url(pair)})
    assert response.status_code == 400
    assert "Give a phone number to share it." in response.content.decode()
    response = client.post(url, {"phone": "x" * 41})
    assert response.status_code == 400
    assert not CallPreference.objects.exists()
    response = client.post(
        url, {"phone": "+1 555 0100", "share_phone": "on", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert CallPreference.objects.get().share_phone


def test_the_page_makes_a_bounded_number_of_queries(
    pair: Pair,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(pair.mentee)
    room = services.room_for_mentorship(mentorship=pair.mentorship)
    for n in range(150):
        services.call_message_send(room=room, author_id=pair.mentor.user.pk, body=f"line {n}")
    with django_assert_max_num_queries(20):
        response = client.get(call_url(pair))
    assert response.content.decode().count("line 1") >= 1
