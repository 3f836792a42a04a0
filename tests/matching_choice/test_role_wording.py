"""Mentee choice in the programme's words: in reverse mentoring a senior mentee chooses a
junior mentor, and the pages, messages and e-mails say so; a peer programme has no mentee
choice (everyone is a peer), and its page says the managers match peers."""

from __future__ import annotations

import pytest
from django.core import mail

from openmentor.matching.models import MentorRequest
from openmentor.programmes.models import Programme
from tests.conftest import Tenant, client_for
from tests.matching_choice.conftest import (
    choice_programme,
    committed,
    logged_in,
    mentees_of,
    mentors_of,
)
from tests.scenarios import EnrollingProgramme, peer_cohort

pytestmark = pytest.mark.django_db


def choose_url(scenario: EnrollingProgramme) -> str:
    return f"/o/{scenario.organisation.slug}/programmes/{scenario.programme.slug}/choose/"


def requests_url(scenario: EnrollingProgramme) -> str:
    return f"/o/{scenario.organisation.slug}/programmes/{scenario.programme.slug}/requests/"


@pytest.fixture
def reverse(tenant: Tenant) -> EnrollingProgramme:
    return choice_programme(tenant, kind=Programme.Kind.REVERSE)


def test_a_senior_mentee_chooses_a_junior_mentor(reverse: EnrollingProgramme) -> None:
    page = logged_in(mentees_of(reverse)[0]).get(choose_url(reverse)).content.decode()
    assert "<h1>Choose your junior mentor</h1>" in page
    assert "Put the junior mentors you would like in order." in page
    assert "Each junior mentor has 3 days to answer." in page
    assert "Choose your mentor" not in page


def test_the_one_to_one_choice_page_keeps_its_words(tenant: Tenant) -> None:
    scenario = choice_programme(tenant)
    page = logged_in(mentees_of(scenario)[0]).get(choose_url(scenario)).content.decode()
    assert "<h1>Choose your mentor</h1>" in page
    assert "Put the mentors you would like in order." in page


def test_a_junior_mentor_on_the_choice_page_is_told_in_the_reverse_words(
    reverse: EnrollingProgramme,
) -> None:
    client = logged_in(mentors_of(reverse)[0])
    page = client.get(choose_url(reverse)).content.decode()
    assert (
        f"You are not an active senior mentee in {reverse.programme.name}, so there are no "
        "junior mentors to choose here." in page
    )
    # Bad input: a junior mentor cannot send requests; nothing is written.
    response = client.post(choose_url(reverse), {"choice_1": mentors_of(reverse)[1].pk})
    assert response.status_code == 400
    assert f"You are not an active senior mentee in {reverse.programme.name}." in (
        response.content.decode()
    )
    assert not MentorRequest.objects.exists()


def test_a_request_in_a_reverse_programme_is_worded_for_both_sides(
    reverse: EnrollingProgramme,
) -> None:
    mentee = mentees_of(reverse)[0]
    mentor = mentors_of(reverse)[0]
    with committed():
        response = logged_in(mentee).post(choose_url(reverse), {"choice_1": mentor.pk})
    assert response.status_code == 302
    (request_mail,) = [m for m in mail.outbox if mentor.email in m.to]
    assert request_mail.subject == f"{mentee.name} would like you as their junior mentor"
    assert f"would like you as their junior mentor in {reverse.programme.name}" in str(
        request_mail.body
    )
    page = logged_in(mentor).get(requests_url(reverse)).content.decode()
    assert "<h1>Senior mentee requests</h1>" in page
    assert "Suggested senior mentees" in page
    # The senior mentee's table of requests heads its column "Junior mentor".
    own = logged_in(mentee).get(choose_url(reverse)).content.decode()
    assert '<th scope="col">Junior mentor</th>' in own
    # Answering yes tells the senior mentee in the same words.
    mail.outbox.clear()
    request = MentorRequest.objects.get(mentor=mentor, mentee=mentee)
    with committed():
        logged_in(mentor).post(f"{requests_url(reverse)}{request.pk}/accept/")
    (answer,) = [m for m in mail.outbox if mentee.email in m.to]
    assert "said yes to being your junior mentor" in str(answer.body)


def test_a_peer_programme_has_no_mentee_choice(tenant: Tenant) -> None:
    scenario = peer_cohort(
        tenant.organisation, peers=3, matching_mode=Programme.MatchingMode.MENTEE_CHOICE
    )
    peer, other = scenario.peers[0].user, scenario.peers[1].user
    client = logged_in(peer)
    page = client.get(choose_url(scenario)).content.decode()
    assert "<h1>Choose your peer</h1>" in page
    assert (
        f"In {scenario.programme.name} the programme managers match peers with each other, "
        "so there is nothing to choose here." in page
    )
    assert "You are not an active" not in page
    response = client.post(choose_url(scenario), {"choice_1": other.pk})
    assert response.status_code == 400
    assert not MentorRequest.objects.exists()
    requests = logged_in(other).get(requests_url(scenario)).content.decode()
    assert "the programme managers match peers with each other, so nobody sends requests" in (
        requests
    )


def test_another_organisation_cannot_reach_a_reverse_choice_page(
    reverse: EnrollingProgramme, other_tenant: Tenant
) -> None:
    stranger = client_for(other_tenant.participant)
    assert stranger.get(choose_url(reverse)).status_code == 404
    assert stranger.get(requests_url(reverse)).status_code == 404
