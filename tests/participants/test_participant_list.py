from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Question
from tests.conftest import Tenant, client_for
from tests.factories import AnswerFactory, ProgrammeFactory, QuestionFactory
from tests.scenarios import enrolling_programme, profile_of

pytestmark = pytest.mark.django_db


def count_shown(body: str) -> int:
    match = re.search(r"<p>(\d+) participants?\b", body)
    assert match, "the participant count is missing"
    return int(match.group(1))


def url(tenant: Tenant, programme_slug: str, query: str = "") -> str:
    return f"/o/{tenant.organisation.slug}/programmes/{programme_slug}/participants/{query}"


def test_manager_sees_the_programme_participants_with_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=20, mentees=60)
    client = client_for(tenant.manager)
    with django_assert_max_num_queries(12):
        response = client.get(url(tenant, scenario.programme.slug))
    body = response.content.decode()
    assert response.status_code == 200
    assert "80 participants" in body
    assert body.count("<tr>") == 50 + 1  # a page of 50 plus the header row
    with django_assert_max_num_queries(12):
        second = client.get(url(tenant, scenario.programme.slug, "?page=2")).content.decode()
    assert second.count("<tr>") == 30 + 1 and "Page 2 of 2" in second


def test_filters_by_role_status_completeness_matched_and_search(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=5)
    client = client_for(tenant.manager)
    slug = scenario.programme.slug
    assert count_shown(client.get(url(tenant, slug, "?role=mentor")).content.decode()) == 3

    pending = scenario.mentees[0]
    Enrolment.objects.filter(pk=pending.pk).update(status=Enrolment.Status.PENDING)
    body = client.get(url(tenant, slug, "?status=pending")).content.decode()
    assert count_shown(body) == 1
    assert pending.user.email in body

    Profile.objects.filter(organisation=tenant.organisation).update(completeness=60)
    complete = profile_of(scenario.mentors[1])
    complete.completeness = 100
    complete.save()
    body = client.get(url(tenant, slug, "?completeness=complete")).content.decode()
    assert scenario.mentors[1].user.email in body and scenario.mentors[0].user.email not in body
    assert (
        count_shown(client.get(url(tenant, slug, "?completeness=incomplete")).content.decode()) == 7
    )

    Enrolment.objects.filter(pk=scenario.mentees[2].pk).update(matched_at=timezone.now())
    body = client.get(url(tenant, slug, "?matched=yes")).content.decode()
    assert scenario.mentees[2].user.email in body and count_shown(body) == 1
    assert count_shown(client.get(url(tenant, slug, "?matched=no")).content.decode()) == 7

    target = scenario.mentees[3].user
    body = client.get(url(tenant, slug, f"?q={target.email.upper()}")).content.decode()
    assert target.email in body and count_shown(body) == 1


def test_bad_filter_values_are_a_400_with_a_message(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    response = client_for(tenant.manager).get(url(tenant, scenario.programme.slug, "?role=emperor"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_other_programmes_participants_are_not_listed(tenant: Tenant) -> None:
    ours = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    theirs = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    body = client_for(tenant.manager).get(url(tenant, ours.programme.slug)).content.decode()
    assert theirs.mentees[0].user.email not in body and ours.mentees[0].user.email in body


def test_participant_of_another_programme_is_404_on_this_programme(tenant: Tenant) -> None:
    ours = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    other = ProgrammeFactory(organisation=tenant.organisation)
    foreign = Enrolment.objects.create(
        programme=other, user=ours.mentees[0].user, role=Enrolment.Role.MENTOR
    )
    response = client_for(tenant.manager).get(url(tenant, ours.programme.slug, f"{foreign.pk}/"))
    assert response.status_code == 404


def test_participant_page_shows_profile_and_answers_but_not_self_identification(
    tenant: Tenant,
) -> None:
    from openmentor.people.models import SelfIdentification

    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    mentee = scenario.mentees[0]
    question = QuestionFactory(
        programme=scenario.programme,
        kind=Question.Kind.SINGLE,
        text="Preferred format?",
        choices=["Video", "In person"],
    )
    AnswerFactory(enrolment=mentee, question=question, value="Video")
    SelfIdentification.objects.create(
        organisation=tenant.organisation, user=mentee.user, gender="nonbinary-secret-marker"
    )
    body = (
        client_for(tenant.manager)
        .get(url(tenant, scenario.programme.slug, f"{mentee.pk}/"))
        .content.decode()
    )
    assert "Grow into a team lead" in body
    assert "Preferred format?" in body and "Video" in body
    assert "nonbinary-secret-marker" not in body


def test_participants_cannot_open_the_list(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    assert (
        client_for(tenant.participant).get(url(tenant, scenario.programme.slug)).status_code == 403
    )
    assert Client().get(url(tenant, scenario.programme.slug)).status_code == 302
