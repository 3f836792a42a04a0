"""Mentee choice services: recommendations and their fairness rule, the request lifecycle,
the cascade on decline and on expiry, accept, invitations and every refusal."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from openmentor.accounts.models import User
from openmentor.core.scheduler import registered_jobs
from openmentor.matching.choice import selectors as choice_selectors
from openmentor.matching.choice import services as choice
from openmentor.matching.choice import tasks as choice_tasks  # noqa: F401  (registers the periodic job)
from openmentor.matching.models import MentorRequest
from openmentor.mentorships.models import Mentorship
from openmentor.notifications.models import Notification
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant
from tests.factories import MentorshipFactory
from tests.matching_choice.conftest import (
    choice_programme,
    committed,
    mentees_of,
    mentors_of,
    sent_to,
)
from tests.scenarios import EnrollingProgramme, profile_of

pytestmark = pytest.mark.django_db

Status = MentorRequest.Status


def send(
    scenario: EnrollingProgramme, mentee: User, mentors: list[User], message: str = ""
) -> list[MentorRequest]:
    with committed():
        return choice.mentor_requests_send(
            programme=scenario.programme,
            mentee=mentee,
            mentor_ids=[m.pk for m in mentors],
            message=message,
        )


def accept(request: MentorRequest, user: User) -> Mentorship:
    with committed():
        return choice.mentor_request_accept(mentor_request=request, user=user)


def decline(request: MentorRequest, user: User) -> MentorRequest:
    with committed():
        return choice.mentor_request_decline(mentor_request=request, user=user)


def expire() -> int:
    with committed():
        # The function the scheduler ticks, as registered (MatchingConfig.ready imports it).
        return cast(int, registered_jobs()["matching.request_expiry"](timezone.now()))


def statuses(mentee: User) -> list[tuple[int, str]]:
    return list(
        MentorRequest.objects.filter(mentee=mentee).order_by("rank").values_list("rank", "status")
    )


def popular_mentor_cohort(tenant: Tenant) -> EnrollingProgramme:
    """Three mentees who all fit mentor 0 best; every mentor has one place."""
    scenario = choice_programme(tenant, mentors=3, mentees=3, capacity=1)
    for enrolment in scenario.mentees:
        profile = profile_of(enrolment)
        profile.skills_wanted = ["python", "leadership"]
        profile.save()
    for n, enrolment in enumerate(scenario.mentors):
        profile = profile_of(enrolment)
        profile.skills_offered = ["python", "leadership"] if n == 0 else ["negotiation"]
        profile.save()
    return scenario


# --- Recommendations -----------------------------------------------------------------


def test_recommendations_rank_fitting_mentors_with_reasons(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    ranked = choice_selectors.ranked_mentors(programme=cohort.programme, mentee=mentee)
    assert ranked is not None
    assert {r.user_id for r in ranked} == {m.pk for m in mentors_of(cohort)}
    assert all(r.reasons and 0 <= r.score <= 1 for r in ranked)
    assert sum(r.best_fit for r in ranked) == 1
    assert ranked[0].best_fit


def test_one_early_mentee_cannot_take_every_popular_mentor(tenant: Tenant) -> None:
    scenario = popular_mentor_cohort(tenant)
    popular = mentors_of(scenario)[0]
    firsts = []
    for mentee in mentees_of(scenario):
        ranked = choice_selectors.ranked_mentors(programme=scenario.programme, mentee=mentee)
        assert ranked is not None and len(ranked) == 3
        firsts.append(ranked[0].user_id)
        if ranked[0].user_id != popular.pk:
            # Still offered, but after their own best fit, and marked as needed elsewhere.
            (entry,) = [r for r in ranked if r.user_id == popular.pk]
            assert entry.shared_out and not entry.best_fit
    assert firsts.count(popular.pk) == 1
    assert len(set(firsts)) == 3  # each mentee is steered to a different mentor


def test_pending_requests_take_places_out_of_recommendations(tenant: Tenant) -> None:
    scenario = popular_mentor_cohort(tenant)
    popular = mentors_of(scenario)[0]
    first, second, _ = mentees_of(scenario)
    send(scenario, first, [popular])
    ranked = choice_selectors.ranked_mentors(programme=scenario.programme, mentee=second)
    assert ranked is not None
    assert popular.pk not in {r.user_id for r in ranked}  # its only place is promised


def test_not_an_active_mentee_gets_no_recommendations(cohort: EnrollingProgramme) -> None:
    mentor = mentors_of(cohort)[0]
    assert choice_selectors.ranked_mentors(programme=cohort.programme, mentee=mentor) is None


def test_common_free_time_is_shown_in_each_persons_local_time(tenant: Tenant) -> None:
    scenario = choice_programme(tenant, mentors=1, mentees=1)
    mentee_profile = profile_of(scenario.mentees[0])
    mentee_profile.timezone = "America/New_York"
    # 04:00-06:00 in New York is 09:00-11:00 in London, the mentor's slot.
    mentee_profile.availability = [{"day": "tue", "start": "04:00", "end": "06:00"}]
    mentee_profile.save()
    mentor_profile = profile_of(scenario.mentors[0])
    with freeze_time("2026-02-04 12:00"):
        lines, minutes = choice_selectors.common_free_times(mentee_profile, mentor_profile)
    assert minutes == 120
    assert lines == ["Tue 04:00–06:00 (Tue 09:00–11:00 their time)"]
    # The week of 9 March 2026: New York has moved its clocks, London not yet.
    with freeze_time("2026-03-04 12:00"):
        lines, minutes = choice_selectors.common_free_times(mentee_profile, mentor_profile)
    assert (lines, minutes) == (["Tue 05:00–06:00 (Tue 09:00–10:00 their time)"], 60)


# --- Sending ---------------------------------------------------------------------------


def test_send_asks_the_first_choices_and_queues_the_rest(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    with freeze_time("2026-05-04 10:00"):
        send(cohort, mentee, [a, b, c], message="I want to lead a team")
    rows = {r.mentor_id: r for r in MentorRequest.objects.filter(mentee=mentee)}
    assert [rows[m.pk].status for m in (a, b, c)] == [Status.PENDING, Status.PENDING, Status.QUEUED]
    assert rows[a.pk].expires_at == dt.datetime(2026, 5, 7, 10, tzinfo=dt.UTC)
    assert rows[a.pk].reasons and rows[a.pk].score is not None
    (to_a,) = sent_to(a.email)
    assert "I want to lead a team" in to_a.body and "Why this match" in to_a.body
    assert len(sent_to(b.email)) == 1 and sent_to(c.email) == []
    assert Notification.objects.filter(user=a, kind="matching.request").exists()


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("self", "choice_1", "You cannot choose yourself."),
        ("twice", "choice_2", "twice"),
        ("other_org", "choice_1", "not an active mentor"),
        ("withdrawn_mentor", "choice_1", "not an active mentor"),
        ("a_mentee", "choice_1", "not an active mentor"),
        ("past_partner", "choice_1", "worked with"),
        ("full", "choice_1", "no room"),
        ("message", "message", "under 1000 characters"),
        ("none", "choice_1", "at least one"),
    ],
)
def test_bad_choices_are_refused_at_their_field_and_nothing_is_written(
    cohort: EnrollingProgramme, other_tenant: Tenant, case: str, field: str, message: str
) -> None:
    mentee, other_mentee, _ = mentees_of(cohort)
    a, b, _ = mentors_of(cohort)
    chosen: list[int] = [a.pk]
    text = ""
    if case == "self":
        chosen = [mentee.pk]
    elif case == "twice":
        chosen = [a.pk, a.pk]
    elif case == "other_org":
        chosen = [choice_programme(other_tenant, mentors=1, mentees=0).mentors[0].user_id]
    elif case == "withdrawn_mentor":
        Enrolment.objects.filter(user=a, role="mentor").update(status=Enrolment.Status.WITHDRAWN)
    elif case == "a_mentee":
        chosen = [other_mentee.pk]
    elif case == "past_partner":
        MentorshipFactory(
            programme=cohort.programme,
            mentor=a,
            mentee=mentee,
            status=Mentorship.Status.ENDED,
            ended_at=timezone.now(),
        )
    elif case == "full":
        profile = profile_of(cohort.mentors[0])
        profile.mentor_capacity = 1
        profile.save()
        send(cohort, other_mentee, [a])
    elif case == "message":
        text = "x" * 1001
    elif case == "none":
        chosen = []
    before = MentorRequest.objects.count()
    mail.outbox.clear()
    with pytest.raises(ValidationError) as error:
        choice.mentor_requests_send(
            programme=cohort.programme, mentee=mentee, mentor_ids=chosen, message=text
        )
    assert message in " ".join(error.value.message_dict[field])
    assert MentorRequest.objects.count() == before and mail.outbox == []


def test_more_choices_than_shown_are_refused(make_choice) -> None:  # type: ignore[no-untyped-def]
    scenario = make_choice(mentors=3, mentees=1, recommendations_shown=2)
    with pytest.raises(ValidationError, match="at most 2 mentors"):
        send(scenario, mentees_of(scenario)[0], mentors_of(scenario))
    assert not MentorRequest.objects.exists()


def test_a_mentee_with_enough_mentors_or_requests_out_cannot_send(
    cohort: EnrollingProgramme,
) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    MentorshipFactory(programme=cohort.programme, mentor=c, mentee=mentee)
    with pytest.raises(ValidationError, match="as many mentors"):
        send(cohort, mentee, [a])
    other = mentees_of(cohort)[1]
    send(cohort, other, [a])
    with pytest.raises(ValidationError, match="still waiting"):
        send(cohort, other, [b])
    assert MentorRequest.objects.count() == 1


def test_a_manager_matched_programme_takes_no_requests(make_choice) -> None:  # type: ignore[no-untyped-def]
    scenario = make_choice(matching_mode=Programme.MatchingMode.MANAGER)
    with pytest.raises(ValidationError, match="managers match"):
        send(scenario, mentees_of(scenario)[0], mentors_of(scenario)[:1])


# --- Answers and the cascade ------------------------------------------------------------


def test_decline_tells_the_mentee_kindly_and_asks_the_next_choice(
    cohort: EnrollingProgramme,
) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    first, *_ = send(cohort, mentee, [a, b, c])
    mail.outbox.clear()
    decline(first, a)
    assert statuses(mentee) == [(1, Status.DECLINED), (2, Status.PENDING), (3, Status.PENDING)]
    (to_mentee,) = sent_to(mentee.email)
    assert "no judgement" in to_mentee.body and c.name in to_mentee.body
    assert len(sent_to(c.email)) == 1
    # Answered once: a second answer is refused, the first stands.
    with pytest.raises(ValidationError, match="no longer waiting"):
        choice.mentor_request_accept(mentor_request=first, user=a)
    assert not Mentorship.objects.exists()


def test_accept_creates_the_mentorship_and_withdraws_the_rest(
    cohort: EnrollingProgramme,
) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    first, second, _ = send(cohort, mentee, [a, b, c])
    mail.outbox.clear()
    mentorship = accept(second, b)
    assert (mentorship.mentor, mentorship.mentee, mentorship.source) == (b, mentee, "choice")
    assert mentorship.match_score == second.score and mentorship.match_reasons == second.reasons
    assert statuses(mentee) == [(1, Status.WITHDRAWN), (2, Status.ACCEPTED), (3, Status.WITHDRAWN)]
    assert any("said yes" in m.subject for m in sent_to(mentee.email))
    (to_a,) = sent_to(a.email)  # asked, so told kindly; c was never asked
    assert "found a mentor" in to_a.subject and sent_to(c.email) == []
    with pytest.raises(ValidationError):
        decline(first, a)


def test_only_the_person_asked_can_answer(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, _ = mentors_of(cohort)
    (request,) = send(cohort, mentee, [a])
    for user in (b, mentee):
        with pytest.raises(PermissionDenied):
            choice.mentor_request_accept(mentor_request=request, user=user)
        with pytest.raises(PermissionDenied):
            choice.mentor_request_decline(mentor_request=request, user=user)
    assert MentorRequest.objects.get().status == Status.PENDING


def test_accept_over_capacity_is_refused_and_the_request_stays(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a, *_ = mentors_of(cohort)
    (request,) = send(cohort, mentee, [a])
    # Meanwhile a manager fills the mentor's places by hand.
    profile = profile_of(cohort.mentors[0])
    profile.mentor_capacity = 1
    profile.save()
    MentorshipFactory(programme=cohort.programme, mentor=a, mentee=mentees_of(cohort)[1])
    with pytest.raises(ValidationError, match="full capacity"):
        choice.mentor_request_accept(mentor_request=request, user=a)
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert Mentorship.objects.filter(mentee=mentee).count() == 0


def test_a_mentor_who_fills_up_passes_their_other_requests_on(tenant: Tenant) -> None:
    scenario = choice_programme(tenant, capacity=1, max_open_requests=1)
    first_mentee, second_mentee, _ = mentees_of(scenario)
    a, b, _ = mentors_of(scenario)
    (to_a,) = send(scenario, first_mentee, [a])
    profile = profile_of(scenario.mentors[0])
    profile.mentor_capacity = 2
    profile.save()
    send(scenario, second_mentee, [a, b])
    profile.mentor_capacity = 1  # the mentor lowers their capacity before answering
    profile.save()
    accept(to_a, a)
    assert statuses(second_mentee) == [(1, Status.DECLINED), (2, Status.PENDING)]
    assert any("filled their last place" in m.body for m in sent_to(second_mentee.email))


def test_expiry_cascades_once_on_a_frozen_clock(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    with freeze_time("2026-05-04 10:00"):
        send(cohort, mentee, [a, b, c])
    with freeze_time("2026-05-07 09:59"):
        assert expire() == 0
    mail.outbox.clear()
    with freeze_time("2026-05-07 10:01"):
        assert expire() == 2
        assert statuses(mentee) == [(1, Status.EXPIRED), (2, Status.EXPIRED), (3, Status.PENDING)]
        third = MentorRequest.objects.get(mentor=c)
        assert third.expires_at == dt.datetime(2026, 5, 10, 10, 1, tzinfo=dt.UTC)
        sent = len(mail.outbox)
        assert expire() == 0  # idempotent
        assert len(mail.outbox) == sent
    assert any("did not answer in time" in m.body for m in sent_to(mentee.email))
    assert len(sent_to(c.email)) == 1


def test_a_queued_mentor_who_left_is_skipped(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    first, *_ = send(cohort, mentee, [a, b, c])
    Enrolment.objects.filter(user=c, role="mentor").update(status=Enrolment.Status.WITHDRAWN)
    decline(first, a)
    assert statuses(mentee) == [(1, Status.DECLINED), (2, Status.PENDING), (3, Status.WITHDRAWN)]


# --- Invitations ---------------------------------------------------------------------


def test_a_mentor_invites_a_suggested_mentee_who_accepts(cohort: EnrollingProgramme) -> None:
    a = mentors_of(cohort)[0]
    suggestions = choice_selectors.ranked_mentees(programme=cohort.programme, mentor=a, top=5)
    assert suggestions and {s.user_id for s in suggestions} == {m.pk for m in mentees_of(cohort)}
    mentee = User.objects.get(pk=suggestions[0].user_id)
    with committed():
        invitation = choice.mentee_invite(programme=cohort.programme, mentor=a, mentee_id=mentee.pk)
    assert invitation.status == Status.PENDING and invitation.direction == "mentor_invites"
    assert "invites you" in sent_to(mentee.email)[0].subject
    with pytest.raises(PermissionDenied):
        choice.mentor_request_accept(mentor_request=invitation, user=a)
    mentorship = accept(invitation, mentee)
    assert (mentorship.mentor, mentorship.mentee) == (a, mentee)
    assert any("said yes" in m.subject for m in sent_to(a.email))


@pytest.mark.parametrize("case", ["self", "a_mentor", "twice", "other_org", "no_room"])
def test_bad_invitations_are_refused(
    cohort: EnrollingProgramme, other_tenant: Tenant, case: str
) -> None:
    a, b, _ = mentors_of(cohort)
    mentee_id = mentees_of(cohort)[0].pk
    if case == "self":
        mentee_id = a.pk
    elif case == "a_mentor":
        mentee_id = b.pk
    elif case == "twice":
        choice.mentee_invite(programme=cohort.programme, mentor=a, mentee_id=mentee_id)
    elif case == "other_org":
        mentee_id = choice_programme(other_tenant, mentors=0, mentees=1).mentees[0].user_id
    elif case == "no_room":
        profile = profile_of(cohort.mentors[0])
        profile.mentor_capacity = 1
        profile.save()
        choice.mentee_invite(programme=cohort.programme, mentor=a, mentee_id=mentee_id)
        mentee_id = mentees_of(cohort)[1].pk
    before = MentorRequest.objects.count()
    with pytest.raises(ValidationError):
        choice.mentee_invite(programme=cohort.programme, mentor=a, mentee_id=mentee_id)
    assert MentorRequest.objects.count() == before
