"""The pair's pages, the managers' mentorship pages and the match e-mail name the two sides
in the programme's words: mentor and mentee, peers, or junior mentor and senior mentee."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme
from tests.conftest import Tenant, client_for
from tests.mentorships.conftest import start
from tests.scenarios import EnrollingProgramme, enrolling_programme, peer_cohort

pytestmark = pytest.mark.django_db


def member_client(tenant: Tenant, user: User) -> Client:
    return client_for(Membership.objects.get(organisation=tenant.organisation, user=user))


def page(tenant: Tenant, mentorship: Mentorship) -> str:
    return f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/"


def programme_page(tenant: Tenant, scenario: EnrollingProgramme, tail: str) -> str:
    return f"/o/{tenant.organisation.slug}/programmes/{scenario.programme.slug}/{tail}"


def cohort(tenant: Tenant, kind: str) -> EnrollingProgramme:
    if kind == Programme.Kind.PEER:
        return peer_cohort(tenant.organisation, peers=3)
    return enrolling_programme(tenant.organisation, mentors=2, mentees=2, kind=kind)


def pair_in(scenario: EnrollingProgramme) -> tuple[User, User]:
    """(the mentor side, the mentee side) of the scenario's first pair."""
    if scenario.peers:
        return scenario.peers[0].user, scenario.peers[1].user
    return scenario.mentors[0].user, scenario.mentees[0].user


def propose(scenario: EnrollingProgramme) -> Mentorship:
    mentor, mentee = pair_in(scenario)
    return mentorships_lifecycle.mentorship_create(
        programme=scenario.programme,
        mentor=mentor,
        mentee=mentee,
        created_by=scenario.manager.user,
        source=Mentorship.Source.MANAGER,
    )


# What each side reads on the mentorship page: (lead, heading over the partner).
WORDS = {
    Programme.Kind.ONE_TO_ONE: {
        "mentor": ("you are the mentor", "Your mentee"),
        "mentee": ("you are the mentee", "Your mentor"),
    },
    Programme.Kind.REVERSE: {
        "mentor": ("you are the junior mentor", "Your senior mentee"),
        "mentee": ("you are the senior mentee", "Your junior mentor"),
    },
    Programme.Kind.PEER: {
        "mentor": ("you are peers", "Your peer"),
        "mentee": ("you are peers", "Your peer"),
    },
}


@pytest.mark.parametrize("kind", list(WORDS))
def test_the_mentorship_page_names_each_side_in_the_programmes_words(
    tenant: Tenant, kind: str
) -> None:
    scenario = cohort(tenant, kind)
    mentorship = start(propose(scenario))
    for side, user in zip(("mentor", "mentee"), pair_in(scenario), strict=True):
        body = member_client(tenant, user).get(page(tenant, mentorship)).content.decode()
        lead, heading = WORDS[kind][side]
        assert lead in body
        assert f'<h2 id="partner-heading">{heading}</h2>' in body
    if kind != Programme.Kind.ONE_TO_ONE:
        body = member_client(tenant, pair_in(scenario)[0]).get(page(tenant, mentorship))
        assert "Your mentee" not in body.content.decode()


@pytest.mark.parametrize(
    ("kind", "button"),
    [
        (Programme.Kind.ONE_TO_ONE, "Find me a new mentee"),
        (Programme.Kind.REVERSE, "Find me a new senior mentee"),
        (Programme.Kind.PEER, "Find me a new peer"),
    ],
)
def test_after_the_end_the_rematch_button_asks_for_the_right_partner(
    tenant: Tenant, kind: str, button: str
) -> None:
    scenario = cohort(tenant, kind)
    mentorship = start(propose(scenario))
    mentor, _ = pair_in(scenario)
    mentorships_lifecycle.mentorship_end(
        mentorship=mentorship, user=mentor, reason="schedule", reflection="", want_rematch=False
    )
    body = member_client(tenant, mentor).get(page(tenant, mentorship)).content.decode()
    assert f">{button}</button>" in body


def test_the_words_cost_no_extra_queries(tenant: Tenant) -> None:
    """The programme comes with the mentorship: the reverse page runs the same queries as
    the one-to-one page."""
    counts = []
    for kind in (Programme.Kind.ONE_TO_ONE, Programme.Kind.REVERSE, Programme.Kind.PEER):
        scenario = cohort(tenant, kind)
        mentorship = start(propose(scenario))
        client = member_client(tenant, pair_in(scenario)[0])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(tenant, mentorship)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize(
    ("kind", "subjects", "sentences"),
    [
        (
            Programme.Kind.ONE_TO_ONE,
            ("Meet your mentee: ", "Meet your mentor: "),
            ("will be your mentee.", "will be your mentor."),
        ),
        (
            Programme.Kind.REVERSE,
            ("Meet your senior mentee: ", "Meet your junior mentor: "),
            ("will be your senior mentee.", "will be your junior mentor."),
        ),
        (
            Programme.Kind.PEER,
            ("Meet your peer: ", "Meet your peer: "),
            ("will be your peer.", "will be your peer."),
        ),
    ],
)
def test_the_match_email_names_the_partner_in_the_programmes_words(
    tenant: Tenant,
    django_capture_on_commit_callbacks,
    kind: str,
    subjects: tuple[str, str],
    sentences: tuple[str, str],
) -> None:
    scenario = cohort(tenant, kind)
    with django_capture_on_commit_callbacks(execute=True):
        propose(scenario)
    by_person = {m.to[0]: m for m in mail.outbox}
    for user, subject, sentence in zip(pair_in(scenario), subjects, sentences, strict=True):
        message = by_person[user.email]
        assert message.subject.startswith(subject)
        assert sentence in message.body


@pytest.mark.parametrize(
    ("kind", "headers"),
    [
        (Programme.Kind.ONE_TO_ONE, ("Mentor", "Mentee")),
        (Programme.Kind.REVERSE, ("Junior mentor", "Senior mentee")),
        (Programme.Kind.PEER, ("Peer", "Peer")),
    ],
)
def test_the_managers_mentorship_list_heads_its_columns_in_the_programmes_words(
    tenant: Tenant, kind: str, headers: tuple[str, str]
) -> None:
    scenario = cohort(tenant, kind)
    mentorship = propose(scenario)
    body = client_for(scenario.manager).get(programme_page(tenant, scenario, "mentorships/"))
    html = body.content.decode()
    first, second = headers
    assert f'<th scope="col">{first}</th><th scope="col">{second}</th>' in html
    assert f'<td data-label="{second}">{mentorship.mentee.name}</td>' in html


def test_another_organisations_manager_cannot_read_a_reverse_programmes_pages(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    scenario = cohort(tenant, Programme.Kind.REVERSE)
    mentorship = propose(scenario)
    outsider = client_for(other_tenant.manager)
    assert outsider.get(page(tenant, mentorship)).status_code == 404
    for tail in ("mentorships/", "mentorships/new/", "rematches/"):
        assert outsider.get(programme_page(tenant, scenario, tail)).status_code == 404
    # and a participant of the organisation is no manager
    participant = client_for(tenant.participant)
    assert participant.get(programme_page(tenant, scenario, "mentorships/")).status_code == 403


def test_a_manager_pairs_two_peers_from_the_peer_lists(tenant: Tenant) -> None:
    scenario = cohort(tenant, Programme.Kind.PEER)
    url = programme_page(tenant, scenario, "mentorships/new/")
    manager = client_for(scenario.manager)
    html = manager.get(url).content.decode()
    assert "Pair two active peers." in html
    assert "First peer" in html and "Second peer" in html
    first, second = scenario.peers[0], scenario.peers[1]  # the selects list enrolments
    assert html.count(f'value="{first.pk}"') == 2  # each peer is offered on both sides
    # Bad input: the same peer twice, then nothing chosen; nothing is written.
    same = manager.post(url, {"mentor": first.pk, "mentee": first.pk})
    assert same.status_code == 400
    assert "Choose two different peers." in same.content.decode()
    empty = manager.post(url, {"mentor": "", "mentee": ""})
    assert empty.status_code == 400 and "Choose a peer." in empty.content.decode()
    assert not Mentorship.objects.filter(programme=scenario.programme).exists()
    response = manager.post(url, {"mentor": first.pk, "mentee": second.pk})
    assert response.status_code == 302
    assert Mentorship.objects.filter(
        programme=scenario.programme, mentor=first.user, mentee=second.user
    ).exists()


def test_the_create_page_labels_a_reverse_pair(tenant: Tenant) -> None:
    scenario = cohort(tenant, Programme.Kind.REVERSE)
    url = programme_page(tenant, scenario, "mentorships/new/")
    manager = client_for(scenario.manager)
    html = manager.get(url).content.decode()
    assert "Pair an active junior mentor with an active senior mentee." in html
    required = ' <span aria-hidden="true">*</span></label>'
    assert f">Junior mentor{required}" in html and f">Senior mentee{required}" in html
    response = manager.post(url, {"mentee": scenario.mentees[0].pk})
    assert response.status_code == 400 and "Choose a junior mentor." in response.content.decode()
    # The one-to-one page keeps its words.
    plain = cohort(tenant, Programme.Kind.ONE_TO_ONE)
    html = manager.get(programme_page(tenant, plain, "mentorships/new/")).content.decode()
    assert "Pair an active mentor with an active mentee." in html
    assert f">Mentor{required}" in html


def test_the_rematch_queue_names_the_requester_and_the_partner_they_need(
    tenant: Tenant,
) -> None:
    scenario = cohort(tenant, Programme.Kind.PEER)
    mentorship = start(propose(scenario))
    mentor, _ = pair_in(scenario)
    mentorships_lifecycle.mentorship_end(
        mentorship=mentorship, user=mentor, reason="schedule", reflection="", want_rematch=True
    )
    html = client_for(scenario.manager).get(programme_page(tenant, scenario, "rematches/"))
    body = html.content.decode()
    assert '<span class="badge">Peer</span>' in body
    assert "Propose this peer" in body
    # The third peer is offered (peers are enrolled as peers, not as mentees).
    third = scenario.peers[2].user
    assert f'value="{third.pk}"' in body


@pytest.mark.parametrize(
    ("kind", "you_are"),
    [
        (Programme.Kind.ONE_TO_ONE, "Mentor"),
        (Programme.Kind.REVERSE, "Junior mentor"),
        (Programme.Kind.PEER, "Peer"),
    ],
)
def test_the_participant_home_shows_the_role_in_the_programmes_words(
    tenant: Tenant, kind: str, you_are: str
) -> None:
    scenario = cohort(tenant, kind)
    start(propose(scenario))
    mentor, _ = pair_in(scenario)
    body = member_client(tenant, mentor).get(f"/o/{tenant.organisation.slug}/").content.decode()
    assert f'<td data-label="You are">{you_are}</td>' in body
