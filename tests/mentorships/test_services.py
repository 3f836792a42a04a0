"""The mentorship lifecycle as the services enforce it, with the people who acted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from openmentor.core.models import Event
from openmentor.mentorships import selectors
from openmentor.mentorships.models import (
    EndingReflection,
    ExternalMeeting,
    Goal,
    Mentorship,
    RematchRequest,
)
from openmentor.mentorships.services import journey as mentorships_journey
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.mentorships.services import rematch as mentorships_rematch
from openmentor.notifications.models import Notification
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant
from tests.mentorships.conftest import Pair, propose, start
from tests.scenarios import EnrollingProgramme, enrolling_programme

pytestmark = pytest.mark.django_db


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# --- Creation ------------------------------------------------------------------------


def test_create_proposes_records_and_emails_both(
    cohort: EnrollingProgramme, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        mentorship = propose(cohort)
    assert mentorship.status == Mentorship.Status.PROPOSED
    assert mentorship.agreed_cadence_weeks == cohort.programme.cadence_weeks
    transition = mentorship.transitions.get()
    assert (transition.from_status, transition.to_status) == ("", "proposed")
    assert transition.actor == cohort.manager.user
    assert Event.objects.filter(kind="mentorship.created").count() == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([mentorship.mentor.email, mentorship.mentee.email])
    assert all(f"/mentorships/{mentorship.pk}/" in m.body for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_create_holds_its_own_transaction_outside_a_request(tenant: Tenant) -> None:
    # Callers (the manager's form, matching publish) do not open a transaction for it; on
    # PostgreSQL the enrolment lock needs one, and a test inside the usual wrapping
    # transaction would never notice it missing.
    cohort = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    mentorship = propose(cohort)
    assert Mentorship.objects.filter(pk=mentorship.pk, status="proposed").exists()


def test_create_refuses_the_same_person_and_people_not_enrolled(
    cohort: EnrollingProgramme, other_tenant: Tenant
) -> None:
    mentor = cohort.mentors[0].user
    with pytest.raises(ValidationError, match="cannot mentor themselves"):
        mentorships_lifecycle.mentorship_create(
            programme=cohort.programme,
            mentor=mentor,
            mentee=mentor,
            created_by=None,
            source="manager",
        )
    with pytest.raises(ValidationError) as error:  # a mentee offered as mentor
        mentorships_lifecycle.mentorship_create(
            programme=cohort.programme,
            mentor=cohort.mentees[1].user,
            mentee=cohort.mentees[0].user,
            created_by=None,
            source="manager",
        )
    assert "is not an active mentor" in _messages(error)
    with pytest.raises(ValidationError) as error:  # someone of another organisation
        mentorships_lifecycle.mentorship_create(
            programme=cohort.programme,
            mentor=mentor,
            mentee=other_tenant.participant.user,
            created_by=None,
            source="manager",
        )
    assert "is not an active mentee" in _messages(error)
    Enrolment.objects.filter(pk=cohort.mentees[0].pk).update(status=Enrolment.Status.PENDING)
    with pytest.raises(ValidationError, match="not an active mentee"):
        propose(cohort)
    assert Mentorship.objects.count() == 0


def test_create_refuses_a_second_open_mentorship_for_the_pair(cohort: EnrollingProgramme) -> None:
    propose(cohort)
    with pytest.raises(ValidationError) as error:
        propose(cohort)
    assert "already have an open mentorship" in _messages(error)
    assert Mentorship.objects.count() == 1


def test_create_refuses_a_mentor_at_capacity(cohort: EnrollingProgramme) -> None:
    Profile.objects.filter(user=cohort.mentors[0].user).update(mentor_capacity=1)
    propose(cohort, mentee=0)
    with pytest.raises(ValidationError) as error:
        propose(cohort, mentee=1)
    assert error.value.message_dict["mentor"] == [
        f"{cohort.mentors[0].user.name} already mentors 1 person, their full capacity."
    ]
    assert Mentorship.objects.count() == 1


def test_ended_mentorships_free_capacity(pair: Pair) -> None:
    Profile.objects.filter(user=pair.mentor).update(mentor_capacity=1)
    mentorships_lifecycle.mentorship_end(
        mentorship=pair.mentorship,
        user=pair.mentor,
        reason="schedule",
        reflection="",
        want_rematch=False,
    )
    assert propose(pair.scenario, mentee=1).status == "proposed"


def test_mentee_may_have_several_mentors_up_to_the_programme_limit(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=1, mentors_per_mentee=2)
    first, second = propose(scenario, mentor=0), propose(scenario, mentor=1)
    assert {first.status, second.status} == {"proposed"}
    with pytest.raises(ValidationError) as error:
        propose(scenario, mentor=2)
    assert "allows 2 at a time" in error.value.message_dict["mentee"][0]
    assert Mentorship.objects.count() == 2


def test_one_mentor_per_mentee_by_default(cohort: EnrollingProgramme) -> None:
    propose(cohort, mentor=0)
    with pytest.raises(ValidationError, match="allows 1 at a time"):
        propose(cohort, mentor=1)


# --- Agreement and status ------------------------------------------------------------------


def test_agreement_starts_the_mentorship_when_both_accept(cohort: EnrollingProgramme) -> None:
    mentorship = propose(cohort)
    mentorship = mentorships_lifecycle.mentorship_accept_agreement(
        mentorship=mentorship, user=mentorship.mentee, hopes="Lead a team", confidentiality=True
    )
    assert mentorship.status == "proposed" and mentorship.mentee_accepted_at is not None
    assert Enrolment.objects.get(pk=cohort.mentees[0].pk).matched_at is None
    mentorship = mentorships_lifecycle.mentorship_accept_agreement(
        mentorship=mentorship, user=mentorship.mentor, hopes="Share", confidentiality=True
    )
    assert mentorship.status == "active" and mentorship.started_at is not None
    assert mentorship.mentee_hopes == "Lead a team" and mentorship.mentor_hopes == "Share"
    assert Enrolment.objects.get(pk=cohort.mentees[0].pk).matched_at is not None
    assert Enrolment.objects.get(pk=cohort.mentors[0].pk).matched_at is not None
    steps = [(t.from_status, t.to_status, t.actor) for t in mentorship.transitions.all()]
    assert steps == [
        ("", "proposed", cohort.manager.user),
        ("proposed", "active", mentorship.mentor),
    ]


def test_agreement_refuses_missing_hopes_and_confidentiality(cohort: EnrollingProgramme) -> None:
    mentorship = propose(cohort)
    with pytest.raises(ValidationError) as error:
        mentorships_lifecycle.mentorship_accept_agreement(
            mentorship=mentorship, user=mentorship.mentee, hopes="  ", confidentiality=False
        )
    assert set(error.value.message_dict) == {"hopes", "confidentiality"}
    mentorship.refresh_from_db()
    assert mentorship.mentee_accepted_at is None


def test_changing_the_cadence_asks_the_partner_again(cohort: EnrollingProgramme) -> None:
    mentorship = propose(cohort)
    mentorships_lifecycle.mentorship_accept_agreement(
        mentorship=mentorship, user=mentorship.mentee, hopes="x", confidentiality=True
    )
    mentorship = mentorships_lifecycle.mentorship_accept_agreement(
        mentorship=mentorship,
        user=mentorship.mentor,
        hopes="y",
        confidentiality=True,
        cadence_weeks=4,
    )
    assert mentorship.status == "proposed" and mentorship.mentee_accepted_at is None
    assert mentorship.agreed_cadence_weeks == 4


def test_only_members_act_on_a_mentorship(pair: Pair, tenant: Tenant) -> None:
    outsider = tenant.participant.user
    with pytest.raises(PermissionDenied):
        mentorships_lifecycle.mentorship_pause(mentorship=pair.mentorship, user=outsider)
    with pytest.raises(PermissionDenied):
        mentorships_lifecycle.mentorship_end(
            mentorship=pair.mentorship,
            user=outsider,
            reason="other",
            reflection="",
            want_rematch=False,
        )
    pair.mentorship.refresh_from_db()
    assert pair.mentorship.status == "active"


def test_pause_and_resume_record_who_acted(pair: Pair) -> None:
    m = mentorships_lifecycle.mentorship_pause(mentorship=pair.mentorship, user=pair.mentee)
    assert m.status == "paused"
    with pytest.raises(ValidationError, match="Only an active mentorship"):
        mentorships_lifecycle.mentorship_pause(mentorship=m, user=pair.mentor)
    m = mentorships_lifecycle.mentorship_resume(mentorship=m, user=pair.mentor)
    assert m.status == "active"
    with pytest.raises(ValidationError, match="Only a paused mentorship"):
        mentorships_lifecycle.mentorship_resume(mentorship=m, user=pair.mentor)
    last_two = [(t.to_status, t.actor) for t in m.transitions.all()][-2:]
    assert last_two == [("paused", pair.mentee), ("active", pair.mentor)]
    assert Notification.objects.filter(user=pair.mentor, kind="mentorship.paused").exists()


# --- Ending and rematch ------------------------------------------------------------------


@pytest.mark.parametrize("ender", ["mentor", "mentee"])
def test_either_member_ends_with_a_kind_no_fault_email(
    pair: Pair, ender: str, django_capture_on_commit_callbacks
) -> None:
    user = getattr(pair, ender)
    partner = pair.mentee if ender == "mentor" else pair.mentor
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        m = mentorships_lifecycle.mentorship_end(
            mentorship=pair.mentorship,
            user=user,
            reason="chemistry",
            reflection="I felt unheard in our calls",
            want_rematch=True,
        )
    assert m.status == "ended" and m.ended_by == user and m.end_reason == "chemistry"
    assert [(t.to_status, t.actor) for t in m.transitions.all()][-1] == ("ended", user)
    assert EndingReflection.objects.get().author == user
    (message,) = mail.outbox
    assert message.to == [partner.email]
    assert "ending one is not a judgement of anyone" in message.body
    assert "unheard" not in message.body and "chemistry" not in message.body
    request = RematchRequest.objects.get()
    assert (request.requester, request.role, request.excluded_partner) == (user, ender, partner)
    assert request.programme == pair.scenario.programme
    assert partner.pk in selectors.excluded_partners(programme=pair.scenario.programme, user=user)
    assert Enrolment.objects.filter(matched_at__isnull=False).count() == 0
    with pytest.raises(ValidationError, match="has ended"):
        mentorships_lifecycle.mentorship_end(
            mentorship=m, user=partner, reason="other", reflection="", want_rematch=False
        )


def test_ending_keeps_matched_at_while_another_mentorship_is_open(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=1, mentors_per_mentee=2)
    first, _ = start(propose(scenario, mentor=0)), start(propose(scenario, mentor=1))
    mentorships_lifecycle.mentorship_end(
        mentorship=first, user=first.mentee, reason="schedule", reflection="", want_rematch=False
    )
    assert Enrolment.objects.get(pk=scenario.mentees[0].pk).matched_at is not None
    assert Enrolment.objects.get(pk=scenario.mentors[0].pk).matched_at is None
    assert Enrolment.objects.get(pk=scenario.mentors[1].pk).matched_at is not None


def test_end_refuses_an_unknown_reason_and_writes_nothing(pair: Pair) -> None:
    with pytest.raises(ValidationError) as error:
        mentorships_lifecycle.mentorship_end(
            mentorship=pair.mentorship,
            user=pair.mentor,
            reason="blame",
            reflection="x",
            want_rematch=True,
        )
    assert error.value.message_dict == {"reason": ["Choose the reason that fits best."]}
    pair.mentorship.refresh_from_db()
    assert pair.mentorship.status == "active"
    assert not EndingReflection.objects.exists() and not RematchRequest.objects.exists()


def test_partner_may_ask_for_a_rematch_after_the_end_once(pair: Pair) -> None:
    with pytest.raises(ValidationError, match="once this mentorship has ended"):
        mentorships_rematch.rematch_request_create(mentorship=pair.mentorship, user=pair.mentee)
    mentorships_lifecycle.mentorship_end(
        mentorship=pair.mentorship,
        user=pair.mentor,
        reason="schedule",
        reflection="",
        want_rematch=False,
    )
    request = mentorships_rematch.rematch_request_create(
        mentorship=pair.mentorship, user=pair.mentee
    )
    assert (request.role, request.excluded_partner) == ("mentee", pair.mentor)
    with pytest.raises(ValidationError, match="already asked"):
        mentorships_rematch.rematch_request_create(mentorship=pair.mentorship, user=pair.mentee)


def test_manager_resolves_a_rematch_with_someone_new(pair: Pair) -> None:
    mentorships_lifecycle.mentorship_end(
        mentorship=pair.mentorship,
        user=pair.mentee,
        reason="chemistry",
        reflection="",
        want_rematch=True,
    )
    request = RematchRequest.objects.get()
    manager = pair.scenario.manager
    with pytest.raises(ValidationError, match="other than the previous partner"):
        mentorships_rematch.rematch_request_resolve(
            rematch_request=request, manager=manager, new_partner=pair.mentor
        )
    new_mentor = pair.scenario.mentors[1].user
    resolved = mentorships_rematch.rematch_request_resolve(
        rematch_request=request, manager=manager, new_partner=new_mentor
    )
    assert resolved.status == "resolved" and resolved.new_mentorship is not None
    assert resolved.new_mentorship.mentor == new_mentor
    assert resolved.new_mentorship.mentee == pair.mentee
    assert resolved.new_mentorship.source == "rematch"
    with pytest.raises(ValidationError, match="already been dealt with"):
        mentorships_rematch.rematch_request_resolve(rematch_request=request, manager=manager)


def test_rematch_resolve_needs_a_manager_of_the_organisation(
    pair: Pair, tenant: Tenant, other_tenant: Tenant
) -> None:
    mentorships_lifecycle.mentorship_end(
        mentorship=pair.mentorship,
        user=pair.mentee,
        reason="other",
        reflection="",
        want_rematch=True,
    )
    request = RematchRequest.objects.get()
    for intruder in (tenant.participant, other_tenant.owner):
        with pytest.raises(PermissionDenied):
            mentorships_rematch.rematch_request_resolve(rematch_request=request, manager=intruder)
    assert RematchRequest.objects.get().status == "open"


def test_ending_reason_counts_are_counts_only_and_only_from_five(tenant: Tenant) -> None:
    from openmentor.people.models import Profile

    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=5)
    Profile.objects.filter(organisation=tenant.organisation).update(mentor_capacity=5)
    reasons = ["goals_met", "goals_met", "schedule", "schedule", "other"]
    for mentee, reason in enumerate(reasons):
        m = start(propose(scenario, mentor=mentee % 3, mentee=mentee))
        mentorships_lifecycle.mentorship_end(
            mentorship=m, user=m.mentee, reason=reason, reflection="secret", want_rematch=False
        )
        shown = dict(selectors.ending_reason_counts(programme=scenario.programme))
        if mentee < 4:
            assert shown == {}, "fewer than 5 ended: counts would point at a pair"
    assert shown == {
        "Our goals were met": 2,
        "Our schedules did not fit": 2,
        "It was not the right fit": 0,
        "Something else": 1,
        # Closures by the nudge ladder (tracking) are counted too.
        "Closed after a long quiet spell": 0,
    }


# --- Goals ------------------------------------------------------------------------------


def test_goal_reached_by_progress_is_celebrated_once(pair: Pair) -> None:
    goal = mentorships_journey.goal_create(
        mentorship=pair.mentorship, user=pair.mentee, title="Give a talk"
    )
    goal, reached = mentorships_journey.goal_update(
        goal=goal, user=pair.mentor, title="Give a talk", description="", progress=60
    )
    assert not reached and goal.reached_at is None
    goal, reached = mentorships_journey.goal_update(
        goal=goal, user=pair.mentee, title="Give a talk", description="", progress=100
    )
    assert reached and goal.reached_at is not None
    celebrated = Notification.objects.filter(kind="goal.reached")
    assert sorted(celebrated.values_list("user_id", flat=True)) == sorted(
        [pair.mentor.pk, pair.mentee.pk]
    )
    _, again = mentorships_journey.goal_update(
        goal=goal, user=pair.mentee, title="Give a talk", description="", progress=100
    )
    assert not again and celebrated.count() == 2


def test_goal_reached_when_every_milestone_is_done(pair: Pair) -> None:
    goal = mentorships_journey.goal_create(
        mentorship=pair.mentorship, user=pair.mentee, title="Ship it"
    )
    first = mentorships_journey.milestone_add(goal=goal, user=pair.mentee, text="Draft")
    second = mentorships_journey.milestone_add(goal=goal, user=pair.mentor, text="Review")
    assert (
        mentorships_journey.milestone_set_done(milestone=first, user=pair.mentor, done=True)
        is False
    )
    assert (
        mentorships_journey.milestone_set_done(milestone=second, user=pair.mentee, done=True)
        is True
    )
    goal.refresh_from_db()
    assert goal.progress == 100 and goal.reached_at is not None


def test_goal_bad_input_is_refused(pair: Pair) -> None:
    with pytest.raises(ValidationError, match="short name"):
        mentorships_journey.goal_create(mentorship=pair.mentorship, user=pair.mentee, title="  ")
    goal = mentorships_journey.goal_create(mentorship=pair.mentorship, user=pair.mentee, title="Ok")
    with pytest.raises(ValidationError, match="0 to 100"):
        mentorships_journey.goal_update(
            goal=goal, user=pair.mentee, title="Ok", description="", progress=101
        )
    goal.refresh_from_db()
    assert goal.progress == 0 and Goal.objects.count() == 1


# --- Meetings held elsewhere ---------------------------------------------------------------


@freeze_time("2025-03-14 20:30:00")  # already 15 March in Auckland, still 14 March in London
def test_external_meeting_date_is_checked_in_the_persons_own_timezone(pair: Pair) -> None:
    pair.mentorship.created_at = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    pair.mentorship.save(update_fields=["created_at"])
    Profile.objects.filter(user=pair.mentee).update(timezone="Pacific/Auckland")
    Profile.objects.filter(user=pair.mentor).update(timezone="Europe/London")
    meeting = mentorships_journey.meeting_log_external(
        mentorship=pair.mentorship,
        user=pair.mentee,
        held_on=dt.date(2025, 3, 15),
        duration_minutes=45,
    )
    assert meeting.held_on == dt.date(2025, 3, 15)
    with pytest.raises(ValidationError, match="in the future"):
        mentorships_journey.meeting_log_external(
            mentorship=pair.mentorship,
            user=pair.mentor,
            held_on=dt.date(2025, 3, 15),
            duration_minutes=45,
        )
    assert list(selectors.external_meetings_for(pair.mentorship)) == [meeting]


@pytest.mark.parametrize("minutes", [0, 4, 241, 1000])
def test_external_meeting_length_is_5_to_240_minutes(pair: Pair, minutes: int) -> None:
    with pytest.raises(ValidationError, match="5 to 240 minutes"):
        mentorships_journey.meeting_log_external(
            mentorship=pair.mentorship,
            user=pair.mentee,
            held_on=dt.date.today(),  # noqa: DTZ011
            duration_minutes=minutes,
        )
    assert ExternalMeeting.objects.count() == 0
