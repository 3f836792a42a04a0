"""Group mentoring circles: forming, the agreement, joining and no-fault leaving, and the
things pairs have (conversation, meetings, the group room) reaching every member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmentor.meetings.models import Meeting
from openmentor.meetings.services import meeting_accept, meeting_propose
from openmentor.mentorships import members, selectors
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.mentorships.services import circles, journey
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.messaging.services import message_send
from openmentor.programmes.models import Enrolment
from openmentor.video import selectors as video_selectors
from openmentor.video import services as video_services
from tests.conftest import Tenant
from tests.mentorships.circles import form_circle, group_programme, running_circle, start_circle
from tests.scenarios import enrolling_programme


def test_a_manager_forms_a_circle_and_everyone_is_invited(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    scenario = group_programme(tenant.organisation, mentors=2, mentees=4)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        circle = form_circle(scenario, mentors=2, mentees=3, capacity=4)
    assert circle.is_circle and circle.status == Mentorship.Status.PROPOSED
    assert circle.mentee is None and circle.mentor == scenario.mentors[0].user
    roles = {p.user.pk: p.role for p in members.people_of(circle)}
    assert roles == {
        **{e.user_id: "mentor" for e in scenario.mentors},
        **{e.user_id: "mentee" for e in scenario.mentees[:3]},
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        e.user.email for e in scenario.mentors + scenario.mentees[:3]
    )
    assert all("Moving into management" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"mentors": []}, "mentors", "Choose one or two different mentors."),
        ({"mentors": "three"}, "mentors", "Choose one or two different mentors."),
        ({"topic": "  "}, "topic", "Give the circle a topic"),
        ({"topic": "x" * 201}, "topic", "Keep the topic under 200 characters."),
        ({"capacity": 0}, "capacity", "A circle takes between 1 and 50 mentees."),
        ({"capacity": 51}, "capacity", "A circle takes between 1 and 50 mentees."),
        ({"capacity": 2}, "mentees", "The circle takes 2 mentees; 3 were chosen."),
        ({"mentees": "a mentor"}, "mentees", "Nobody can be both a mentor and a mentee"),
        ({"mentees": "twice"}, "mentees", "Each mentee can be chosen once."),
        ({"mentees": "outsider"}, "mentees", "Not an active mentee in"),
    ],
)
def test_a_circle_that_does_not_fit_is_refused_and_nothing_is_written(
    tenant: Tenant, change: dict[str, object], field: str, message: str
) -> None:
    scenario = group_programme(tenant.organisation, mentors=3, mentees=4)
    mentors = [e.user for e in scenario.mentors[:1]]
    mentees = [e.user for e in scenario.mentees[:3]]
    kwargs: dict[str, object] = {"topic": "Leading teams", "capacity": 5}
    if change.get("mentors") == "three":
        mentors = [e.user for e in scenario.mentors]
    elif "mentors" in change:
        mentors = []
    if change.get("mentees") == "a mentor":
        mentees = [*mentees[:2], mentors[0]]
    elif change.get("mentees") == "twice":
        mentees = [mentees[0], mentees[0]]
    elif change.get("mentees") == "outsider":
        mentees = [tenant.participant.user]
    kwargs.update({k: v for k, v in change.items() if k in ("topic", "capacity")})
    with pytest.raises(ValidationError) as info:
        circles.circle_create(
            programme=scenario.programme,
            manager=scenario.manager,
            mentors=mentors,
            mentees=mentees,
            **kwargs,  # type: ignore[arg-type]
        )
    assert any(message in text for text in info.value.message_dict[field])
    assert not Mentorship.objects.filter(kind=Mentorship.Kind.CIRCLE).exists()
    assert not MentorshipMember.objects.exists()


def test_circles_belong_to_group_programmes_and_to_their_managers(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    one_to_one = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    with pytest.raises(ValidationError) as info:
        form_circle(one_to_one, mentees=1)
    assert "group programmes" in info.value.message_dict["topic"][0]
    scenario = group_programme(tenant.organisation)
    for outsider in (tenant.participant, other_tenant.manager):
        with pytest.raises(PermissionDenied):
            circles.circle_create(
                programme=scenario.programme,
                manager=outsider,
                topic="Sneaky",
                capacity=3,
                mentors=[scenario.mentors[0].user],
            )


def test_the_circle_starts_once_a_mentor_and_a_mentee_accept(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation)
    circle = form_circle(scenario)
    mentor, first, second = scenario.mentors[0].user, *[e.user for e in scenario.mentees[:2]]
    circle = start_circle(circle, [first, second])
    assert circle.status == Mentorship.Status.PROPOSED  # no mentor yet
    circle = start_circle(circle, [mentor])
    assert circle.status == Mentorship.Status.ACTIVE and circle.started_at is not None
    matched = Enrolment.objects.filter(programme=scenario.programme, matched_at__isnull=False)
    assert {e.user_id for e in matched} == {mentor.pk, first.pk, second.pk}
    with pytest.raises(ValidationError, match="already accepted"):
        start_circle(circle, [mentor])
    with pytest.raises(ValidationError) as info:
        circles.circle_accept_agreement(
            circle=circle, user=scenario.mentees[2].user, hopes=" ", confidentiality=False
        )
    assert set(info.value.message_dict) == {"hopes", "confidentiality"}
    with pytest.raises(PermissionDenied):
        start_circle(circle, [scenario.mentees[3].user])


def test_every_member_sees_the_circle_and_writes_in_its_conversation(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=3)
    circle = running.circle
    everyone = [running.mentors[0], *running.mentees[:3]]
    for user in everyone:
        membership = user.memberships.get(organisation=tenant.organisation)
        listed = selectors.mentorships_for_member(membership=membership)
        assert [m.pk for m in listed] == [circle.pk]
        message_send(mentorship=circle, author=user, body=f"Hello from {user.name}")
    assert circle.messages.count() == 4
    outsider = running.mentees[3]
    with pytest.raises(ValidationError):
        message_send(mentorship=circle, author=outsider, body="Let me in")


def test_goals_and_notes_are_shared_by_the_circle(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=2)
    circle = running.circle
    goal = journey.goal_create(mentorship=circle, user=running.mentees[0], title="Run a 1:1")
    journey.goal_update(
        goal=goal, user=running.mentors[0], title=goal.title, description="", progress=50
    )
    journey.note_create(mentorship=circle, user=running.mentees[1], body="Shared", private=False)
    journey.note_create(mentorship=circle, user=running.mentees[1], body="Mine", private=True)
    seen = selectors.notes_for_member(mentorship=circle, user=running.mentors[0])
    assert [n.body for n in seen] == ["Shared"]
    with pytest.raises(PermissionDenied):
        journey.goal_create(mentorship=circle, user=running.mentees[2], title="Not mine")


def test_a_mentee_leaves_and_the_circle_goes_on_without_them(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=3)
    leaver = running.mentees[0]
    circle = circles.circle_leave(circle=running.circle, user=leaver)
    assert circle.status == Mentorship.Status.ACTIVE
    assert leaver.pk not in Mentorship.objects.get(pk=circle.pk).member_ids()
    membership = leaver.memberships.get(organisation=tenant.organisation)
    assert not selectors.mentorships_for_member(membership=membership).exists()
    enrolment = Enrolment.objects.get(programme=circle.programme, user=leaver)
    assert enrolment.matched_at is None
    with pytest.raises(ValidationError):
        message_send(mentorship=circle, author=leaver, body="Still here?")
    with pytest.raises(PermissionDenied):
        circles.circle_leave(circle=circle, user=leaver)


def test_the_lead_passes_on_and_the_last_mentor_leaving_ends_the_circle(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation)
    lead, other = scenario.mentors[0].user, scenario.mentors[1].user
    circle = start_circle(form_circle(scenario, mentors=2), [lead, scenario.mentees[0].user])
    meeting = meeting_propose(
        mentorship=circle,
        proposer=other,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
    )[0]
    circle = circles.circle_leave(circle=circle, user=lead)
    assert circle.mentor == other and circle.status == Mentorship.Status.ACTIVE
    circle = circles.circle_leave(circle=circle, user=other)
    assert circle.status == Mentorship.Status.ENDED and circle.ended_at is not None
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    with pytest.raises(ValidationError, match="has ended"):
        circles.circle_member_add(circle=circle, manager=scenario.manager, user=lead, role="mentor")


def test_people_are_added_within_the_circle_s_places(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation, mentors=3, mentees=4)
    circle = form_circle(scenario, mentees=2, capacity=3)
    manager = scenario.manager
    circles.circle_member_add(
        circle=circle, manager=manager, user=scenario.mentees[2].user, role="mentee"
    )
    with pytest.raises(ValidationError, match="full"):
        circles.circle_member_add(
            circle=circle, manager=manager, user=scenario.mentees[3].user, role="mentee"
        )
    with pytest.raises(ValidationError, match="already in"):
        circles.circle_member_add(
            circle=circle, manager=manager, user=scenario.mentees[0].user, role="mentee"
        )
    with pytest.raises(ValidationError, match="not an active mentor"):
        circles.circle_member_add(
            circle=circle, manager=manager, user=scenario.mentees[3].user, role="mentor"
        )
    with pytest.raises(ValidationError):
        circles.circle_member_add(circle=circle, manager=manager, user=manager.user, role="boss")
    circles.circle_member_add(
        circle=circle, manager=manager, user=scenario.mentors[1].user, role="mentor"
    )
    with pytest.raises(ValidationError, match="at most two mentors"):
        circles.circle_member_add(
            circle=circle, manager=manager, user=scenario.mentors[2].user, role="mentor"
        )
    # someone who left comes back, with a fresh agreement to accept
    back = scenario.mentees[0].user
    circles.circle_member_remove(circle=circle, manager=manager, user=back)
    circles.circle_member_add(circle=circle, manager=manager, user=back, role="mentee")
    row = MentorshipMember.objects.get(mentorship=circle, user=back)
    assert row.left_at is None and row.accepted_at is None
    with pytest.raises(PermissionDenied):
        circles.circle_member_add(
            circle=circle, manager=tenant.participant, user=back, role="mentee"
        )


def test_a_circle_is_left_not_ended_and_not_rematched(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=1)
    with pytest.raises(ValidationError, match="not ended as a whole"):
        mentorships_lifecycle.mentorship_end(
            mentorship=running.circle,
            user=running.mentors[0],
            reason="other",
            reflection="",
            want_rematch=False,
        )


def test_a_group_meeting_reaches_every_member_and_opens_the_group_room(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    running = running_circle(tenant.organisation, mentees=3)
    circle, mentor = running.circle, running.mentors[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_propose(
            mentorship=circle,
            proposer=mentor,
            starts_at=timezone.now() + dt.timedelta(days=2),
            duration_minutes=60,
        )[0]
    everyone = sorted(u.email for u in [mentor, *running.mentees[:3]])
    assert sorted(m.to[0] for m in mail.outbox) == everyone
    invitation = mail.outbox[0].attachments[0]
    ics = invitation[1] if isinstance(invitation, tuple) else invitation.content
    text = ics.decode() if isinstance(ics, bytes) else ics
    assert all(f"mailto:{email}" in text.replace("\r\n ", "") for email in everyone)
    assert "Mentoring circle: Moving into management" in text
    with pytest.raises(ValidationError, match="partner answers"):
        meeting_accept(meeting=meeting, actor=mentor)
    meeting_accept(meeting=meeting, actor=running.mentees[1])
    room = video_services.room_for_meeting(meeting=meeting)
    for user in [mentor, *running.mentees[:3]]:
        access = video_selectors.room_access(user=user, room_id=room.pk)
        assert access is not None and access.is_group
        assert sorted(access.member_ids) == sorted(u.pk for u in [mentor, *running.mentees[:3]])
        assert access.mentor_ids == [mentor.pk]
    assert video_selectors.room_access(user=running.mentees[3], room_id=room.pk) is None
