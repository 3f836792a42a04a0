"""Mentee choice pages: what each person sees, bad input at the field with nothing written,
tenancy, and bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from openmentor.accounts.models import User
from openmentor.matching.choice import selectors as choice_selectors
from openmentor.matching.choice import services as choice
from openmentor.matching.models import MentorRequest
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme
from tests.conftest import Tenant, client_for
from tests.matching_choice.conftest import (
    choice_programme,
    committed,
    logged_in,
    mentees_of,
    mentors_of,
)
from tests.scenarios import EnrollingProgramme

pytestmark = pytest.mark.django_db


def choose_url(scenario: EnrollingProgramme) -> str:
    return f"/o/{scenario.organisation.slug}/programmes/{scenario.programme.slug}/choose/"


def requests_url(scenario: EnrollingProgramme, tail: str = "") -> str:
    return f"/o/{scenario.organisation.slug}/programmes/{scenario.programme.slug}/requests/{tail}"


def send(scenario: EnrollingProgramme, mentee: User, mentors: list[User]) -> list[MentorRequest]:
    with committed():
        return choice.mentor_requests_send(
            programme=scenario.programme, mentee=mentee, mentor_ids=[m.pk for m in mentors]
        )


def test_mentee_sees_cards_with_why_and_free_time(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    page = logged_in(mentee).get(choose_url(cohort)).content.decode()
    for mentor in mentors_of(cohort):
        assert mentor.name in page
        assert f"/people/{mentor.pk}/photo/" in page
    assert "Why this match" in page and "You both speak English" in page
    assert "Tue 09:00–11:00" in page and "2 h a week" in page
    assert choice_selectors.FAIR_SHARE_NOTE in page
    assert '<label for="id_choice_1">1st choice</label>' in page


def test_mentee_ranks_and_sends_then_sees_their_requests(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, c = mentors_of(cohort)
    client = logged_in(mentee)
    with committed():
        response = client.post(
            choose_url(cohort),
            {"choice_1": c.pk, "choice_2": "", "choice_3": a.pk, "message": "Hello"},
        )
    assert response.status_code == 302
    rows = list(MentorRequest.objects.order_by("rank").values_list("mentor_id", "status"))
    assert rows == [(c.pk, "pending"), (a.pk, "pending")]
    page = client.get(choose_url(cohort)).content.decode()
    assert "Your requests" in page and "waiting for answers" in page
    assert "Send requests" not in page
    assert [m.to for m in mail.outbox] == [[c.email], [a.email]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"choice_1": "", "choice_2": ""}, "Choose at least one mentor."),
        ({"choice_1": "abc"}, "Choose a mentor from the list."),
        ({"choice_1": "999999"}, "is not an active mentor"),
        ({"choice_1": "MENTOR", "choice_2": "MENTOR"}, "twice"),
        ({"choice_1": "SELF"}, "You cannot choose yourself."),
        ({"choice_1": "MENTOR", "message": "x" * 1001}, "under 1000 characters"),
    ],
)
def test_bad_choices_answer_400_at_the_field_and_keep_what_was_typed(
    cohort: EnrollingProgramme, data: dict[str, str], message: str
) -> None:
    mentee = mentees_of(cohort)[0]
    values = {
        k: str(mentors_of(cohort)[0].pk) if v == "MENTOR" else str(mentee.pk) if v == "SELF" else v
        for k, v in data.items()
    }
    response = logged_in(mentee).post(choose_url(cohort), values)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="error"' in response.content.decode()
    if "message" in values:
        assert "x" * 1001 in response.content.decode()
    assert not MentorRequest.objects.exists() and mail.outbox == []


def test_a_mentor_of_another_organisation_cannot_be_requested(
    cohort: EnrollingProgramme, other_tenant: Tenant
) -> None:
    outsider = choice_programme(other_tenant, mentors=1, mentees=0).mentors[0].user
    response = logged_in(mentees_of(cohort)[0]).post(choose_url(cohort), {"choice_1": outsider.pk})
    assert response.status_code == 400 and "not an active mentor" in response.content.decode()
    assert outsider.name not in response.content.decode()
    assert not MentorRequest.objects.exists()


def test_manager_matched_programme_explains_and_refuses(tenant: Tenant, make_choice: Any) -> None:
    scenario = make_choice(matching_mode=Programme.MatchingMode.MANAGER)
    client = logged_in(mentees_of(scenario)[0])
    assert "programme managers match" in client.get(choose_url(scenario)).content.decode()
    response = client.post(choose_url(scenario), {"choice_1": mentors_of(scenario)[0].pk})
    assert response.status_code == 400 and not MentorRequest.objects.exists()
    assert (
        "programme managers match"
        in logged_in(mentors_of(scenario)[0]).get(requests_url(scenario)).content.decode()
    )


def test_a_participant_not_enrolled_is_told_so(cohort: EnrollingProgramme, tenant: Tenant) -> None:
    client = client_for(tenant.participant)
    assert "not an active mentee" in client.get(choose_url(cohort)).content.decode()
    assert client.post(choose_url(cohort), {}).status_code == 400
    assert "not an active mentor" in client.get(requests_url(cohort)).content.decode()


def test_mentor_accepts_and_declines_from_their_page(cohort: EnrollingProgramme) -> None:
    first, second, _ = mentees_of(cohort)
    a = mentors_of(cohort)[0]
    (to_accept,) = send(cohort, first, [a])
    (to_decline,) = send(cohort, second, [a])
    client = logged_in(a)
    page = client.get(requests_url(cohort)).content.decode()
    assert first.name in page and second.name in page and "Why this match" in page
    assert 'Accept<span class="visually-hidden"> ' + first.name in page
    with committed():
        response = client.post(requests_url(cohort, f"{to_decline.pk}/decline/"))
    assert response.status_code == 302
    with committed():
        client.post(requests_url(cohort, f"{to_accept.pk}/accept/"))
    mentorship = Mentorship.objects.get()
    assert (mentorship.mentor, mentorship.mentee, mentorship.source) == (a, first, "choice")
    page = client.get(requests_url(cohort)).content.decode()
    assert f"Your mentorship with {first.name}" in page
    mentee_page = logged_in(first).get(choose_url(cohort)).content.decode()
    assert f"Your mentorship with {a.name}" in mentee_page and "Why this match" in mentee_page


def test_an_answer_twice_is_a_message_not_an_error(cohort: EnrollingProgramme) -> None:
    mentee = mentees_of(cohort)[0]
    a = mentors_of(cohort)[0]
    (request,) = send(cohort, mentee, [a])
    client = logged_in(a)
    client.post(requests_url(cohort, f"{request.pk}/decline/"))
    response = client.post(requests_url(cohort, f"{request.pk}/accept/"), follow=True)
    assert "no longer waiting for an answer" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_nobody_else_can_answer_a_request(
    cohort: EnrollingProgramme, tenant: Tenant, other_tenant: Tenant
) -> None:
    mentee = mentees_of(cohort)[0]
    a, b, _ = mentors_of(cohort)
    (request,) = send(cohort, mentee, [a])
    for user in (b, mentee, tenant.manager.user):
        for action in ("accept", "decline"):
            response = logged_in(user).post(requests_url(cohort, f"{request.pk}/{action}/"))
            assert response.status_code == 404
    # The same request named under another organisation's programme.
    foreign = choice_programme(other_tenant, mentors=1, mentees=1)
    url = f"/o/{foreign.organisation.slug}/programmes/{foreign.programme.slug}/requests/"
    response = logged_in(foreign.mentors[0].user).post(f"{url}{request.pk}/accept/")
    assert response.status_code == 404
    assert MentorRequest.objects.get().status == "pending"


def test_participants_see_only_their_own_requests(cohort: EnrollingProgramme) -> None:
    first, second, _ = mentees_of(cohort)
    a, b, _ = mentors_of(cohort)
    send(cohort, first, [a])
    page = logged_in(b).get(requests_url(cohort)).content.decode()
    assert "No requests are waiting for you." in page
    assert "Hello" not in page
    page = logged_in(second).get(choose_url(cohort)).content.decode()
    assert "Your requests" not in page


def test_mentor_invites_a_suggested_mentee_who_accepts(cohort: EnrollingProgramme) -> None:
    a = mentors_of(cohort)[0]
    client = logged_in(a)
    page = client.get(requests_url(cohort)).content.decode()
    assert "Suggested mentees" in page
    mentee = mentees_of(cohort)[0]
    assert f'value="{mentee.pk}"' in page
    with committed():
        response = client.post(requests_url(cohort, "invite/"), {"mentee": mentee.pk})
    assert response.status_code == 302
    invitation = MentorRequest.objects.get()
    mentee_client = logged_in(mentee)
    page = mentee_client.get(choose_url(cohort)).content.decode()
    assert "Mentors who invite you" in page and a.name in page
    with committed():
        mentee_client.post(requests_url(cohort, f"{invitation.pk}/accept/"))
    assert Mentorship.objects.filter(mentor=a, mentee=mentee).exists()


@pytest.mark.parametrize("value", ["", "abc", "SELF", "MENTOR", "999999"])
def test_bad_invitations_answer_400(cohort: EnrollingProgramme, value: str) -> None:
    a, b, _ = mentors_of(cohort)
    value = {"SELF": str(a.pk), "MENTOR": str(b.pk)}.get(value, value)
    response = logged_in(a).post(requests_url(cohort, "invite/"), {"mentee": value})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not MentorRequest.objects.exists() and mail.outbox == []


def test_pages_use_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    scenario = choice_programme(tenant, mentors=12, mentees=30, capacity=5)
    client = logged_in(mentees_of(scenario)[0])
    with django_assert_max_num_queries(35):
        response = client.get(choose_url(scenario))
    assert response.content.decode().count('class="tile"') == 5
    a = mentors_of(scenario)[0]
    for other in mentees_of(scenario)[1:5]:
        send(scenario, other, [a])
    client = logged_in(a)
    with django_assert_max_num_queries(35):
        response = client.get(requests_url(scenario))
    assert response.content.decode().count("Accept<span") == 4
