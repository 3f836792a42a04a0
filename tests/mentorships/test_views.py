"""The pair's pages and the managers' pages as people use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from openmentor.accounts.models import User
from openmentor.mentorships.models import (
    EndingReflection,
    ExternalMeeting,
    Goal,
    Icebreaker,
    Mentorship,
    Milestone,
    Note,
    RematchRequest,
)
from openmentor.mentorships.services import journey as mentorships_journey
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from tests.conftest import Tenant, client_for
from tests.factories import GoalFactory
from tests.mentorships.conftest import Pair, propose, start
from tests.scenarios import EnrollingProgramme, active_mentorship, enrolling_programme

pytestmark = pytest.mark.django_db


def member_client(tenant: Tenant, user: User) -> Client:
    return client_for(Membership.objects.get(organisation=tenant.organisation, user=user))


def base(tenant: Tenant, mentorship: Mentorship) -> str:
    return f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/"


def programme_base(tenant: Tenant, pair_or_scenario: Pair | EnrollingProgramme) -> str:
    scenario = pair_or_scenario.scenario if isinstance(pair_or_scenario, Pair) else pair_or_scenario
    return f"/o/{tenant.organisation.slug}/programmes/{scenario.programme.slug}/"


# --- Tenancy ---------------------------------------------------------------------------


def test_mentorship_page_is_for_the_pair_and_managers_only(
    pair: Pair, tenant: Tenant, other_tenant: Tenant
) -> None:
    url = base(tenant, pair.mentorship)
    body = member_client(tenant, pair.mentee).get(url).content.decode()
    assert f"Your mentorship with {pair.mentor.name}" in body
    assert member_client(tenant, pair.mentor).get(url).status_code == 200
    # A participant of the organisation who is not one of the pair.
    assert client_for(tenant.participant).get(url).status_code == 404
    assert client_for(tenant.participant).post(url + "end/", {"reason": "other"}).status_code == 404
    # A manager sees the summary.
    manager_body = client_for(tenant.manager).get(url).content.decode()
    assert "stay with the pair" in manager_body
    # Another organisation's mentorship named under this organisation's URL.
    foreign = active_mentorship(other_tenant.organisation, mentee=other_tenant.participant)
    assert client_for(tenant.owner).get(base(tenant, foreign)).status_code == 404
    assert client_for(tenant.participant).get(base(tenant, foreign)).status_code == 404
    assert (
        client_for(other_tenant.participant).get(base(tenant, pair.mentorship)).status_code == 404
    )


def test_managers_cannot_act_for_the_pair(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship)
    manager = client_for(tenant.manager)
    assert manager.post(url + "pause/").status_code == 404
    assert (
        manager.post(url + "notes/", {"note-body": "hi", "note-visibility": "shared"}).status_code
        == 404
    )
    pair.mentorship.refresh_from_db()
    assert pair.mentorship.status == "active" and not Note.objects.exists()


def test_goal_of_another_pair_is_404(pair: Pair, tenant: Tenant) -> None:
    other = start(propose(pair.scenario, mentor=1, mentee=1))
    goal = GoalFactory(mentorship=other, title="Theirs")
    url = base(tenant, pair.mentorship) + f"goals/{goal.pk}/"
    assert member_client(tenant, pair.mentee).get(url).status_code == 404
    assert (
        member_client(tenant, pair.mentee).post(url, {"title": "x", "progress": 1}).status_code
        == 404
    )
    assert Goal.objects.get(pk=goal.pk).title == "Theirs"


# --- Privacy -------------------------------------------------------------------------------

PRIVATE_NOTE = "PRIVATE-NOTE-I-doubt-myself"
REFLECTION = "REFLECTION-they-never-listened"


def test_private_notes_and_reflections_never_reach_the_partner_or_managers(
    pair: Pair, tenant: Tenant
) -> None:
    mentorship, programme = pair.mentorship, pair.scenario.programme
    goal = mentorships_journey.goal_create(mentorship=mentorship, user=pair.mentee, title="Talk")
    mentorships_journey.note_create(
        mentorship=mentorship, user=pair.mentee, body=PRIVATE_NOTE, private=True
    )
    mentorships_journey.note_create(
        mentorship=mentorship, user=pair.mentee, body="SHARED-NOTE", private=False
    )
    mentorships_lifecycle.mentorship_end(
        mentorship=mentorship,
        user=pair.mentee,
        reason="chemistry",
        reflection=REFLECTION,
        want_rematch=True,
    )
    author = member_client(tenant, pair.mentee)
    own = author.get(base(tenant, mentorship)).content.decode()
    assert PRIVATE_NOTE in own and REFLECTION in own and "Only you can see this" in own

    partner_pages = [
        base(tenant, mentorship),
        base(tenant, mentorship) + f"goals/{goal.pk}/",
        base(tenant, mentorship) + "log-meeting/",
        base(tenant, mentorship) + "end/",
    ]
    partner = member_client(tenant, pair.mentor)
    for url in partner_pages:
        body = partner.get(url, follow=True).content.decode()
        assert PRIVATE_NOTE not in body and REFLECTION not in body, url
    assert "SHARED-NOTE" in partner.get(base(tenant, mentorship)).content.decode()

    manager_pages = [
        base(tenant, mentorship),
        programme_base(tenant, pair) + "mentorships/",
        programme_base(tenant, pair) + "rematches/",
        programme_base(tenant, pair) + "icebreakers/",
    ]
    for membership in (tenant.manager, tenant.owner):
        client = client_for(membership)
        for url in manager_pages:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert PRIVATE_NOTE not in body and REFLECTION not in body, url
            assert "SHARED-NOTE" not in body and "To learn" not in body, url
    # One ended mentorship: even its reason's count would point at the pair, so none shows.
    list_body = client_for(tenant.manager).get(programme_base(tenant, pair) + "mentorships/")
    assert "It was not the right fit" not in list_body.content.decode()
    assert "at least 5 mentorships have ended" in list_body.content.decode()
    assert Mentorship.objects.get(programme=programme).end_reason == "chemistry"


# --- The agreement, status actions and ending -------------------------------------------------


def test_both_accept_the_agreement_in_the_page(cohort: EnrollingProgramme, tenant: Tenant) -> None:
    mentorship = propose(cohort)
    url = base(tenant, mentorship)
    mentee = member_client(tenant, mentorship.mentee)
    assert "Accept the agreement" in mentee.get(url).content.decode()
    response = mentee.post(url + "agreement/", {"hopes": "", "cadence_weeks": "2"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Write a sentence or two about what you hope for." in body
    assert "Tick this to agree to keep what you share confidential." in body
    mentorship.refresh_from_db()
    assert mentorship.mentee_accepted_at is None
    mentee.post(
        url + "agreement/", {"hopes": "Grow", "cadence_weeks": "2", "confidentiality": "on"}
    )
    response = member_client(tenant, mentorship.mentor).post(
        url + "agreement/",
        {"hopes": "Help", "cadence_weeks": "2", "confidentiality": "on"},
        follow=True,
    )
    assert "You have both accepted: your mentorship has started." in response.content.decode()
    mentorship.refresh_from_db()
    assert mentorship.status == "active"


def test_pause_resume_buttons(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship)
    client = member_client(tenant, pair.mentor)
    body = client.get(url).content.decode()
    assert "Pause the mentorship</button>" in body and "End the mentorship</a>" in body
    assert client.get(url + "pause/").status_code == 405
    body = client.post(url + "pause/", follow=True).content.decode()
    assert "Your mentorship is paused" in body and "Resume the mentorship</button>" in body
    body = client.post(url + "pause/", follow=True).content.decode()
    assert "Only an active mentorship can be paused." in body
    client.post(url + "resume/")
    pair.mentorship.refresh_from_db()
    assert pair.mentorship.status == "active"


def test_end_form_is_calm_and_validates(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship) + "end/"
    client = member_client(tenant, pair.mentee)
    body = client.get(url).content.decode()
    assert "ending one is not a judgement of anyone" in body
    assert "Only you will ever see this" in body and "Find me a new mentor" in body
    assert "<legend>What is the main reason?" in body
    response = client.post(url, {"reason": "fault", "reflection": "kept text"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the reason that fits best." in body and "kept text" in body
    response = client.post(url, {"reflection": "x" * 5001, "reason": "other"})
    assert response.status_code == 400 and "at most 5000 characters" in response.content.decode()
    pair.mentorship.refresh_from_db()
    assert pair.mentorship.status == "active" and not EndingReflection.objects.exists()
    response = client.post(
        url, {"reason": "schedule", "reflection": "mine", "want_rematch": "on"}, follow=True
    )
    assert "asked the programme team to find you a new match" in response.content.decode()
    assert RematchRequest.objects.get().requester == pair.mentee


# --- Goals, notes, meetings held elsewhere -------------------------------------------------------


def test_goals_with_milestones_and_a_celebration(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship)
    mentee, mentor = member_client(tenant, pair.mentee), member_client(tenant, pair.mentor)
    response = mentee.post(url + "goals/", {"goal-title": "", "goal-description": "kept"})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert "kept" in response.content.decode() and not Goal.objects.exists()
    mentee.post(url + "goals/", {"goal-title": "Speak at a meetup"})
    goal = Goal.objects.get()
    goal_url = url + f"goals/{goal.pk}/"
    response = mentor.post(goal_url + "milestones/", {"milestone-text": ""})
    assert response.status_code == 400 and not Milestone.objects.exists()
    mentor.post(goal_url + "milestones/", {"milestone-text": "Write an abstract"})
    milestone = Milestone.objects.get()
    response = mentor.post(goal_url, {"title": "Speak at a meetup", "progress": "150"})
    assert response.status_code == 400
    assert "Progress is a percentage from 0 to 100." in response.content.decode()
    assert 'value="150"' in response.content.decode()
    mentor.post(goal_url, {"title": "Speak at a meetup", "progress": "40"})
    goal.refresh_from_db()
    assert goal.progress == 40
    response = mentee.post(goal_url + f"milestones/{milestone.pk}/toggle/", follow=True)
    body = response.content.decode()
    assert "🎉 Goal reached: Speak at a meetup!" in body and "Reached</span>" in body


def test_notes_shared_and_private(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship)
    mentee = member_client(tenant, pair.mentee)
    response = mentee.post(url + "notes/", {"note-body": "  ", "note-visibility": "private"})
    assert response.status_code == 400 and not Note.objects.exists()
    response = mentee.post(url + "notes/", {"note-body": "Hello", "note-visibility": "secret"})
    assert response.status_code == 400 and "Choose shared or private." in response.content.decode()
    body = mentee.post(
        url + "notes/", {"note-body": "Mine only", "note-visibility": "private"}, follow=True
    ).content.decode()
    assert "only you can see it" in body and "Mine only" in body
    assert "Mine only" not in member_client(tenant, pair.mentor).get(url).content.decode()


def test_log_a_meeting_held_elsewhere(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship) + "log-meeting/"
    client = member_client(tenant, pair.mentor)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()  # noqa: DTZ011
    for data, message in [
        ({"held_on": tomorrow, "duration_minutes": "30"}, "The date is in the future"),
        ({"held_on": "2025-13-45", "duration_minutes": "30"}, "Enter a date such as"),
        ({"held_on": dt.date.today().isoformat(), "duration_minutes": "300"}, "5 to 240"),  # noqa: DTZ011
        ({"held_on": dt.date.today().isoformat(), "duration_minutes": "3"}, "5 to 240"),  # noqa: DTZ011
    ]:
        response = client.post(url, data)
        assert response.status_code == 400 and message in response.content.decode(), data
        assert f'value="{data["duration_minutes"]}"' in response.content.decode()
    assert not ExternalMeeting.objects.exists()
    body = client.post(
        url,
        {"held_on": dt.date.today().isoformat(), "duration_minutes": "45", "note": "Coffee"},  # noqa: DTZ011
        follow=True,
    ).content.decode()
    assert "self-reported" in body and "Self-reported</span>" in body and "Coffee" in body


def test_icebreakers_before_the_first_two_meetings(pair: Pair, tenant: Tenant) -> None:
    url = base(tenant, pair.mentorship)
    client = member_client(tenant, pair.mentee)
    assert "What made you sign up for this programme?" in client.get(url).content.decode()
    Icebreaker.objects.create(programme=pair.scenario.programme, meeting_number=1, text="Our own")
    body = client.get(url).content.decode()
    assert "Our own" in body and "What made you sign up" not in body
    for day in (1, 2):
        ExternalMeeting.objects.create(
            mentorship=pair.mentorship,
            held_on=dt.date.today() - dt.timedelta(days=day),  # noqa: DTZ011
            duration_minutes=30,
        )
    assert "Conversation starters" not in client.get(url).content.decode()


# --- Managers ---------------------------------------------------------------------------------


def test_manager_creates_a_mentorship_by_hand(
    cohort: EnrollingProgramme, tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    url = programme_base(tenant, cohort) + "mentorships/new/"
    client = client_for(tenant.manager)
    body = client.get(url).content.decode()
    assert '<label for="id_mentor">Mentor' in body and '<label for="id_mentee">Mentee' in body
    response = client.post(url, {"mentor": cohort.mentees[0].pk, "mentee": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of the listed mentors." in body and "Choose a mentee." in body
    Profile.objects.filter(user=cohort.mentors[0].user).update(mentor_capacity=0)
    response = client.post(url, {"mentor": cohort.mentors[0].pk, "mentee": cohort.mentees[0].pk})
    assert response.status_code == 400 and "full capacity" in response.content.decode()
    assert not Mentorship.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"mentor": cohort.mentors[1].pk, "mentee": cohort.mentees[0].pk}, follow=True
        )
    assert "Mentorship proposed" in response.content.decode()
    assert Mentorship.objects.get().source == "manager" and len(mail.outbox) == 2


def test_rematch_queue_and_resolution(pair: Pair, tenant: Tenant) -> None:
    mentorships_lifecycle.mentorship_end(
        mentorship=pair.mentorship,
        user=pair.mentee,
        reason="chemistry",
        reflection="",
        want_rematch=True,
    )
    request = RematchRequest.objects.get()
    url = programme_base(tenant, pair) + "rematches/"
    client = client_for(tenant.manager)
    body = client.get(url).content.decode()
    assert pair.mentee.name in body and "(excluded)" in body
    options = body.split(f'id="id_rematch-{request.pk}-partner"')[1].split("</select>")[0]
    assert pair.scenario.mentors[1].user.email in options
    assert pair.mentor.email not in options  # the previous partner is never offered
    resolve = url + f"{request.pk}/resolve/"
    response = client.post(resolve, {"match": "1", f"rematch-{request.pk}-partner": pair.mentor.pk})
    assert (
        response.status_code == 400
        and "Choose one of the listed people." in response.content.decode()
    )
    assert RematchRequest.objects.get().status == "open"
    new_mentor = pair.scenario.mentors[1].user
    response = client.post(
        resolve, {"match": "1", f"rematch-{request.pk}-partner": new_mentor.pk}, follow=True
    )
    assert "New mentorship proposed" in response.content.decode()
    assert RematchRequest.objects.get().new_mentorship.mentor == new_mentor  # type: ignore[union-attr]
    assert "No one is waiting" in client.get(url).content.decode()


def test_icebreaker_pages_validate(cohort: EnrollingProgramme, tenant: Tenant) -> None:
    url = programme_base(tenant, cohort) + "icebreakers/"
    client = client_for(tenant.manager)
    response = client.post(url, {"meeting_number": "3", "text": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose the first or the second meeting." in body and "This field is required." in body
    assert not Icebreaker.objects.exists()
    client.post(url, {"meeting_number": "2", "text": "What surprised you?"})
    icebreaker = Icebreaker.objects.get()
    response = client.post(url + f"{icebreaker.pk}/", {"meeting_number": "1", "text": "x" * 301})
    assert response.status_code == 400 and Icebreaker.objects.get().text == "What surprised you?"
    client.post(url + f"{icebreaker.pk}/", {"meeting_number": "1", "text": "Why now?"})
    assert Icebreaker.objects.get().text == "Why now?"
    client.post(url + f"{icebreaker.pk}/delete/")
    assert not Icebreaker.objects.exists()
    assert client_for(tenant.participant).get(url).status_code == 403


# --- Query counts -----------------------------------------------------------------------------


def test_pages_use_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=12, mentees=12)
    mentorships = [start(propose(scenario, mentor=i, mentee=i)) for i in range(12)]
    for m in mentorships[:8]:
        mentorships_lifecycle.mentorship_end(
            mentorship=m, user=m.mentee, reason="schedule", reflection="", want_rematch=True
        )
    mentorship = mentorships[-1]
    for i in range(10):
        goal = GoalFactory(mentorship=mentorship, title=f"Goal {i}")
        Milestone.objects.bulk_create(Milestone(goal=goal, text=f"Step {j}") for j in range(3))
        Note.objects.create(mentorship=mentorship, author=mentorship.mentee, body=f"Note {i}")
        ExternalMeeting.objects.create(
            mentorship=mentorship,
            held_on=dt.date(2025, 1, 1),
            duration_minutes=30,
            logged_by=mentorship.mentor,
        )
    manager = client_for(tenant.manager)
    with django_assert_max_num_queries(12):
        assert manager.get(programme_base(tenant, scenario) + "mentorships/").status_code == 200
    with django_assert_max_num_queries(12):
        assert manager.get(programme_base(tenant, scenario) + "rematches/").status_code == 200
    mentee = member_client(tenant, mentorship.mentee)
    with django_assert_max_num_queries(16):
        response = mentee.get(base(tenant, mentorship))
        assert response.status_code == 200 and "Goal 9" in response.content.decode()


def test_the_managers_history_of_a_mentorship_is_in_time_order(tenant: Tenant) -> None:
    import datetime as dt

    from django.utils import timezone

    from openmentor.mentorships.models import MentorshipTransition

    mentorship = active_mentorship(tenant.organisation)
    now = timezone.now()
    # Written out of time order (as an import or a fix-up could): shown in time order.
    for days, status in ((2, "ended"), (20, "paused"), (10, "active")):
        t = MentorshipTransition.objects.create(mentorship=mentorship, to_status=status)
        MentorshipTransition.objects.filter(pk=t.pk).update(at=now - dt.timedelta(days=days))
    body = (
        client_for(tenant.manager)
        .get(f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/")
        .content.decode()
    )
    paused = body.index("→ paused")
    assert paused < body.index("→ active", paused) < body.index("→ ended")
