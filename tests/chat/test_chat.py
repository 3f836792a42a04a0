"""Slack and Teams incoming webhooks: managers' channels get mentorships at risk and the
weekly summary; participants who opt in get their meeting reminders and nudges."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client, override_settings

from openmentor.chat.models import ChatChannel, ChatMessage, ChatOptIn
from openmentor.chat.summary import weekly_summaries_send
from openmentor.chat.tasks import chat_weekly_summary
from openmentor.core.events import EventKind, event_record
from openmentor.notifications.services import notification_create
from tests.conftest import Tenant
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db


def _channel(tenant: Tenant, url: str, kind: str = "slack") -> ChatChannel:
    return ChatChannel.objects.create(
        organisation=tenant.organisation, kind=kind, name="#leads", url=url
    )


def test_a_mentorship_at_risk_is_posted_to_slack_without_names(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as slack, receiver() as elsewhere:
        _channel(tenant, slack.url)
        _channel(other_tenant, elsewhere.url)
        with django_capture_on_commit_callbacks(execute=True):
            event_record(
                organisation=tenant.organisation,
                kind=EventKind.MENTORSHIP_AT_RISK,
                data={"mentorship": 5, "reason": "no meeting for 6 weeks"},
            )
        assert len(slack.received) == 1 and not elsewhere.received
        body = json.loads(slack.received[0].body)
    assert body["text"].startswith("A mentorship may need attention: no meeting for 6 weeks")
    assert f"/o/{tenant.organisation.slug}/" in body["text"]
    assert ChatMessage.objects.get().status == ChatMessage.Status.SENT


def test_teams_gets_a_message_card(tenant: Tenant, django_capture_on_commit_callbacks: Any) -> None:
    with receiver() as teams:
        _channel(tenant, teams.url, kind="teams")
        with django_capture_on_commit_callbacks(execute=True):
            event_record(organisation=tenant.organisation, kind=EventKind.MENTORSHIP_AT_RISK)
        card = json.loads(teams.received[0].body)
    assert card["@type"] == "MessageCard"
    assert card["potentialAction"][0]["targets"][0]["uri"].endswith(
        f"/o/{tenant.organisation.slug}/"
    )


def test_the_weekly_summary_counts_the_last_seven_days_on_monday_morning(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as slack:
        _channel(tenant, slack.url)
        for kind in (
            EventKind.MENTORSHIP_STARTED,
            EventKind.MENTORSHIP_STARTED,
            EventKind.FEEDBACK_GIVEN,
        ):
            event_record(organisation=tenant.organisation, kind=kind)
        now = dt.datetime.now(dt.UTC)
        monday = (now + dt.timedelta(days=(7 - now.weekday()) % 7)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        with django_capture_on_commit_callbacks(execute=True):
            chat_weekly_summary(monday - dt.timedelta(hours=1))  # not the moment: nothing
        assert not slack.received
        with django_capture_on_commit_callbacks(execute=True):
            chat_weekly_summary(monday)
        assert len(slack.received) == 1
        assert weekly_summaries_send(now=monday + dt.timedelta(days=7)) == 1  # nothing counted
        text = json.loads(slack.received[0].body)["text"]
    assert "2 mentorships started" in text and "1 pieces of feedback given" in text
    assert "0 meetings held" in text


def test_an_opted_in_participant_gets_reminders_but_not_what_they_turned_off(
    tenant: Tenant, participant_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as mine:
        url = f"/o/{tenant.organisation.slug}/me/chat/"
        response = participant_client.post(
            url, {"kind": "slack", "url": mine.url, "meeting_reminders": "on"}
        )
        assert response.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            notification_create(
                organisation_id=tenant.organisation.pk,
                user_id=tenant.participant.user_id,
                kind="meeting_reminder_24h",
                text="Your meeting with Sam starts within 24 hours.",
                url="/o/x/meetings/1/",
            )
            notification_create(
                organisation_id=tenant.organisation.pk,
                user_id=tenant.participant.user_id,
                kind="nudge.checkin",
                text="How is it going?",
                url="",
            )
            notification_create(  # someone else's reminder
                organisation_id=tenant.organisation.pk,
                user_id=tenant.manager.user_id,
                kind="meeting_reminder_24h",
                text="Not for the participant",
                url="",
            )
        texts = [json.loads(r.body)["text"] for r in mine.received]
    assert len(texts) == 1 and texts[0].startswith("Your meeting with Sam starts within 24 hours.")
    participant_client.post(url, {"action": "stop"})
    assert not ChatOptIn.objects.exists()


@override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "slack", "name": "#x", "url": "https://evil.example.org/hook"},
            "not a Slack incoming webhook",
        ),
        (
            {"kind": "teams", "name": "#x", "url": "https://hooks.slack.com/services/a"},
            "not a Microsoft Teams",
        ),
        ({"kind": "slack", "name": "#x", "url": "http://hooks.slack.com/services/a"}, "https://"),
        (
            {"kind": "irc", "name": "#x", "url": "https://hooks.slack.com/services/a"},
            "valid choice",
        ),
        ({"kind": "slack", "name": "", "url": "https://hooks.slack.com/services/a"}, "required"),
    ],
)
def test_bad_channels_are_refused(
    tenant: Tenant, manager_client: Client, data: dict[str, str], message: str
) -> None:
    response = manager_client.post(f"/o/{tenant.organisation.slug}/integrations/chat/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChatChannel.objects.exists()


@override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=False)
def test_real_service_hosts_are_accepted(tenant: Tenant, manager_client: Client) -> None:
    for kind, url in (
        ("slack", "https://hooks.slack.com/services/T000/B000/XXXX"),
        ("teams", "https://acme.webhook.office.com/webhookb2/abc"),
    ):
        response = manager_client.post(
            f"/o/{tenant.organisation.slug}/integrations/chat/",
            {"kind": kind, "name": kind, "url": url, "at_risk": "on"},
        )
        assert response.status_code == 302
    assert ChatChannel.objects.count() == 2


def test_a_failed_post_is_logged(tenant: Tenant, django_capture_on_commit_callbacks: Any) -> None:
    with receiver() as slack:
        slack.statuses = [404]
        _channel(tenant, slack.url)
        with django_capture_on_commit_callbacks(execute=True):
            event_record(organisation=tenant.organisation, kind=EventKind.MENTORSHIP_AT_RISK)
    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.FAILED
    assert message.error == "The chat service answered 404."
