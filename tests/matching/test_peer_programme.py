"""A peer programme end to end: enrolment as "peer", the run (the engine's peer mode), the
proposal review, publishing, and the next run never proposing a published pair again."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from openmentor.matching.models import MatchingRun
from openmentor.matching.problem import build_problem
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services.lifecycle import mentorship_create
from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.services.enrolment import enrolment_create
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory, ProfileFactory, ProgrammeFactory
from tests.matching.helpers import run_matching, url

pytestmark = pytest.mark.django_db

SKILLS = ["python", "sql", "design", "sales", "writing"]


def peer_programme(
    tenant: Tenant, peers: int = 5, **fields: Any
) -> tuple[Programme, list[Membership]]:
    programme = ProgrammeFactory(
        organisation=tenant.organisation,
        kind=Programme.Kind.PEER,
        status=Programme.Status.ENROLLING,
        skills=SKILLS,
        **fields,
    )
    people = []
    for i in range(peers):
        member = MembershipFactory(organisation=tenant.organisation, role=Role.PARTICIPANT)
        ProfileFactory(
            organisation=tenant.organisation,
            user=member.user,
            skills_wanted=[SKILLS[i % 5]],
            skills_offered=[SKILLS[(i + 1) % 5]],
            goals="Learn from colleagues",
            availability=[{"day": "tue", "start": "09:00", "end": "11:00"}],
            seniority_years=3 + i,
        )
        enrolment_create(
            programme=programme,
            membership=member,
            roles=["peer"],
            answers={},
            agreement_accepted=True,
        )
        people.append(member)
    return programme, people


def test_the_enrolment_form_offers_only_peer_and_the_service_refuses_other_roles(
    tenant: Tenant,
) -> None:
    programme, _ = peer_programme(tenant, peers=0)
    page = client_for(tenant.participant).get(
        f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/enrol/"
    )
    body = page.content.decode()
    assert 'value="peer"' in body and "Peer — be matched with another participant" in body
    assert 'value="mentor"' not in body and 'value="mentee"' not in body
    with pytest.raises(ValidationError) as error:
        enrolment_create(
            programme=programme,
            membership=tenant.participant,
            roles=["mentor"],
            answers={},
            agreement_accepted=True,
        )
    assert "joins as a peer" in str(error.value)
    assert not Enrolment.objects.filter(programme=programme, user=tenant.participant.user).exists()
    # and "peer" is refused in a one-to-one programme
    other = ProgrammeFactory(organisation=tenant.organisation, status=Programme.Status.ENROLLING)
    with pytest.raises(ValidationError):
        enrolment_create(
            programme=other,
            membership=tenant.participant,
            roles=["peer"],
            answers={},
            agreement_accepted=True,
        )
    response = client_for(tenant.participant).post(
        f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/enrol/", {"role": "mentee"}
    )
    assert response.status_code == 400  # the form again, with the error at the field
    assert "Select a valid choice" in response.content.decode()
    assert not Enrolment.objects.filter(programme=programme, user=tenant.participant.user).exists()


def test_a_peer_programme_is_matched_reviewed_and_published(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme, people = peer_programme(tenant, peers=5)
    built = build_problem(programme=programme)
    assert built.data["mode"] == "peer" and len(built.data["peers"]) == 5
    assert "mentees" not in built.data
    client = client_for(tenant.manager)
    run = run_matching(client, programme, django_capture_on_commit_callbacks)
    assert run.status == MatchingRun.Status.DONE, run.error
    matches = run.result["matches"]
    assert len(matches) == 2  # five peers, one each: two pairs, one left over
    assert all(m["mentee"] != m["mentor"] for m in matches)
    assert len({frozenset((m["mentee"], m["mentor"])) for m in matches}) == 2
    page = client.get(url("matching_run", programme, run.pk)).content.decode()
    assert '<th scope="col">Peer</th>' in page and '<th scope="col">Mentee</th>' not in page
    assert "of peers matched (4 of 5)" in page
    assert "Swap" not in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("matching_publish", programme, run.pk))
    assert response.status_code == 302
    made = list(Mentorship.objects.filter(programme=programme))
    assert len(made) == 2
    per = Counter(x for m in made for x in (m.mentor_id, m.mentee_id))
    assert max(per.values()) == 1
    intros = [m for m in mail.outbox if m.subject.startswith("Why you were matched")]
    assert len(intros) == 4 and all("will be your peer." in str(m.body) for m in intros)
    # the next run never proposes a published pair again, in either order
    again = build_problem(programme=programme)
    forbidden = {frozenset(p) for p in again.data["forbidden_pairs"]}
    assert all(frozenset((f"u{m.mentor_id}", f"u{m.mentee_id}")) in forbidden for m in made)
    assert all(p["capacity"] == 0 for p in again.data["peers"] if int(p["id"][1:]) in per)


def test_a_peer_pair_is_unordered_and_each_peer_has_a_limit(tenant: Tenant) -> None:
    programme, (a, b, c) = peer_programme(tenant, peers=3)
    programme.status = Programme.Status.MATCHING
    programme.save()
    mentorship_create(
        programme=programme, mentor=a.user, mentee=b.user, created_by=None, source="manager"
    )
    with pytest.raises(ValidationError) as error:
        mentorship_create(
            programme=programme, mentor=b.user, mentee=a.user, created_by=None, source="manager"
        )
    assert "already have an open mentorship" in str(error.value)
    with pytest.raises(ValidationError) as error:
        mentorship_create(
            programme=programme, mentor=c.user, mentee=a.user, created_by=None, source="manager"
        )
    assert "already has 1 peer(s)" in str(error.value)
    outsider = MembershipFactory(organisation=tenant.organisation, role=Role.PARTICIPANT)
    with pytest.raises(ValidationError) as error:
        mentorship_create(
            programme=programme,
            mentor=c.user,
            mentee=outsider.user,
            created_by=None,
            source="manager",
        )
    assert "is not an active peer" in str(error.value)
    assert Mentorship.objects.filter(programme=programme).count() == 1


def test_a_peer_run_of_another_organisation_is_not_found(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme, _ = peer_programme(tenant, peers=4)
    run = run_matching(client_for(tenant.manager), programme, django_capture_on_commit_callbacks)
    stranger = client_for(other_tenant.manager)
    assert stranger.get(url("matching_run", programme, run.pk)).status_code == 404
    assert stranger.post(url("matching_publish", programme, run.pk)).status_code == 404
    assert not Mentorship.objects.filter(programme=programme).exists()
