"""The conversation page and attachment downloads, as the people using them see them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from openmentor.mentorships.models import Mentorship
from openmentor.messaging import selectors, services
from openmentor.messaging.models import Message
from openmentor.organisations.models import Membership
from tests.conftest import Tenant, client_for
from tests.messaging import files
from tests.messaging.conftest import Pair, make_pair, new_participant, stored_files

pytestmark = pytest.mark.django_db


def url(pair: Pair) -> str:
    return reverse("conversation", args=[pair.tenant.organisation.slug, pair.mentorship.pk])


def download_url(pair: Pair, message: Message) -> str:
    return reverse(
        "message_attachment", args=[pair.tenant.organisation.slug, pair.mentorship.pk, message.pk]
    )


def with_file(pair: Pair, author: Membership, name: str = "plan.pdf") -> Message:
    return services.message_send(
        mentorship=pair.mentorship,
        author=author.user,
        body="The plan",
        attachment=files.upload(name, files.PDF),
    )


def test_both_members_see_the_conversation_oldest_first(pair: Pair) -> None:
    services.message_send(mentorship=pair.mentorship, author=pair.mentor.user, body="First <b>")
    services.message_send(mentorship=pair.mentorship, author=pair.mentee.user, body="Second")
    for member in (pair.mentee, pair.mentor):
        response = client_for(member).get(url(pair))
        assert response.status_code == 200
        page = response.content.decode()
        assert page.index("First &lt;b&gt;") < page.index("Second")  # escaped, in order
        assert 'role="log"' in page
        assert '<label for="id_body">Message' in page
        assert '<button type="submit">Send</button>' in page
        assert f'data-ws-path="/ws/mentorships/{pair.mentorship.pk}/messages/"' in page
        assert "managers cannot" in page


def test_opening_the_page_marks_the_conversation_read(pair: Pair) -> None:
    services.message_send(mentorship=pair.mentorship, author=pair.mentor.user, body="Hi")
    assert selectors.unread_counts(membership=pair.mentee) == {pair.mentorship.pk: 1}
    client_for(pair.mentee).get(url(pair))
    assert selectors.unread_counts(membership=pair.mentee) == {}


def test_nobody_else_can_open_it_not_even_managers(pair: Pair, other_tenant: Tenant) -> None:
    """Messages are private to the pair: every other person gets the same 404."""
    stranger = new_participant(pair.tenant.organisation)
    message = with_file(pair, pair.mentor)
    for outsider in (pair.tenant.manager, pair.tenant.owner, stranger):
        client = client_for(outsider)
        assert client.get(url(pair)).status_code == 404
        assert client.post(url(pair), {"body": "let me in"}).status_code == 404
        assert client.get(download_url(pair, message)).status_code == 404
    # Another organisation's owner, naming the mentorship under their own organisation.
    foreign = reverse("conversation", args=[other_tenant.organisation.slug, pair.mentorship.pk])
    assert client_for(other_tenant.owner).get(foreign).status_code == 404
    assert Message.objects.count() == 1


def test_another_pairs_conversation_and_files_are_404(pair: Pair) -> None:
    other = make_pair(pair.tenant, mentee=new_participant(pair.tenant.organisation))
    theirs = with_file(other, other.mentor)
    client = client_for(pair.mentee)
    assert client.get(url(other)).status_code == 404
    # Their message's id under our own mentorship's URL: still 404.
    assert client.get(download_url(pair, theirs)).status_code == 404


def test_sending_without_javascript_posts_and_redirects(pair: Pair) -> None:
    client = client_for(pair.mentee)
    response = client.post(url(pair), {"body": "Shall we meet on Tuesday?"})
    assert response.status_code == 302
    assert response["Location"] == url(pair) + "#compose"
    assert client.get(url(pair)).content.decode().count("Shall we meet on Tuesday?") == 1
    assert Message.objects.get().author == pair.mentee.user


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({}, "Write a message (or attach a file) before sending."),
        ({"body": "   "}, "Write a message (or attach a file) before sending."),
        ({"body": "y" * 5001}, "at most 5,000 characters; this one has 5,001"),
        # The same validator, and so the same words, as the websocket.
        ({"body": "a\x00b"}, "cannot contain the NUL character"),
    ],
)
def test_bad_messages_are_refused_at_the_field_keeping_the_text(
    pair: Pair, data: dict[str, str], says: str
) -> None:
    response = client_for(pair.mentee).post(url(pair), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="error" id="id_body_error">' in page
    assert says in page
    assert "Your message was not sent" in page
    if data.get("body", "").strip() and "\x00" not in data["body"]:
        assert data["body"] in page  # what they typed is still in the box
    assert not Message.objects.exists()


def test_a_disguised_file_is_refused_keeping_the_text(pair: Pair, media_root: Path) -> None:
    response = client_for(pair.mentee).post(
        url(pair),
        {"body": "My report", "attachment": files.upload("report.pdf", files.EXE)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not really a .pdf file, so it was not attached" in page
    assert "My report</textarea>" in page
    assert not Message.objects.exists()
    assert stored_files(media_root) == []


def test_a_too_large_file_is_refused(pair: Pair, media_root: Path) -> None:
    big = files.upload("big.png", files.PNG + b"0" * (10 * 1024 * 1024))
    response = client_for(pair.mentee).post(url(pair), {"body": "", "attachment": big})
    assert response.status_code == 400
    assert "attachments may be at most 10 MB" in response.content.decode()
    assert not Message.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_is_sent_and_downloaded_by_the_partner_as_an_attachment(pair: Pair) -> None:
    response = client_for(pair.mentee).post(
        url(pair),
        {"body": "", "attachment": files.upload("Plan für März.pdf", files.PDF, "text/html")},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    page = client_for(pair.mentor).get(url(pair)).content.decode()
    assert download_url(pair, message) in page
    assert "Plan für März.pdf" in page
    download = client_for(pair.mentor).get(download_url(pair, message))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"  # what it is, not what was claimed
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Plan%20f%C3%BCr%20M%C3%A4rz.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == files.PDF  # type: ignore[attr-defined]
    assert client_for(pair.mentor).post(download_url(pair, message)).status_code == 405


def test_a_message_without_a_file_has_no_download(pair: Pair) -> None:
    message = services.message_send(mentorship=pair.mentorship, author=pair.mentor.user, body="x")
    assert client_for(pair.mentee).get(download_url(pair, message)).status_code == 404


def test_an_ended_mentorship_keeps_its_conversation_read_only(pair: Pair) -> None:
    services.message_send(mentorship=pair.mentorship, author=pair.mentor.user, body="Thank you!")
    Mentorship.objects.filter(pk=pair.mentorship.pk).update(
        status=Mentorship.Status.ENDED, ended_at=timezone.now()
    )
    client = client_for(pair.mentee)
    page = client.get(url(pair)).content.decode()
    assert "Thank you!" in page
    assert "read-only" in page
    assert "<textarea" not in page
    response = client.post(url(pair), {"body": "One more thing"})
    assert response.status_code == 400
    assert Message.objects.count() == 1


def test_earlier_messages_are_a_link_away(pair: Pair) -> None:
    Message.objects.bulk_create(
        Message(mentorship=pair.mentorship, author=pair.mentor.user, body=f"note {i:03}")
        for i in range(203)
    )
    client = client_for(pair.mentee)
    page = client.get(url(pair)).content.decode()
    assert "note 202" in page and "note 002" not in page
    oldest_shown = Message.objects.get(body="note 003")
    assert f"?before={oldest_shown.pk}" in page
    earlier = client.get(url(pair), {"before": oldest_shown.pk}).content.decode()
    assert "note 000" in earlier and "note 003" not in earlier
    assert "Back to the latest messages" in earlier
    assert 'data-ws-path=""' in earlier  # an old page does not go live
    # A mangled link shows the latest page instead of failing.
    for mangled in ("abc", "-1", "99999999999999999999999"):
        assert client.get(url(pair), {"before": mangled}).status_code == 200


def test_the_page_costs_a_bounded_number_of_queries(
    pair: Pair, django_assert_max_num_queries: Any
) -> None:
    messages = [
        Message(
            mentorship=pair.mentorship,
            author=(pair.mentor if i % 2 else pair.mentee).user,
            body=f"line {i}",
        )
        for i in range(220)
    ]
    Message.objects.bulk_create(messages)
    for i in range(5):
        with_file(pair, pair.mentor, f"file{i}.pdf")
    client = client_for(pair.mentee)
    client.get(url(pair))  # the first visit creates the read position
    # Session, user, membership, mentorship, messages with authors, read position,
    # time zone, session save, and the savepoints around the writes: none per message.
    with django_assert_max_num_queries(14):
        response = client.get(url(pair))
    assert response.content.decode().count('class="chat-message') == 200
