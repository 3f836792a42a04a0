"""An event whose audience is a circle: a manager gives it to one of the programme's own
circles (a missing or forged circle is refused at the field, nothing saved); only the
circle's current members see it, answer it, get its invitations, updates and reminders
and enter its group room; someone who leaves the circle is taken out of it; managers
still see and manage it; the pages stay within their query bounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from freezegun import freeze_time

from openmentor.accounts.models import User
from openmentor.events import services
from openmentor.events.models import EventReminder, EventRsvp, ProgrammeEvent
from openmentor.events.reminders import event_reminders_send
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.mentorships.services import circles
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme
from openmentor.video.models import RoomMember
from tests.conftest import Tenant, client_for
from tests.mentorships.circles import Circle, form_circle, group_programme, running_circle
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db
TOPIC = "Moving into management"


def member(user: User, programme: Programme) -> Membership:
    return Membership.objects.get(user=user, organisation_id=programme.organisation_id)


def base(programme: Programme) -> str:
    return f"/o/{programme.organisation.slug}/programmes/{programme.slug}/events/"


def form(**over: Any) -> dict[str, Any]:
    day = (timezone.now() + dt.timedelta(days=3)).date()
    return {
        "kind": "other",
        "title": "Circle kick-off",
        "description": "",
        "date": day.isoformat(),
        "time": "17:00",
        "duration_minutes": "60",
        "audience": "circle",
        "circle": "",
        "capacity": "",
        "venue": "room",
        "external_url": "",
        **over,
    }


def schedule(world: Circle, **over: Any) -> ProgrammeEvent:
    start = timezone.now() + dt.timedelta(days=2)
    values = {
        "title": "Circle kick-off",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
        "audience": "circle",
        "circle": world.circle,
        **over,
    }
    return services.event_schedule(
        programme=world.circle.programme, actor=world.scenario.manager, values=values
    )


@pytest.fixture
def world(tenant: Tenant) -> Circle:
    """A running circle of one mentor and three mentees; the programme has a second
    mentor and a fourth mentee who are in no circle."""
    return running_circle(tenant.organisation)


def insiders(world: Circle) -> list[User]:
    return [world.mentors[0], *world.mentees[:3]]


def outsiders(world: Circle) -> list[User]:
    return [world.mentors[1], world.mentees[3]]


def test_a_manager_schedules_an_event_for_one_of_the_programme_s_circles(world: Circle) -> None:
    programme = world.circle.programme
    manager = client_for(world.scenario.manager)
    page = manager.get(base(programme) + "new/").content.decode()
    assert '<option value="circle">A circle</option>' in page
    assert f'<option value="{world.circle.pk}">{TOPIC} (led by {world.mentors[0].name})' in page
    response = manager.post(base(programme) + "new/", form(circle=str(world.circle.pk)))
    event = ProgrammeEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{base(programme)}{event.pk}/"
    assert event.audience == "circle" and event.circle == world.circle
    detail = manager.get(response["Location"]).content.decode()
    assert f"for the {TOPIC} circle" in detail and "Change the event" in detail
    # The change form shows the circle chosen.
    edit = manager.get(f"{base(programme)}{event.pk}/edit/").content.decode()
    assert f'<option value="{world.circle.pk}" selected>' in edit


def test_a_programme_without_circles_does_not_offer_one(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation)
    manager = client_for(scenario.manager)
    url = base(scenario.programme) + "new/"
    page = manager.get(url).content.decode()
    assert "A circle" not in page and "Which circle" not in page
    refused = manager.post(url, form(circle=""))
    assert refused.status_code == 400
    assert "Choose who the event is for from the list." in refused.content.decode()
    assert not ProgrammeEvent.objects.exists()


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("none", "Choose the circle the event is for."),
        ("other_programme", "Choose one of this programme&#x27;s circles."),
        ("other_organisation", "Choose one of this programme&#x27;s circles."),
        ("a_pair", "Choose one of this programme&#x27;s circles."),
        ("ended", "Choose one of this programme&#x27;s circles."),
        ("not_a_number", "Choose one of this programme&#x27;s circles."),
    ],
)
def test_a_missing_or_forged_circle_is_refused_at_the_field_and_nothing_saved(
    world: Circle, tenant: Tenant, other_tenant: Tenant, which: str, message: str
) -> None:
    programme = world.circle.programme
    if which == "other_programme":  # a circle of another programme of the organisation
        choice: object = form_circle(group_programme(tenant.organisation), topic="Elsewhere").pk
    elif which == "other_organisation":
        choice = running_circle(other_tenant.organisation).circle.pk
    elif which == "a_pair":
        choice = active_mentorship(tenant.organisation).pk
    elif which == "ended":  # no longer offered once the circle has ended
        ended = form_circle(world.scenario, mentees=1, topic="Over")
        Mentorship.objects.filter(pk=ended.pk).update(status="ended", ended_at=timezone.now())
        choice = ended.pk
    elif which == "not_a_number":
        choice = "1 OR 1=1"
    else:
        choice = ""
    before = (RoomMember.objects.count(), len(mail.outbox))
    response = client_for(world.scenario.manager).post(
        base(programme) + "new/", form(circle=str(choice))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<p class="error" id="id_circle_error">{message}</p>' in page
    assert not ProgrammeEvent.objects.exists()
    assert (RoomMember.objects.count(), len(mail.outbox)) == before


def test_the_service_and_the_database_hold_the_same_rule(world: Circle, tenant: Tenant) -> None:
    # A caller that skips the form is refused by the service, by field...
    foreign = form_circle(group_programme(tenant.organisation), topic="Elsewhere")
    over = form_circle(world.scenario, mentees=1, topic="Over")
    Mentorship.objects.filter(pk=over.pk).update(status="ended", ended_at=timezone.now())
    over.refresh_from_db()
    for circle, message in (
        (None, "Choose the circle"),
        (foreign, "this programme's circles"),
        (over, "The Over circle has ended; choose one being formed or running."),
    ):
        with pytest.raises(ValidationError) as error:
            schedule(world, circle=circle)
        assert message in error.value.message_dict["circle"][0]
    # ...an audience other than a circle drops a circle given with it...
    assert schedule(world, audience="everyone").circle is None
    # ...and the database refuses a circle event without a circle, or a circle on another.
    start = timezone.now() + dt.timedelta(days=1)
    times = {"starts_at": start, "ends_at": start + dt.timedelta(hours=1)}
    programme = world.circle.programme
    for audience, circle in (("circle", None), ("mentors", world.circle)):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgrammeEvent.objects.create(
                programme=programme, title="x", audience=audience, circle=circle, **times
            )


def test_only_the_circle_s_members_see_answer_and_are_invited(
    world: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    programme = world.circle.programme
    event = schedule(world)
    detail = f"{base(programme)}{event.pk}/"
    community = f"/o/{programme.organisation.slug}/programmes/{programme.slug}/community/"
    mail.outbox.clear()
    for user in insiders(world):
        client = client_for(member(user, programme))
        assert "Circle kick-off" in client.get(base(programme)).content.decode()
        assert "Circle kick-off" in client.get(community).content.decode()
        page = client.get(detail).content.decode()
        assert f"for the {TOPIC} circle" in page and 'value="going">I\'m going</button>' in page
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(detail, {"answer": "going"}).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in insiders(world))
    body = mail.outbox[0].attachments[0][1]
    body = body.decode() if isinstance(body, bytes) else body
    assert "METHOD:REQUEST" in body and f"UID:{event.uid}" in body
    mail.outbox.clear()
    # The programme's other participants: not in the list or on the community page, a
    # 404 on its page whatever the method, refused by the service, and no e-mail.
    for user in outsiders(world):
        client = client_for(member(user, programme))
        assert "Circle kick-off" not in client.get(base(programme)).content.decode()
        assert "Circle kick-off" not in client.get(community).content.decode()
        assert client.get(detail).status_code == 404
        assert client.post(detail, {"answer": "going"}).status_code == 404
        with pytest.raises(PermissionDenied):
            services.event_rsvp(event=event, user=user, going=True)
        assert (
            client.get(f"/o/{programme.organisation.slug}/calls/{event.room_id}/").status_code
            == 404
        )
    assert not EventRsvp.objects.filter(user__in=outsiders(world)).exists()
    assert mail.outbox == []
    # Managers still see and manage it.
    manager = client_for(world.scenario.manager)
    assert "Circle kick-off" in manager.get(base(programme)).content.decode()
    assert "Circle kick-off" in manager.get(community).content.decode()
    page = manager.get(detail).content.decode()
    assert "Change the event" in page and "4 going" in page


def test_the_group_room_lets_in_the_members_going_and_nobody_else(
    world: Circle, tenant: Tenant, other_tenant: Tenant
) -> None:
    start = timezone.now() + dt.timedelta(minutes=5)  # the room is open
    event = schedule(world, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    programme = world.circle.programme
    ada = world.mentees[0]
    services.event_rsvp(event=event, user=ada, going=True)
    room = f"/o/{programme.organisation.slug}/calls/{event.room_id}/"
    assert client_for(member(ada, programme)).get(room).status_code == 200
    assert client_for(world.scenario.manager).get(room).status_code == 200  # the host
    for user in outsiders(world):
        assert client_for(member(user, programme)).get(room).status_code == 404
    assert client_for(other_tenant.manager).get(room).status_code == 404


def test_a_member_who_leaves_the_circle_is_taken_out_of_its_events(
    world: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    programme = world.circle.programme
    event = schedule(world)
    past = schedule(world, title="Earlier")
    ada, bo = world.mentees[0], world.mentees[1]
    for user in (ada, bo):
        services.event_rsvp(event=event, user=user, going=True)
        services.event_rsvp(event=past, user=user, going=True)
    ProgrammeEvent.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        circles.circle_leave(circle=world.circle, user=ada)
    # Their calendar drops the event; their answer and place in the room go.
    cancellations = [m for m in mail.outbox if m.attachments]
    assert [m.to for m in cancellations] == [[ada.email]]
    body = cancellations[0].attachments[0][1]
    body = body.decode() if isinstance(body, bytes) else body
    assert "METHOD:CANCEL" in body and f"UID:{event.uid}" in body
    assert not EventRsvp.objects.filter(event=event, user=ada).exists()
    assert not RoomMember.objects.filter(room_id=event.room_id, user=ada).exists()
    assert EventRsvp.objects.filter(event=past, user=ada).exists()  # history stays
    # They no longer see it nor answer it; the others' event goes on.
    client = client_for(member(ada, programme))
    assert "Circle kick-off" not in client.get(base(programme)).content.decode()
    assert client.get(f"{base(programme)}{event.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.event_rsvp(event=event, user=ada, going=True)
    event.refresh_from_db()
    assert event.status == "scheduled"
    assert EventRsvp.objects.get(event=event, user=bo).answer == "going"
    # An update reaches those still in the circle only.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event=event, actor=world.scenario.manager, values={"title": "Kick-off, moved"}
        )
    assert [m.to for m in mail.outbox] == [[bo.email]]


def test_reminders_go_to_the_circle_s_members_only(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    start = dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)
    with freeze_time(start - dt.timedelta(days=5)):
        world = running_circle(tenant.organisation)
        event = schedule(world, starts_at=start, ends_at=start + dt.timedelta(hours=1))
        ada, bo, cy = world.mentees[:3]
        for user in (ada, bo):
            services.event_rsvp(event=event, user=user, going=True)
        services.event_rsvp(event=event, user=cy, going=False)
    # Bo's membership ends by a path that sends no signal (a data fix, say): the
    # reminder still does not reach someone who is no longer in the circle.
    MentorshipMember.objects.filter(mentorship=world.circle, user=bo).update(
        left_at=start - dt.timedelta(days=1)
    )
    mail.outbox.clear()
    at = start - dt.timedelta(hours=20)
    with freeze_time(at), django_capture_on_commit_callbacks(execute=True):
        assert event_reminders_send(now=at) == 1
    assert [m.to for m in mail.outbox] == [[ada.email]]
    assert list(EventReminder.objects.values_list("user_id", flat=True)) == [ada.pk]


def test_changing_the_audience_to_a_circle_takes_the_others_out(
    world: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    programme = world.circle.programme
    event = schedule(world, audience="everyone", circle=None, capacity=5)
    inside, outside = world.mentees[0], world.mentees[3]
    for user in (inside, outside):
        services.event_rsvp(event=event, user=user, going=True)
    manager = client_for(world.scenario.manager)
    url = f"{base(programme)}{event.pk}/edit/"
    refused = manager.post(url, form(title="Circle kick-off", capacity="5", circle=""))
    assert refused.status_code == 400 and "Choose the circle the event is for." in (
        refused.content.decode()
    )
    event.refresh_from_db()
    assert event.audience == "everyone" and event.sequence == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = manager.post(url, form(capacity="5", circle=str(world.circle.pk)))
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.audience == "circle" and event.circle == world.circle and event.sequence == 1
    kinds = {m.to[0]: m.subject for m in mail.outbox}
    assert kinds == {
        inside.email: "Event changed: Circle kick-off",
        outside.email: "Event cancelled: Circle kick-off",
    }
    assert list(event.rsvps.values_list("user_id", flat=True)) == [inside.pk]
    assert not RoomMember.objects.filter(room_id=event.room_id, user=outside).exists()


def test_the_pages_stay_within_their_query_bounds_with_circle_events(
    world: Circle, django_assert_max_num_queries: Any
) -> None:
    programme = world.circle.programme
    other = form_circle(world.scenario, mentees=1, topic="Another circle")
    for i in range(6):
        schedule(world, title=f"Event {i}")
        schedule(world, title=f"Elsewhere {i}", circle=other)
        schedule(world, title=f"Open {i}", audience="everyone", circle=None)
    client = client_for(member(world.mentees[1], programme))
    with django_assert_max_num_queries(12):
        listing = client.get(base(programme)).content.decode()
    assert (
        listing.count("Event ") == 6 and "Elsewhere " not in listing and listing.count("Open ") == 6
    )
    manager = client_for(world.scenario.manager)
    with django_assert_max_num_queries(12):
        assert manager.get(base(programme)).content.decode().count("Elsewhere ") == 6
    with django_assert_max_num_queries(12):
        assert "Another circle (led by" in manager.get(base(programme) + "new/").content.decode()


def test_a_circle_that_ends_cancels_its_events_to_come(
    world: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    event = schedule(world)
    past = schedule(world, title="Earlier")
    for user in world.mentees[:3]:
        services.event_rsvp(event=event, user=user, going=True)
    ProgrammeEvent.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        circles.circle_leave(circle=world.circle, user=world.mentors[0])  # the only mentor
    world.circle.refresh_from_db()
    assert world.circle.status == Mentorship.Status.ENDED
    event.refresh_from_db()
    past.refresh_from_db()
    assert event.status == ProgrammeEvent.Status.CANCELLED
    assert past.status == ProgrammeEvent.Status.SCHEDULED  # history is left as it was
    cancelled_for = sorted(
        m.to[0]
        for m in mail.outbox
        for _, body, _ in m.attachments
        if "METHOD:CANCEL" in (body.decode() if isinstance(body, bytes) else body)
    )
    assert cancelled_for == sorted(user.email for user in world.mentees[:3])
