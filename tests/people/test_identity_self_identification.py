"""Voluntary self-identification: only the person sees their answers; reports see groups of 5+."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openmentor.organisations.models import Organisation
from openmentor.people import services
from openmentor.people.models import SelfIdentification
from openmentor.people.selectors import protected_attributes_for, self_identification_counts
from tests.conftest import Tenant, client_for
from tests.people.helpers import make_member

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "openmentor" / "people" / "templates" / "people"


def url(tenant: Tenant) -> str:
    return reverse("self_identification", kwargs={"slug": tenant.organisation.slug})


def answer(organisation: Organisation, user: Any, **answers: str) -> None:
    services.self_identification_save(organisation=organisation, user=user, **answers)


def test_the_page_explains_why_and_who_sees_the_answers(tenant: Tenant) -> None:
    page = client_for(tenant.participant).get(url(tenant)).content.decode()
    assert "Why we ask" in page and "Who sees your answers" in page
    assert "not programme managers" in page
    assert "fewer than 5 people is hidden" in page
    assert "Matching never uses your answers." in page
    assert page.count(">Prefer not to say</option>") == 4  # one per question


def test_answers_are_saved_changed_and_cleared(tenant: Tenant) -> None:
    client = client_for(tenant.participant)
    response = client.post(url(tenant), {"gender": "woman", "age_band": "prefer_not_to_say"})
    assert response.status_code == 302
    row = SelfIdentification.objects.get(user=tenant.participant.user)
    assert (row.gender, row.ethnicity, row.age_band, row.disability) == (
        "woman",
        "",
        "prefer_not_to_say",
        "",
    )
    page = client.get(url(tenant)).content.decode()
    assert '<option value="woman" selected>' in page
    client.post(url(tenant), {"gender": "", "disability": "yes"})
    row.refresh_from_db()
    assert (row.gender, row.disability, row.age_band) == ("", "yes", "")
    response = client.post(url(tenant), {"clear": "1"}, follow=True)
    assert "Your answers are deleted." in response.content.decode()
    assert not SelfIdentification.objects.filter(user=tenant.participant.user).exists()


def test_leaving_everything_unanswered_stores_nothing(tenant: Tenant) -> None:
    answer(tenant.organisation, tenant.participant.user, gender="man")
    client_for(tenant.participant).post(url(tenant), {"gender": "", "ethnicity": ""})
    assert not SelfIdentification.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"gender": "robot"}, {"ethnicity": "<script>"}, {"age_band": "17"}, {"disability": "maybe"}],
)
def test_an_answer_not_in_the_list_is_refused_and_nothing_is_written(
    tenant: Tenant, data: dict[str, str]
) -> None:
    answer(tenant.organisation, tenant.participant.user, gender="man", disability="no")
    response = client_for(tenant.participant).post(url(tenant), {"age_band": "25_34", **data})
    assert response.status_code == 400
    field = next(iter(data))
    assert response.context["form"].errors[field] == [
        "Choose one of the listed answers, or “Not answered”."
    ]
    row = SelfIdentification.objects.get()
    assert (row.gender, row.age_band, row.disability) == ("man", "", "no")
    with pytest.raises(ValidationError):
        services.self_identification_save(
            organisation=tenant.organisation, user=tenant.participant.user, **data
        )


def test_nobody_else_sees_an_individuals_answers(tenant: Tenant) -> None:
    answer(tenant.organisation, tenant.participant.user, ethnicity="middle_eastern_north_african")
    for other in (tenant.manager, tenant.owner, make_member(tenant.organisation)):
        client = client_for(other)
        for page_url in (url(tenant), reverse("profile_edit", args=[tenant.organisation.slug])):
            page = client.get(page_url).content.decode()
            assert 'middle_eastern_north_african" selected' not in page
            assert "selected>Middle Eastern" not in page
    # Their own page shows their own answer.
    own = client_for(tenant.participant).get(url(tenant)).content.decode()
    assert '<option value="middle_eastern_north_african" selected>' in own


def test_answers_are_per_organisation(tenant: Tenant, other_tenant: Tenant) -> None:
    member = make_member(other_tenant.organisation, user=tenant.participant.user)
    answer(tenant.organisation, tenant.participant.user, gender="woman")
    page = client_for(member).get(url(other_tenant)).content.decode()
    assert '<option value="woman" selected>' not in page
    client_for(member).post(url(other_tenant), {"clear": "1"})
    assert SelfIdentification.objects.filter(organisation=tenant.organisation).exists()


def test_no_template_shows_anyone_elses_answers() -> None:
    """Only the person's own form renders the attributes; no other template reads them."""
    templates = list(TEMPLATES.rglob("*.html"))
    assert len(templates) >= 3
    for template in templates:
        if template.name == "self_identification.html":
            continue
        code = " ".join(re.findall(r"{[{%](.*?)[}%]}", template.read_text(), flags=re.S)).lower()
        for word in ("gender", "ethnicity", "age_band", "disability", "identification", "answers"):
            assert word not in code.replace("'self_identification'", ""), (template, word)


def test_counts_suppress_groups_under_five(tenant: Tenant, other_tenant: Tenant) -> None:
    people = [make_member(tenant.organisation).user for _ in range(9)]
    for person in people[:6]:
        answer(tenant.organisation, person, gender="woman", disability="no")
    for person in people[6:8]:
        answer(tenant.organisation, person, gender="man", disability="prefer_not_to_say")
    answer(tenant.organisation, people[8], disability="no")
    for _ in range(7):  # another organisation's answers never count here
        answer(other_tenant.organisation, make_member(other_tenant.organisation).user, gender="man")
    counts = self_identification_counts(organisation=tenant.organisation)
    assert counts == {
        "gender": {"woman": 6, "man": "suppressed"},
        "ethnicity": {},
        "age_band": {},
        "disability": {"no": 7, "prefer_not_to_say": "suppressed"},
    }
    narrowed = self_identification_counts(
        organisation=tenant.organisation, user_ids=[p.pk for p in people[:5]]
    )
    assert narrowed["gender"] == {"woman": 5}
    tiny = self_identification_counts(
        organisation=tenant.organisation, user_ids=[p.pk for p in people[:4]]
    )
    assert tiny["gender"] == {"woman": "suppressed"}


def test_people_who_left_are_not_counted(tenant: Tenant) -> None:
    people = [make_member(tenant.organisation) for _ in range(5)]
    for member in people:
        answer(tenant.organisation, member.user, gender="man")
    assert self_identification_counts(organisation=tenant.organisation)["gender"] == {"man": 5}
    people[0].delete()
    assert self_identification_counts(organisation=tenant.organisation)["gender"] == {
        "man": "suppressed"
    }


def test_protected_attributes_are_only_what_people_chose_to_give(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    a, b, c = (make_member(tenant.organisation).user for _ in range(3))
    answer(tenant.organisation, a, gender="woman", ethnicity="prefer_not_to_say")
    answer(tenant.organisation, b, gender="prefer_not_to_say")
    answer(
        other_tenant.organisation, make_member(other_tenant.organisation, user=c).user, gender="man"
    )
    got = protected_attributes_for(organisation=tenant.organisation, user_ids=[a.pk, b.pk, c.pk])
    assert got == {a.pk: {"gender": "woman"}}


def test_counting_takes_a_fixed_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        answer(
            tenant.organisation,
            make_member(tenant.organisation).user,
            gender=["woman", "man"][n % 2],
        )
    with django_assert_max_num_queries(4):
        self_identification_counts(organisation=tenant.organisation)
    with django_assert_max_num_queries(1):
        protected_attributes_for(organisation=tenant.organisation, user_ids=range(1, 100))
