"""The notification centre, preferences per kind, the weekly digest and the one-click
unsubscribe (List-Unsubscribe with List-Unsubscribe-Post, RFC 8058)."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmentor.notifications.models import Notification, NotificationPreference
from openmentor.notifications.services import EmailSpec, digest_send, notify
from tests.conftest import Tenant, client_for


def send(tenant: Tenant, capture: Any, kind: str = "nudge.step1", text: str = "Hello") -> None:
    with capture(execute=True):
        notify(
            organisation=tenant.organisation,
            user=tenant.participant.user,
            kind=kind,
            text=text,
            url="/somewhere/",
            email=EmailSpec(
                subject="A subject",
                template="notifications/email/alert",
                context={"name": "You", "text": text},
            ),
        )


def unsubscribe_path(message: Any) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    found = re.search(r"(/unsubscribe/[^>]+/)", header)
    assert found
    return found.group(1)


def test_the_header_counts_unread_and_the_centre_lists_only_mine(
    tenant: Tenant, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    send(tenant, django_capture_on_commit_callbacks, text="For the participant")
    Notification.objects.create(
        organisation=tenant.organisation, user=tenant.manager.user, kind="x", text="Not yours"
    )
    client = client_for(tenant.participant)
    url = reverse("notification_list", args=[tenant.organisation.slug])
    with django_assert_max_num_queries(8):
        page = client.get(url)
    text = page.content.decode()
    assert "For the participant" in text and "Not yours" not in text
    assert re.search(r"Notifications <span class=\"badge\">1<", text)
    theirs = Notification.objects.get(text="Not yours")
    read = reverse("notifications_read", args=[tenant.organisation.slug])
    client.post(read, {"id": str(theirs.pk)})
    theirs.refresh_from_db()
    assert theirs.read_at is None, "another person's notice is not mine to mark"
    assert client.post(read, {"id": "abc"}).status_code == 400
    client.post(read)
    assert not Notification.objects.filter(user=tenant.participant.user, read_at=None).exists()
    assert "badge" not in client.get(url).content.decode().split("<main")[0]


def test_emails_come_in_html_and_text_with_one_click_unsubscribe_per_kind(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    send(tenant, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    # A mail client's one-click POST: no session, no CSRF token.
    answer = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert "no longer get e-mails" in answer.content.decode()
    pref = NotificationPreference.objects.get(user=tenant.participant.user)
    assert (pref.category, pref.email) == ("nudges", "off")
    replay = Client().post(path)
    assert "already unsubscribed" in replay.content.decode()
    mail.outbox.clear()
    send(tenant, django_capture_on_commit_callbacks)
    assert mail.outbox == [], "that kind is off now"
    send(tenant, django_capture_on_commit_callbacks, kind="feedback.meeting")
    assert len(mail.outbox) == 1, "other kinds still come"


def test_the_unsubscribe_page_asks_first_and_refuses_a_bad_link(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    send(tenant, django_capture_on_commit_callbacks)
    path = unsubscribe_path(mail.outbox[0])
    page = Client().get(path)
    assert page.status_code == 200 and "<button" in page.content.decode()
    assert not NotificationPreference.objects.exists(), "a GET (a mail scanner) changes nothing"
    bad = Client().post(path[:-4] + "zz/")
    assert bad.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_the_weekly_digest_gathers_what_the_person_chose_for_it(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(tenant.participant)
    url = reverse("notification_preferences", args=[tenant.organisation.slug])
    choices = dict.fromkeys(
        ["feedback", "mentorship", "meetings", "milestones", "alerts", "reports"], "immediate"
    )
    assert client.post(url, {**choices, "nudges": "weekly"}).status_code == 400
    assert not NotificationPreference.objects.exists()
    assert client.post(url, {**choices, "nudges": "digest"}).status_code == 302
    send(tenant, django_capture_on_commit_callbacks, text="First")
    send(tenant, django_capture_on_commit_callbacks, text="Second")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=timezone.now()) == 1
        assert digest_send(now=timezone.now()) == 0
    (digest,) = mail.outbox
    assert "First" in digest.body and "Second" in digest.body


def test_other_organisations_cannot_open_my_centre(tenant: Tenant, other_tenant: Tenant) -> None:
    url = reverse("notification_list", args=[tenant.organisation.slug])
    assert client_for(other_tenant.participant).get(url).status_code == 404
    assert Client().get(url).status_code == 302
