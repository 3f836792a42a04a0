"""The person's own questionnaire answers, read-only on their profile page."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.urls import reverse

from openmentor.programmes.models import Enrolment, Programme, Question
from tests.conftest import Tenant, client_for
from tests.factories import AnswerFactory, ProgrammeFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def answered(programme: Programme, enrolment: Enrolment, text: str, value: Any) -> None:
    question = QuestionFactory(
        programme=programme,
        kind=Question.Kind.TEXT,
        text=text,
        position=programme.questions.count(),
    )
    AnswerFactory(enrolment=enrolment, question=question, value=value)


def test_own_answers_per_programme(tenant: Tenant, django_assert_max_num_queries: Any) -> None:
    pilot = cast(Programme, ProgrammeFactory(organisation=tenant.organisation, name="Pilot"))
    mine = Enrolment.objects.create(programme=pilot, user=tenant.participant.user, role="mentee")
    answered(pilot, mine, "What do you want to learn?", "Negotiation")
    answered(pilot, mine, "Which topics?", ["Public speaking", "Hiring"])
    # Someone else's answer in the same programme never shows.
    other = Enrolment.objects.create(programme=pilot, user=tenant.manager.user, role="mentor")
    answered(pilot, other, "Why do you mentor?", "Manager-secret-answer")
    for n in range(12):  # enough programmes that a query per programme would show
        more = cast(Programme, ProgrammeFactory(organisation=tenant.organisation, name=f"Z{n}"))
        enrolment = Enrolment.objects.create(
            programme=more, user=tenant.participant.user, role="mentor"
        )
        answered(more, enrolment, f"Question {n}", f"Reply {n}")
    client = client_for(tenant.participant)
    client.get(reverse("profile_edit", args=[tenant.organisation.slug]))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("profile_edit", args=[tenant.organisation.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your answers in Pilot" in html and "Your answers in Z11 (as mentor)" in html
    assert "<dt>What do you want to learn?</dt><dd>Negotiation</dd>" in html
    assert "<dd>Public speaking, Hiring</dd>" in html
    assert "Manager-secret-answer" not in html
    # Read-only: no inputs for the answers, and no change link as no such page exists.
    section = html.split("Your answers in Pilot", 1)[1].split("</section>", 1)[0]
    assert "<input" not in section and "<textarea" not in section
    assert "ask the programme team" in section


def test_no_answers_no_section(tenant: Tenant, other_tenant: Tenant) -> None:
    elsewhere = cast(Programme, ProgrammeFactory(organisation=other_tenant.organisation))
    # The same person enrolled in another organisation's programme: not shown here.
    theirs = Enrolment.objects.create(
        programme=elsewhere, user=tenant.participant.user, role="mentee"
    )
    answered(elsewhere, theirs, "Elsewhere question", "Elsewhere answer")
    withdrawn_in = cast(Programme, ProgrammeFactory(organisation=tenant.organisation))
    gone = Enrolment.objects.create(
        programme=withdrawn_in,
        user=tenant.participant.user,
        role="mentee",
        status=Enrolment.Status.WITHDRAWN,
    )
    answered(withdrawn_in, gone, "Old question", "Old answer")
    html = (
        client_for(tenant.participant)
        .get(reverse("profile_edit", args=[tenant.organisation.slug]))
        .content.decode()
    )
    assert "Your answers in" not in html
    assert "Elsewhere answer" not in html and "Old answer" not in html
