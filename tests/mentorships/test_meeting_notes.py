"""Shared notes from a meeting, on the meeting's page: the pair writes and reads them,
private notes stay on the mentorship page, managers and outsiders never see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Mentorship, Note
from openmentor.mentorships.services import journey as mentorships_journey
from tests.conftest import Tenant, client_for
from tests.meetings.helpers import make_meeting
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db
QueryLimit = Callable[..., Any]


@pytest.fixture
def pair(tenant: Tenant) -> Mentorship:
    return active_mentorship(tenant.organisation, mentee=tenant.participant)


@pytest.fixture
def held(pair: Mentorship) -> Meeting:
    return make_meeting(pair, timezone.now() - dt.timedelta(minutes=40))


def _url(name: str, pair: Mentorship, meeting: Meeting) -> str:
    return reverse(
        name,
        kwargs={
            "slug": pair.programme.organisation.slug,
            "mentorship_id": pair.pk,
            "meeting_id": meeting.pk,
        },
    )


def _as(user: User) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_both_members_share_notes_after_the_meeting(
    tenant: Tenant, pair: Mentorship, held: Meeting
) -> None:
    mentee = client_for(tenant.participant)
    page = mentee.get(_url("meeting_detail", pair, held)).text
    assert "Notes from this meeting" in page and 'for="id_body">Add a shared note' in page
    response = mentee.post(_url("meeting_note_add", pair, held), {"body": "  Agreed: draft CV  "})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = Note.objects.get()
    assert (note.body, note.private, note.meeting_id) == ("Agreed: draft CV", False, held.pk)
    _as(pair.mentor).post(_url("meeting_note_add", pair, held), {"body": "Send intro to Sam"})
    for reader in (pair.mentor, pair.mentee):
        text = _as(reader).get(_url("meeting_detail", pair, held)).text
        assert "Agreed: draft CV" in text and "Send intro to Sam" in text
    # The notes are the mentorship's shared notes too.
    detail = reverse("mentorship_detail", args=[tenant.organisation.slug, pair.pk])
    assert "Agreed: draft CV" in mentee.get(detail).text


def test_private_notes_stay_on_the_mentorship_page(
    tenant: Tenant, pair: Mentorship, held: Meeting
) -> None:
    mentorships_journey.note_create(
        mentorship=pair, user=pair.mentee, body="Only mine", private=True
    )
    mentorships_journey.note_create(
        mentorship=pair, user=pair.mentee, body="Shared, no meeting", private=False
    )
    page = client_for(tenant.participant).get(_url("meeting_detail", pair, held)).text
    assert "Only mine" not in page and "Shared, no meeting" not in page
    with pytest.raises(ValidationError):
        mentorships_journey.note_create(
            mentorship=pair, user=pair.mentee, body="Private", private=True, meeting=held
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something first."),
        ("   ", "Write something first."),
        ("z" * 5001, "Keep a note under 5,000"),
    ],
)
def test_bad_notes_are_refused_at_the_field_and_nothing_is_written(
    tenant: Tenant, pair: Mentorship, held: Meeting, body: str, message: str
) -> None:
    response = client_for(tenant.participant).post(
        _url("meeting_note_add", pair, held), {"body": body}
    )
    assert response.status_code == 400
    assert f'<p class="error" id="id_body_error">{message}' in response.text
    if body.strip():
        assert body in response.text  # what was typed is kept
    assert not Note.objects.exists()


def test_no_notes_before_the_meeting_or_for_one_that_did_not_happen(
    tenant: Tenant, pair: Mentorship
) -> None:
    client = client_for(tenant.participant)
    coming = make_meeting(pair, timezone.now() + dt.timedelta(days=1))
    assert "Notes from this meeting" not in client.get(_url("meeting_detail", pair, coming)).text
    early = client.post(_url("meeting_note_add", pair, coming), {"body": "Too soon"})
    assert early.status_code == 400 and "once it has started" in early.text
    gone = make_meeting(pair, timezone.now() - dt.timedelta(days=1), status="cancelled")
    late = client.post(_url("meeting_note_add", pair, gone), {"body": "Never met"})
    assert late.status_code == 400 and "did not take place" in late.text
    assert not Note.objects.exists()


def test_managers_and_outsiders_never_see_meeting_notes(
    tenant: Tenant, other_tenant: Tenant, pair: Mentorship, held: Meeting
) -> None:
    mentorships_journey.note_create(
        mentorship=pair,
        user=pair.mentee,
        body="Confidential reflection",
        private=False,
        meeting=held,
    )
    manager = client_for(tenant.manager)
    page = manager.get(_url("meeting_detail", pair, held))
    assert page.status_code == 200  # managers read the meeting itself
    assert "Confidential reflection" not in page.text and "Notes from this meeting" not in page.text
    assert manager.post(_url("meeting_note_add", pair, held), {"body": "x"}).status_code == 403
    outsider = client_for(other_tenant.manager)
    assert outsider.get(_url("meeting_detail", pair, held)).status_code == 404
    assert outsider.post(_url("meeting_note_add", pair, held), {"body": "x"}).status_code == 404
    assert Note.objects.count() == 1


def test_another_pairs_meeting_is_404_and_the_service_refuses_it(
    tenant: Tenant, pair: Mentorship, held: Meeting
) -> None:
    others = active_mentorship(tenant.organisation)
    their_meeting = make_meeting(others, timezone.now() - dt.timedelta(hours=2))
    client = client_for(tenant.participant)
    # Their meeting, under their mentorship or named under mine: 404 both ways.
    assert (
        client.post(_url("meeting_note_add", others, their_meeting), {"body": "x"}).status_code
        == 404
    )
    mixed = reverse(
        "meeting_note_add",
        kwargs={
            "slug": tenant.organisation.slug,
            "mentorship_id": pair.pk,
            "meeting_id": their_meeting.pk,
        },
    )
    assert client.post(mixed, {"body": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        mentorships_journey.note_create(
            mentorship=pair, user=pair.mentee, body="x", private=False, meeting=their_meeting
        )
    assert not Note.objects.exists()


def test_the_meeting_page_reads_notes_in_a_bounded_number_of_queries(
    tenant: Tenant, pair: Mentorship, held: Meeting, django_assert_max_num_queries: QueryLimit
) -> None:
    for i in range(30):
        Note.objects.create(
            mentorship=pair,
            author=pair.mentor if i % 2 else pair.mentee,
            body=f"Note {i}",
            meeting=held,
        )
    client = client_for(tenant.participant)
    client.get(_url("meeting_detail", pair, held))  # warm the session
    with django_assert_max_num_queries(15):
        page = client.get(_url("meeting_detail", pair, held))
    assert "Note 29" in page.text
