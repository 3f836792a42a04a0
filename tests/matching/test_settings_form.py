"""Matching settings: every control, messages at the field, nothing saved on error,
and the dry-run preview of the effect."""

from __future__ import annotations

import pytest

from openmentor.matching.models import MatchingSettings
from openmentor.programmes.models import Programme
from tests.conftest import Tenant
from tests.factories import QuestionFactory
from tests.matching.helpers import manager_client, url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db

GOOD = {
    "weight_skills": "2",
    "weight_goals": "0",
    "weight_bio": "0",
    "weight_availability": "1.5",
    "weight_seniority": "0.5",
    "require_common_language": "on",
    "max_timezone_gap_hours": "6",
    "min_availability_overlap_minutes": "60",
    "same_department": "avoid",
    "forbid_reporting_line": "on",
    "min_score_percent": "20",
    "candidates_per_mentee": "40",
    "mentors_per_mentee": "1",
    "default_mentor_capacity": "3",
    "recommendations_shown": "4",
    "max_open_requests": "3",
    "response_days": "5",
}


def test_saving_updates_everything_and_shows_a_preview(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=3)
    question = QuestionFactory(
        programme=scenario.programme,
        kind="single",
        text="Format?",
        feeds_matching=True,
        choices=["remote", "office"],
        matching_weight=1,
    )
    client = manager_client(scenario)
    page = url("matching_settings", scenario.programme)
    assert "Weight of the question “Format?”" in client.get(page).content.decode()
    response = client.post(page, {**GOOD, f"question_{question.pk}": "3"})
    assert response.status_code == 302 and "preview=1" in response["Location"]
    saved = MatchingSettings.objects.get(programme=scenario.programme)
    assert saved.weights == {
        "skills": 2.0,
        "goals": 0.0,
        "bio": 0.0,
        "availability": 1.5,
        "seniority": 0.5,
    }
    assert (saved.max_timezone_gap_hours, saved.min_score, saved.same_department) == (
        6,
        0.2,
        "avoid",
    )
    assert (saved.recommendations_shown, saved.max_open_requests, saved.response_days) == (4, 3, 5)
    question.refresh_from_db()
    assert question.matching_weight == 3.0
    assert Programme.objects.get(pk=scenario.programme.pk).default_mentor_capacity == 3
    preview = client.get(response["Location"]).content.decode()
    assert "Effect on the next run" in preview and "of mentees matched now" in preview
    assert "<svg" in preview


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_skills", "7", "cannot be above 5"),
        ("weight_skills", "-1", "cannot be below 0"),
        ("weight_goals", "abc", "Give a weight from 0 to 5"),
        ("max_timezone_gap_hours", "20", "at most 14 hours"),
        ("min_availability_overlap_minutes", "99999", "10,080"),
        ("min_score_percent", "150", "cannot be above 100"),
        ("candidates_per_mentee", "0", "at least 1 mentor"),
        ("max_open_requests", "9", "at most 5 mentors at a time"),
        ("response_days", "0", "at least 1 day"),
        ("same_department", "sometimes", "allow, avoid or forbid"),
        ("mentors_per_mentee", "4", "at most 3 mentors"),
        ("default_mentor_capacity", "", "from 1 to 20"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_saved(
    tenant: Tenant, field: str, value: str, message: str
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    client = manager_client(scenario)
    response = client.post(url("matching_settings", scenario.programme), {**GOOD, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html
    assert f'value="{value}"' in html or value == "" or field == "same_department"
    saved = MatchingSettings.objects.filter(programme=scenario.programme).first()
    assert saved is None or saved.weights != {"skills": 2.0}
    assert Programme.objects.get(pk=scenario.programme.pk).default_mentor_capacity == 2


def test_all_weights_zero_is_refused(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    data = {
        **GOOD,
        **{f"weight_{n}": "0" for n in ("skills", "goals", "bio", "availability", "seniority")},
    }
    response = manager_client(scenario).post(url("matching_settings", scenario.programme), data)
    assert response.status_code == 400
    assert "at least one factor" in response.content.decode()


def test_mentors_per_mentee_is_fixed_once_matching_started(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    Programme.objects.filter(pk=scenario.programme.pk).update(status=Programme.Status.MATCHING)
    client = manager_client(scenario)
    page = client.get(url("matching_settings", scenario.programme)).content.decode()
    assert "Fixed once matching has started." in page
    client.post(url("matching_settings", scenario.programme), {**GOOD, "mentors_per_mentee": "3"})
    assert Programme.objects.get(pk=scenario.programme.pk).mentors_per_mentee == 1


def test_large_programme_skips_the_preview(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    from openmentor.matching import selectors as matching_selectors

    monkeypatch.setattr(matching_selectors, "PREVIEW_MAX_PEOPLE", 2)
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=2)
    page = manager_client(scenario).get(url("matching_settings", scenario.programme) + "?preview=1")
    assert "would take too long here" in page.content.decode()
