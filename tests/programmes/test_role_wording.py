"""A programme's own pages (the manager's overview, a participant's page, the manager's view
of one participant) and a pair's meetings list use the programme's words for the roles."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.organisations.models import Membership
from openmentor.people.models import Profile
from openmentor.programmes.models import Programme
from tests.conftest import Tenant, client_for
from tests.scenarios import enrolling_programme, peer_cohort

pytestmark = pytest.mark.django_db


def programme_url(programme: Programme) -> str:
    return reverse("programme_detail", args=[programme.organisation.slug, programme.slug])


def test_the_managers_programme_page_counts_people_in_the_programmes_words(
    tenant: Tenant,
) -> None:
    reverse_cohort = enrolling_programme(
        tenant.organisation, mentors=2, mentees=3, kind=Programme.Kind.REVERSE
    )
    manager = client_for(tenant.manager)
    page = manager.get(programme_url(reverse_cohort.programme)).content.decode()
    assert "</span> active junior mentors</div>" in page
    assert "</span> active senior mentees</div>" in page
    peers = peer_cohort(tenant.organisation, peers=4)
    page = manager.get(programme_url(peers.programme)).content.decode()
    assert '<span class="stat-value">4</span> active peers</div>' in page
    assert "active mentors" not in page
    plain = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    page = manager.get(programme_url(plain.programme)).content.decode()
    assert "</span> active mentors</div>" in page and "</span> active mentees</div>" in page


def test_a_senior_mentee_reads_their_role_and_the_choice_button_in_reverse_words(
    tenant: Tenant,
) -> None:
    scenario = enrolling_programme(
        tenant.organisation,
        mentors=1,
        mentees=1,
        kind=Programme.Kind.REVERSE,
        matching_mode=Programme.MatchingMode.MENTEE_CHOICE,
    )
    mentee = Membership.objects.get(organisation=tenant.organisation, user=scenario.mentees[0].user)
    page = client_for(mentee).get(programme_url(scenario.programme)).content.decode()
    assert "You are enrolled as senior mentee" in page
    assert ">Choose your junior mentor</a>" in page
    mentor = Membership.objects.get(organisation=tenant.organisation, user=scenario.mentors[0].user)
    page = client_for(mentor).get(programme_url(scenario.programme)).content.decode()
    assert "You are enrolled as junior mentor" in page
    assert ">Senior mentee requests and suggestions</a>" in page


def test_the_managers_view_of_a_junior_mentor(tenant: Tenant, other_tenant: Tenant) -> None:
    scenario = enrolling_programme(
        tenant.organisation, mentors=1, mentees=1, kind=Programme.Kind.REVERSE
    )
    enrolment = scenario.mentors[0]
    Profile.objects.filter(user=enrolment.user).update(mentor_capacity=2)
    url = reverse(
        "participant_detail",
        args=[tenant.organisation.slug, scenario.programme.slug, enrolment.pk],
    )
    page = client_for(tenant.manager).get(url).content.decode()
    assert '<p class="lead">Junior mentor · Active' in page
    assert "<dd>2 senior mentees</dd>" in page
    other = reverse(
        "participant_detail",
        args=[other_tenant.organisation.slug, scenario.programme.slug, enrolment.pk],
    )
    assert client_for(other_tenant.manager).get(other).status_code == 404


def test_a_peer_pairs_meetings_list_calls_them_peers(tenant: Tenant) -> None:
    scenario = peer_cohort(tenant.organisation, peers=2)
    a, b = (e.user for e in scenario.peers)
    mentorship = mentorships_lifecycle.mentorship_create(
        programme=scenario.programme,
        mentor=a,
        mentee=b,
        created_by=None,
        source=Mentorship.Source.MANAGER,
    )
    member = Membership.objects.get(organisation=tenant.organisation, user=a)
    url = reverse("meeting_list", args=[tenant.organisation.slug, mentorship.pk])
    page = client_for(member).get(url).content.decode()
    assert f"{a.name} and {b.name}, peers." in page
    assert "(mentor)" not in page


def _programme_rows(page: str) -> dict[str, list[str]]:
    """The programmes table: each row's cells (tags stripped) by programme name."""
    rows: dict[str, list[str]] = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", tr, re.S)
        ]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_programme_lists_count_a_peer_programme_in_peers(tenant: Tenant) -> None:
    # The manager's programme list and the organisation dashboard once showed 0 mentors
    # and 0 mentees for a peer programme of four.
    peers = peer_cohort(tenant.organisation, peers=4, name="Peer circle")
    enrolling_programme(tenant.organisation, mentors=2, mentees=3, name="Classic")
    manager = client_for(tenant.manager)
    slug = tenant.organisation.slug
    for name in ("programme_list", "organisation_dashboard"):
        page = manager.get(reverse(name, args=[slug])).content.decode()
        assert '<th scope="col">Peers</th>' in page
        rows = _programme_rows(page)
        # status, mentors, mentees, peers, awaiting approval
        assert rows[peers.programme.name][1:4] == ["—", "—", "4"]
        assert rows["Classic"][1:4] == ["2", "3", "—"]
