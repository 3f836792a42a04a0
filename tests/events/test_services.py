"""Programme events: scheduling, RSVP within capacity and audience, invitations with one
UID and a rising SEQUENCE, cancellation, attendance, and the boundaries between people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmentor.events import selectors, services
from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.organisations.models import Role
from openmentor.programmes.models import Enrolment, Programme
from openmentor.video.models import Presence, RoomMember
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def setup(tenant: Tenant, people: int = 3) -> tuple[Programme, list[Any]]:
    programme = ProgrammeFactory(organisation=tenant.organisation, status=Programme.Status.RUNNING)
    members = []
    for i in range(people):
        member = MembershipFactory(organisation=tenant.organisation, role=Role.PARTICIPANT)
        role = Enrolment.Role.MENTOR if i == 0 else Enrolment.Role.MENTEE
        Enrolment.objects.create(programme=programme, user=member.user, role=role)
        members.append(member)
    return programme, members


def values(**over: Any) -> dict[str, Any]:
    start = timezone.now() + dt.timedelta(days=2)
    return {
        "kind": "launch",
        "title": "Launch webinar",
        "description": "Welcome to the programme",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
        "audience": "everyone",
        "capacity": 2,
        **over,
    }


def test_rsvp_sends_an_invitation_and_updates_keep_the_uid(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme, (a, b, c) = setup(tenant)
    event = services.event_schedule(programme=programme, actor=tenant.manager, values=values())
    assert event.room is not None and event.room.kind == "group"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_rsvp(event=event, user=a.user, going=True)
        services.event_rsvp(event=event, user=b.user, going=True)
    assert [m.to for m in mail.outbox] == [[a.user.email], [b.user.email]]
    ics = mail.outbox[0].attachments[0]
    body = ics[1].decode() if isinstance(ics[1], bytes) else ics[1]
    assert "METHOD:REQUEST" in body and f"UID:{event.uid}" in body and "SEQUENCE:0" in body
    assert set(RoomMember.objects.filter(room=event.room).values_list("user_id", flat=True)) >= {
        a.user.pk,
        b.user.pk,
    }
    # full: the third person is refused, nothing written
    with pytest.raises(ValidationError, match="full"):
        services.event_rsvp(event=event, user=c.user, going=True)
    assert not EventRsvp.objects.filter(event=event, user=c.user).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, actor=tenant.manager, values={"title": "Kick-off"})
    assert len(mail.outbox) == 2
    body = mail.outbox[0].attachments[0][1]
    body = body.decode() if isinstance(body, bytes) else body
    assert f"UID:{event.uid}" in body and "SEQUENCE:1" in body and "Kick-off" in body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=tenant.manager)
    body = mail.outbox[0].attachments[0][1]
    body = body.decode() if isinstance(body, bytes) else body
    assert "METHOD:CANCEL" in body and "SEQUENCE:2" in body


def test_bad_input_is_refused_with_messages_and_nothing_written(tenant: Tenant) -> None:
    programme, _ = setup(tenant, people=0)
    start = timezone.now() + dt.timedelta(days=1)
    cases = [
        ({"ends_at": start - dt.timedelta(hours=1), "starts_at": start}, "end after it starts"),
        ({"title": "  "}, "Give the event a title"),
        ({"capacity": 0}, "at least 1"),
        ({"venue": "external", "external_url": "javascript:alert(1)"}, "https:// link"),
    ]
    for over, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.event_schedule(
                programme=programme, actor=tenant.manager, values=values(**over)
            )
    assert not ProgrammeEvent.objects.exists()


def test_audience_and_organisation_boundaries(tenant: Tenant, other_tenant: Tenant) -> None:
    programme, (mentor, mentee, _) = setup(tenant)
    event = services.event_schedule(
        programme=programme, actor=tenant.manager, values=values(audience="mentors")
    )
    with pytest.raises(PermissionDenied):
        services.event_rsvp(event=event, user=mentee.user, going=True)
    with pytest.raises(PermissionDenied):
        services.event_schedule(programme=programme, actor=other_tenant.manager, values=values())
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, actor=tenant.participant)
    url = f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/events/{event.pk}/"
    page = client_for(mentee).get(url)  # not in the audience: sees it, cannot answer
    assert page.status_code == 200 and "going</button>" not in page.content.decode()
    assert client_for(mentee).post(url, {"answer": "going"}).status_code == 403
    assert client_for(other_tenant.manager).get(url).status_code in (403, 404)
    assert client_for(mentor).get(url).status_code == 200
    assert client_for(mentor).post(url, {"answer": "maybe"}).status_code == 400
    assert not EventRsvp.objects.exists()


def test_attendance_from_the_room_and_from_i_attended(tenant: Tenant) -> None:
    programme, (a, b, c) = setup(tenant)
    event = services.event_schedule(
        programme=programme, actor=tenant.manager, values=values(capacity=None)
    )
    for m in (a, b):
        services.event_rsvp(event=event, user=m.user, going=True)
    Presence.objects.create(
        room=event.room,
        user=a.user,
        client_id="x",
        joined_at=event.starts_at + dt.timedelta(minutes=2),
    )
    assert selectors.event_attendance(event=event) == [a.user.pk]
    external = services.event_schedule(
        programme=programme,
        actor=tenant.manager,
        values=values(venue="external", external_url="https://meet.example/x"),
    )
    services.event_rsvp(event=external, user=c.user, going=True)
    with pytest.raises(ValidationError, match="not started"):
        services.event_attended(event=external, user=c.user)
    services.event_attended(
        event=external, user=c.user, now=external.starts_at + dt.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError, match="said they are going"):
        services.event_attended(
            event=external, user=b.user, now=external.starts_at + dt.timedelta(minutes=5)
        )
    assert selectors.event_attendance(event=external) == [c.user.pk]
