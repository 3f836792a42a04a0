"""Manager-run matching names people in the programme's words: the matching home's rematch
count, the publish page, the swap page, the staleness list and the introduction e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from openmentor.matching.models import MatchingRun
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for
from tests.matching.helpers import run_matching, url
from tests.matching.test_reverse_programme import reverse_programme
from tests.scenarios import enrolling_programme, peer_cohort

pytestmark = pytest.mark.django_db


def _done(client: Any, programme: Programme, capture: Any) -> MatchingRun:
    run = run_matching(client, programme, capture)
    assert run.status == MatchingRun.Status.DONE, run.error
    return run


def test_a_reverse_proposal_is_published_in_the_reverse_words(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme = reverse_programme(tenant)
    client = client_for(tenant.manager)
    run = _done(client, programme, django_capture_on_commit_callbacks)
    confirm = client.get(url("matching_publish", programme, run.pk)).content.decode()
    assert "0 senior mentees stay unmatched." in confirm
    assert "mentee(s)" not in confirm
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("matching_publish", programme, run.pk))
    assert response.status_code == 302
    intros = {m.to[0]: str(m.body) for m in mail.outbox}
    (pair,) = Mentorship.objects.filter(programme=programme)
    assert "will be your senior mentee." in intros[pair.mentor.email]
    assert "will be your junior mentor." in intros[pair.mentee.email]


def test_the_one_to_one_publish_page_keeps_mentees(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=2)
    Profile.objects.filter(user=scenario.mentors[0].user).update(mentor_capacity=1)
    client = client_for(scenario.manager)
    run = _done(client, scenario.programme, django_capture_on_commit_callbacks)
    confirm = client.get(url("matching_publish", scenario.programme, run.pk)).content.decode()
    assert "1 mentee stays unmatched." in confirm


def test_a_peer_publish_page_counts_peers(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = peer_cohort(tenant.organisation, peers=5, mentors_per_mentee=1)
    client = client_for(scenario.manager)
    run = _done(client, scenario.programme, django_capture_on_commit_callbacks)
    confirm = client.get(url("matching_publish", scenario.programme, run.pk)).content.decode()
    assert "1 peer stays unmatched." in confirm


def test_the_matching_home_counts_rematch_requests_in_the_programmes_words(
    tenant: Tenant,
) -> None:
    programme = reverse_programme(tenant)
    mentor, _, mentee = (
        e.user for e in Enrolment.objects.filter(programme=programme).order_by("pk")
    )
    mentorship = mentorships_lifecycle.mentorship_create(
        programme=programme, mentor=mentor, mentee=mentee, created_by=None, source="manager"
    )
    for user in (mentor, mentee):
        mentorship = mentorships_lifecycle.mentorship_accept_agreement(
            mentorship=mentorship, user=user, hopes="To learn", confidentiality=True
        )
    mentorships_lifecycle.mentorship_end(
        mentorship=mentorship, user=mentee, reason="schedule", reflection="", want_rematch=True
    )
    home = client_for(tenant.manager).get(url("matching_home", programme)).content.decode()
    assert "1 senior mentee has asked for a new match." in home
    # Not a manager: no matching page at all.
    assert client_for(tenant.participant).get(url("matching_home", programme)).status_code == 403


def test_the_swap_page_offers_junior_mentors(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme = reverse_programme(tenant)
    client = client_for(tenant.manager)
    run = _done(client, programme, django_capture_on_commit_callbacks)
    (match,) = run.result["matches"]
    page = client.get(
        url("matching_swap", programme, run.pk)
        + f"?mentee={match['mentee']}&mentor={match['mentor']}"
    ).content.decode()
    assert "<h1>Another junior mentor for Director</h1>" in page
    assert "Swap junior mentor" in page


def test_staleness_in_a_reverse_programme_names_the_junior_mentor(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme = reverse_programme(tenant)
    client = client_for(tenant.manager)
    run = _done(client, programme, django_capture_on_commit_callbacks)
    (match,) = run.result["matches"]
    Enrolment.objects.filter(programme=programme, user_id=int(match["mentor"][1:])).update(
        status=Enrolment.Status.WITHDRAWN
    )
    response = client.post(url("matching_publish", programme, run.pk))
    assert response.status_code == 409
    assert "is no longer an active junior mentor in the programme." in response.content.decode()
    assert not Mentorship.objects.filter(programme=programme).exists()


def test_another_organisations_manager_cannot_publish_a_reverse_run(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme = reverse_programme(tenant)
    run = _done(client_for(tenant.manager), programme, django_capture_on_commit_callbacks)
    stranger = client_for(other_tenant.manager)
    assert stranger.get(url("matching_publish", programme, run.pk)).status_code == 404
    assert stranger.post(url("matching_publish", programme, run.pk)).status_code == 404
    assert not Mentorship.objects.filter(programme=programme).exists()
