"""Managers' own survey questions: added with the questionnaire's kinds, answered by the
members with answers checked by kind, shown to the team only in aggregate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openmentor.feedback.models import MeetingFeedback, SurveyQuestion
from openmentor.feedback.surveys import services
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant, client_for
from tests.factories import MeetingFactory
from tests.scenarios import active_mentorship


def builder_url(tenant: Tenant, m: Mentorship) -> str:
    return reverse("survey_builder", args=[tenant.organisation.slug, m.programme.slug])


def ask(m: Mentorship) -> MeetingFeedback:
    meeting = MeetingFactory(
        mentorship=m, starts_at=timezone.now() - dt.timedelta(days=1), status="accepted"
    )
    services.meeting_feedback_request(meeting=meeting, ask_happened=False, now=timezone.now())
    return MeetingFeedback.objects.get(meeting=meeting, author=m.mentee)


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (
            {"survey": "meeting", "kind": "single", "text": "Pick", "choices": "only"},
            "at least two",
        ),
        ({"survey": "meeting", "kind": "scale", "text": ""}, "Write the question."),
        ({"survey": "nope", "kind": "scale", "text": "Q"}, "Choose the survey."),
        ({"survey": "meeting", "kind": "date", "text": "Q"}, "Choose the kind of question."),
        ({"survey": "meeting", "kind": "skills", "text": "Q"}, "taxonomy"),
    ],
)
def test_bad_questions_are_refused(tenant: Tenant, post: dict[str, str], message: str) -> None:
    m = active_mentorship(tenant.organisation)
    m.programme.skills = []
    m.programme.save(update_fields=["skills"])
    page = client_for(tenant.manager).post(builder_url(tenant, m), post)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not SurveyQuestion.objects.exists()


def test_only_the_programme_team_builds_surveys(tenant: Tenant, other_tenant: Tenant) -> None:
    m = active_mentorship(tenant.organisation, mentee=tenant.participant)
    post = {"survey": "meeting", "kind": "scale", "text": "How clear are your goals?"}
    assert client_for(tenant.participant).post(builder_url(tenant, m), post).status_code == 403
    assert client_for(other_tenant.manager).post(builder_url(tenant, m), post).status_code == 404
    assert not SurveyQuestion.objects.exists()


def test_answers_are_checked_by_kind_and_shown_only_in_aggregate(tenant: Tenant) -> None:
    first = active_mentorship(tenant.organisation, mentee=tenant.participant)
    manager = client_for(tenant.manager)
    url = builder_url(tenant, first)
    manager.post(
        url,
        {
            "survey": "meeting",
            "kind": "scale",
            "text": "How clear are your goals?",
            "required": "on",
        },
    )
    manager.post(
        url,
        {
            "survey": "meeting",
            "kind": "single",
            "text": "Where did you meet?",
            "choices": "Call\nCafé",
        },
    )
    manager.post(url, {"survey": "meeting", "kind": "text", "text": "Anything else?"})
    scale, single, text = SurveyQuestion.objects.order_by("position")
    feedback = ask(first)
    page_url = reverse("meeting_feedback", args=[tenant.organisation.slug, feedback.pk])
    mentee = client_for(tenant.participant)
    form = mentee.get(page_url).content.decode()
    assert "How clear are your goals?" in form and "Café" in form
    refused = mentee.post(page_url, {"rating": "4", f"q_{scale.pk}": "9", f"q_{single.pk}": "Pub"})
    assert refused.status_code == 400
    assert "Choose a number from 1 to 5." in refused.content.decode()
    feedback.refresh_from_db()
    assert feedback.answered_at is None and feedback.answers == {}
    missing = mentee.post(page_url, {"rating": "4"})
    assert "Answer this question." in missing.content.decode()
    ok = mentee.post(
        page_url,
        {"rating": "4", f"q_{scale.pk}": "2", f"q_{single.pk}": "Café", f"q_{text.pk}": "private"},
    )
    assert ok.status_code == 302
    feedback.refresh_from_db()
    assert feedback.answers == {str(scale.pk): 2, str(single.pk): "Café", str(text.pk): "private"}
    results = manager.get(url).content.decode()
    assert "1 answers so far; shown from 5." in results
    assert "private" not in results, "unshared free text never reaches the team"
    for _ in range(4):
        other = active_mentorship(tenant.organisation, programme=first.programme)
        services.meeting_feedback_submit(
            feedback=ask(other),
            author=other.mentee,
            rating=5,
            custom={f"q_{scale.pk}": 4, f"q_{single.pk}": "Call", f"q_{text.pk}": "shared words"},
            shared=True,
            now=timezone.now(),
        )
    results = manager.get(url).content.decode()
    assert "Average 3.6 from 5 answers." in results
    assert "Call: 4; Café: 1" in results
    assert "shared words" in results and "private" not in results
    delete = reverse(
        "survey_question_delete", args=[tenant.organisation.slug, first.programme.slug, text.pk]
    )
    assert client_for(tenant.participant).post(delete).status_code == 403
    assert manager.post(delete).status_code == 302
    assert not SurveyQuestion.objects.filter(pk=text.pk).exists()
