"""The events pages: managers schedule, change, cancel and add a recording through forms
that refuse bad input with a message and write nothing; participants see the list and
answer on the event page; nobody crosses into another organisation or a manager page;
the list and the event page run a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from openmentor.events import services
from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Enrolment, Programme
from openmentor.video.models import Presence
from tests.conftest import Tenant, client_for
from tests.factories import make_member, make_programme

pytestmark = pytest.mark.django_db


def programme_with(tenant: Tenant, mentees: int = 2) -> tuple[Programme, list[Membership]]:
    programme = make_programme(tenant.organisation, status=Programme.Status.RUNNING)
    people = [tenant.participant] + [
        make_member(tenant.organisation, Role.PARTICIPANT) for _ in range(mentees - 1)
    ]
    for person in people:
        Enrolment.objects.create(programme=programme, user=person.user, role="mentee")
    return programme, people


def base(programme: Programme) -> str:
    return f"/o/{programme.organisation.slug}/programmes/{programme.slug}/events/"


def form(**over: Any) -> dict[str, Any]:
    day = (timezone.now() + dt.timedelta(days=3)).date()
    return {
        "kind": "launch",
        "title": "Launch webinar",
        "description": "Meet everyone",
        "date": day.isoformat(),
        "time": "17:00",
        "duration_minutes": "60",
        "audience": "everyone",
        "capacity": "",
        "venue": "room",
        "external_url": "",
        **over,
    }


def schedule(tenant: Tenant, programme: Programme, **over: Any) -> ProgrammeEvent:
    start = timezone.now() + dt.timedelta(days=2)
    values = {
        "kind": "launch",
        "title": "Launch webinar",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
        **over,
    }
    return services.event_schedule(programme=programme, actor=tenant.manager, values=values)


def test_a_manager_schedules_an_event_in_their_own_time(tenant: Tenant) -> None:
    programme, _ = programme_with(tenant)
    response = client_for(tenant.manager).post(base(programme) + "new/", form(capacity="30"))
    event = ProgrammeEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{base(programme)}{event.pk}/"
    assert event.title == "Launch webinar" and event.capacity == 30 and event.room is not None
    assert event.ends_at - event.starts_at == dt.timedelta(hours=1)
    # The manager's timezone is UTC here (no profile): 17:00 is 17:00 UTC.
    assert event.starts_at.astimezone(dt.UTC).hour == 17
    page = client_for(tenant.manager).get(response["Location"]).content.decode()
    assert "Launch webinar" in page and "Change the event" in page and "0 attended" in page


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"title": ""}, "Give the event a title."),
        ({"title": "x" * 151}, "Keep the title to 150 characters."),
        ({"date": "yesterday"}, "Enter a date like 2025-03-04."),
        ({"date": "2999-01-01"}, "Choose a date within ten years of today"),
        ({"time": "25:99"}, "Enter a time like 09:30."),
        ({"duration_minutes": "5"}, "An event lasts at least 15 minutes."),
        ({"duration_minutes": "100000"}, "An event can last at most 8 hours"),
        ({"duration_minutes": "an hour"}, "Enter the duration as a whole number of minutes."),
        ({"capacity": "0"}, "Leave capacity empty for no limit, or give at least 1."),
        ({"capacity": "many"}, "Enter the number of places as a whole number"),
        ({"audience": "a-circle"}, "Choose who the event is for from the list."),
        ({"kind": "party"}, "Choose one of the kinds of event listed."),
        ({"venue": "moon"}, "Choose the group room or an external link."),
        ({"venue": "external", "external_url": ""}, "Give the https:// link"),
        ({"venue": "external", "external_url": "javascript:alert(1)"}, "Give the https:// link"),
        ({"date": "2020-01-01"}, "Choose a start time in the future."),
    ],
)
def test_the_schedule_form_refuses_bad_input_and_writes_nothing(
    tenant: Tenant, over: dict[str, Any], message: str
) -> None:
    programme, _ = programme_with(tenant)
    if over.get("date") == "2020-01-01":
        over = {"date": (timezone.now() - dt.timedelta(days=1)).date().isoformat()}
    response = client_for(tenant.manager).post(base(programme) + "new/", form(**over))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgrammeEvent.objects.exists()


def test_changing_an_event_sends_the_update_and_bad_input_changes_nothing(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme, (ada, bo) = programme_with(tenant)
    event = schedule(tenant, programme, capacity=5)
    for person in (ada, bo):
        services.event_rsvp(event=event, user=person.user, going=True)
    url = f"{base(programme)}{event.pk}/edit/"
    manager = client_for(tenant.manager)
    page = manager.get(url).content.decode()
    assert 'value="Launch webinar"' in page and "Where" not in page  # the venue is fixed
    bad = manager.post(url, form(capacity="1"))
    assert bad.status_code == 400 and "2 people are already going" in bad.content.decode()
    event.refresh_from_db()
    assert event.capacity == 5 and event.sequence == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        good = manager.post(url, form(title="Kick-off", capacity="10"))
    assert good.status_code == 302
    event.refresh_from_db()
    assert event.title == "Kick-off" and event.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ada.user.email, bo.user.email])
    body = mail.outbox[0].attachments[0][1]
    body = body.decode() if isinstance(body, bytes) else body
    assert "SEQUENCE:1" in body and "METHOD:REQUEST" in body and f"UID:{event.uid}" in body


def test_cancelling_sends_a_cancellation_closes_the_room_and_cannot_repeat(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme, (ada, _) = programme_with(tenant)
    event = schedule(tenant, programme)
    services.event_rsvp(event=event, user=ada.user, going=True)
    manager = client_for(tenant.manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert manager.post(f"{base(programme)}{event.pk}/cancel/").status_code == 302
    body = mail.outbox[0].attachments[0][1]
    body = body.decode() if isinstance(body, bytes) else body
    assert mail.outbox[0].to == [ada.user.email] and "METHOD:CANCEL" in body
    again = manager.post(f"{base(programme)}{event.pk}/cancel/", follow=True)
    assert "already cancelled" in again.content.decode()
    assert manager.get(f"{base(programme)}{event.pk}/cancel/").status_code == 405
    # Participants no longer see it in the list; its page says it is cancelled.
    assert "Launch webinar" not in client_for(ada).get(base(programme)).content.decode()
    assert (
        "This event is cancelled"
        in client_for(ada).get(f"{base(programme)}{event.pk}/").content.decode()
    )
    edit = manager.post(f"{base(programme)}{event.pk}/edit/", form(title="Back on"))
    assert edit.status_code == 400 and "schedule a new one" in edit.content.decode()


def test_the_recording_link_is_checked(tenant: Tenant) -> None:
    programme, _ = programme_with(tenant)
    event = schedule(tenant, programme)
    url = f"{base(programme)}{event.pk}/recording/"
    manager = client_for(tenant.manager)
    early = manager.post(url, {"recording_url": "https://video.example/r"})
    assert early.status_code == 400 and "once the event has taken place" in early.content.decode()
    ProgrammeEvent.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    bad = manager.post(url, {"recording_url": "ftp://nope"})
    assert bad.status_code == 400 and "Give the recording" in bad.content.decode()
    assert manager.post(url, {"recording_url": "x" * 501}).status_code == 400
    event.refresh_from_db()
    assert event.recording_url == ""
    assert manager.post(url, {"recording_url": "https://video.example/r"}).status_code == 302
    page = client_for(tenant.participant).get(base(programme)).content.decode()
    assert 'href="https://video.example/r"' in page  # in the past list


def test_participants_answer_and_see_a_full_event_refused(tenant: Tenant) -> None:
    programme, (ada, bo) = programme_with(tenant)
    event = schedule(tenant, programme, capacity=1)
    url = f"{base(programme)}{event.pk}/"
    assert client_for(ada).post(url, {"answer": "going"}).status_code == 302
    full = client_for(bo).post(url, {"answer": "going"})
    assert full.status_code == 409 and "The event is full (1 places)." in full.content.decode()
    assert not EventRsvp.objects.filter(user=bo.user).exists()
    assert client_for(bo).post(url, {"answer": ""}).status_code == 400
    # Early "I attended" in the group room: refused with a message, nothing written.
    early = client_for(ada).post(url, {"answer": "attended"})
    assert early.status_code == 409 and "taken from the call itself" in early.content.decode()
    listing = client_for(ada).get(base(programme)).content.decode()
    assert "1 going of 1 places" in listing and "You: going" in listing
    page = client_for(ada).get(url).content.decode()
    assert "The group room opens at" in page and "Join the group room" not in page


def test_the_group_room_opens_ten_minutes_before_for_those_going(tenant: Tenant) -> None:
    programme, (ada, bo) = programme_with(tenant)
    start = timezone.now() + dt.timedelta(minutes=5)
    event = schedule(tenant, programme, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    services.event_rsvp(event=event, user=ada.user, going=True)
    page = client_for(ada).get(f"{base(programme)}{event.pk}/").content.decode()
    room = f"/o/{tenant.organisation.slug}/calls/{event.room_id}/"
    assert f'href="{room}"' in page
    assert client_for(ada).get(room).status_code == 200
    assert client_for(bo).get(room).status_code == 404  # not going: not a member
    later = schedule(tenant, programme)
    services.event_rsvp(event=later, user=ada.user, going=True)
    call = client_for(ada).get(f"/o/{tenant.organisation.slug}/calls/{later.room_id}/")
    assert "10 minutes before the event" in call.content.decode()
    services.event_cancel(event=event, actor=tenant.manager)
    call = client_for(ada).get(room).content.decode()
    assert "This event was cancelled, so its room is closed." in call


def test_attendance_shows_by_name_to_managers_only(tenant: Tenant) -> None:
    programme, (ada, bo) = programme_with(tenant)
    start = timezone.now() + dt.timedelta(minutes=5)
    event = schedule(tenant, programme, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    for person in (ada, bo):
        services.event_rsvp(event=event, user=person.user, going=True)
    # Ada joins the room while it is open, before the start, and stays.
    Presence.objects.create(room=event.room, user=ada.user, client_id="a", joined_at=timezone.now())
    url = f"{base(programme)}{event.pk}/"
    page = client_for(tenant.manager).get(url).content.decode()
    assert "1 attended." in page
    assert f"<td>{ada.user.name}</td><td>yes</td><td>yes</td>" in page
    assert f"<td>{bo.user.name}</td><td>yes</td><td>no</td>" in page
    assert "attended." not in client_for(ada).get(url).content.decode()


def test_boundaries_other_organisation_participants_and_audience(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    programme, (ada, _) = programme_with(tenant)
    event = schedule(tenant, programme, audience="mentors")
    detail = f"{base(programme)}{event.pk}/"
    for path in ("new/", f"{event.pk}/edit/"):
        assert client_for(ada).get(base(programme) + path).status_code == 403
        assert client_for(ada).post(base(programme) + path, form()).status_code == 403
    for path in (f"{event.pk}/cancel/", f"{event.pk}/recording/"):
        assert client_for(ada).post(base(programme) + path).status_code == 403
    assert ProgrammeEvent.objects.get().status == "scheduled"
    # Another organisation's manager: 404 on every page of this one.
    for path in ("", "new/", f"{event.pk}/", f"{event.pk}/edit/"):
        assert client_for(other_tenant.manager).get(base(programme) + path).status_code == 404
    # An event of another programme is not found through this one.
    other, _ = programme_with(other_tenant, mentees=1)
    foreign = schedule(other_tenant, other)
    assert client_for(tenant.manager).get(f"{base(programme)}{foreign.pk}/").status_code == 404
    assert (
        client_for(tenant.manager).post(f"{base(programme)}{foreign.pk}/cancel/").status_code == 404
    )
    # Outside the audience (a mentee, for a mentors' event): sees it, cannot answer.
    page = client_for(ada).get(detail).content.decode()
    assert "I&#x27;m going" not in page and "I'm going" not in page
    assert client_for(ada).post(detail, {"answer": "going"}).status_code == 403
    assert not EventRsvp.objects.exists()


def test_the_list_and_event_pages_run_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    programme, people = programme_with(tenant, mentees=12)
    events = [schedule(tenant, programme, title=f"Event {i}") for i in range(15)]
    for event in events[:5]:
        for person in people:
            services.event_rsvp(event=event, user=person.user, going=True)
    ProgrammeEvent.objects.filter(pk__in=[e.pk for e in events[10:]]).update(
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=2),
    )
    for person in people:
        Presence.objects.create(
            room=events[0].room, user=person.user, client_id="x", joined_at=events[0].starts_at
        )
    participant, manager = client_for(people[0]), client_for(tenant.manager)
    with django_assert_max_num_queries(12):
        listing = participant.get(base(programme))
    assert listing.content.decode().count("Event ") == 15
    with django_assert_max_num_queries(12):
        manager.get(base(programme))
    with django_assert_max_num_queries(14):
        page = manager.get(f"{base(programme)}{events[0].pk}/")
    assert "12 attended." in page.content.decode()
    with django_assert_max_num_queries(12):
        participant.get(f"{base(programme)}{events[0].pk}/")


def test_the_video_app_reads_the_cancelled_status_the_events_app_writes() -> None:
    # video sits below events and reads the status through the relation, by its value.
    from openmentor.video.selectors import EVENT_CANCELLED

    assert ProgrammeEvent.Status.CANCELLED.value == EVENT_CANCELLED


def test_an_event_under_way_can_be_renamed_but_not_moved_into_the_past(tenant: Tenant) -> None:
    programme, _ = programme_with(tenant)
    event = schedule(tenant, programme)
    began = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    ProgrammeEvent.objects.filter(pk=event.pk).update(
        starts_at=began, ends_at=began + dt.timedelta(hours=1)
    )
    url = f"{base(programme)}{event.pk}/edit/"
    same_time = {"date": began.date().isoformat(), "time": began.strftime("%H:%M")}
    renamed = client_for(tenant.manager).post(url, form(title="Live now", **same_time))
    assert renamed.status_code == 302
    event.refresh_from_db()
    assert event.title == "Live now" and event.starts_at == began
    earlier = began - dt.timedelta(hours=1)
    moved = client_for(tenant.manager).post(
        url, form(date=earlier.date().isoformat(), time=earlier.strftime("%H:%M"))
    )
    assert (
        moved.status_code == 400 and "Choose a start time in the future." in moved.content.decode()
    )
