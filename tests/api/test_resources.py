"""What an API caller sees: pages and cursors, the one error shape, writes through the
services, feedback aggregates, rate limits and bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from openmentor.feedback.models import MentorshipRating
from openmentor.matching.models import MatchingRun
from openmentor.organisations.models import Membership, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.api.helpers import ApiClient, token_for
from tests.conftest import Tenant
from tests.factories import MembershipFactory, ProgrammeFactory
from tests.scenarios import active_mentorship, enrolling_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(tenant: Tenant) -> ApiClient:
    return ApiClient(token_for(tenant.owner)[1])


def _all_pages(api: ApiClient, path: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    pages = 0
    while True:
        body = api.get(path, params).json()
        pages += 1
        rows += body["items"]
        if body["next_cursor"] is None:
            return rows, pages
        params["cursor"] = body["next_cursor"]


def test_cursor_pages_give_every_participant_once_in_order(tenant: Tenant, api: ApiClient) -> None:
    members = MembershipFactory.create_batch(22, organisation=tenant.organisation)
    Profile.objects.create(
        organisation=tenant.organisation, user=members[0].user, department="Finance"
    )
    rows, pages = _all_pages(api, "/api/v1/participants", limit=5)
    assert pages == 5  # 25 people (22 and the tenant's three), 5 a page
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids) and len(set(ids)) == 25
    by_id = {row["id"]: row for row in rows}
    assert by_id[members[0].user_id]["department"] == "Finance"
    assert by_id[tenant.owner.user_id]["role"] == "owner"
    assert by_id[tenant.owner.user_id]["email"] == tenant.owner.user.email


def test_filters_narrow_the_list(tenant: Tenant, api: ApiClient) -> None:
    body = api.get("/api/v1/participants", {"role": "manager"}).json()
    assert [row["id"] for row in body["items"]] == [tenant.manager.user_id]
    body = api.get("/api/v1/participants", {"email": tenant.participant.user.email.upper()})
    assert [row["id"] for row in body.json()["items"]] == [tenant.participant.user_id]


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"limit": 0}, 422, "invalid", "limit"),
        ({"limit": 201}, 422, "invalid", "limit"),
        ({"limit": "many"}, 422, "invalid", "limit"),
        ({"cursor": "not-a-cursor"}, 422, "invalid", "cursor"),
        ({"cursor": "z" * 13}, 422, "invalid", "cursor"),
        ({"role": "admin"}, 422, "invalid", "role"),
        ({"stauts": "active"}, 422, "invalid", "request"),
    ],
)
def test_bad_query_parameters_get_the_one_error_shape(
    api: ApiClient, params: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = api.get("/api/v1/participants", params)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert [d["field"] for d in error["details"]] == [field]


def test_creating_a_programme_goes_through_the_service(tenant: Tenant, api: ApiClient) -> None:
    response = api.post(
        "/api/v1/programmes",
        {
            "name": "Leaders 2027",
            "kind": "group",
            "starts_on": "2027-01-10",
            "ends_on": "2027-06-30",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["kind"] == "group" and body["slug"]
    programme = Programme.objects.get(pk=body["id"])
    assert programme.organisation == tenant.organisation
    assert programme.created_by == tenant.owner.user
    assert api.get(f"/api/v1/programmes/{programme.pk}").json()["name"] == "Leaders 2027"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "name"),
        ({"name": ""}, 422, "name"),
        ({"name": "X", "kind": "solo"}, 422, "kind"),
        ({"name": "X", "mentors_per_mentee": 4}, 422, "mentors_per_mentee"),
        ({"name": "X", "starts_on": "2027-06-30", "ends_on": "2027-01-10"}, 400, "ends_on"),
    ],
)
def test_bad_programmes_are_refused_and_nothing_is_written(
    api: ApiClient, body: dict[str, Any], status: int, field: str
) -> None:
    response = api.post("/api/v1/programmes", body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["details"][0]["field"] == field
    assert not Programme.objects.exists()


def test_a_body_that_is_not_json_is_refused(api: ApiClient) -> None:
    response = api.client.post(
        "/api/v1/programmes", "{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code in (400, 422)
    assert "error" in response.json()
    assert not Programme.objects.exists()


def test_deciding_an_enrolment(tenant: Tenant, api: ApiClient) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    enrolment = scenario.mentees[0]
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.PENDING)
    url = f"/api/v1/enrolments/{enrolment.pk}/decision"
    response = api.post(url, {"approve": True})
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["participant_id"] == enrolment.user_id
    again = api.post(url, {"approve": False})
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "This enrolment was decided already."
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.ACTIVE


def test_starting_a_matching_run_and_refusing_a_second(
    tenant: Tenant, api: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation)
    scenario.programme.status = Programme.Status.MATCHING
    scenario.programme.save()
    MatchingRun.objects.create(programme=scenario.programme, status=MatchingRun.Status.RUNNING)
    response = api.post(f"/api/v1/programmes/{scenario.programme.pk}/matching-runs")
    assert response.status_code == 400
    assert "already running" in response.json()["error"]["message"]
    MatchingRun.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/programmes/{scenario.programme.pk}/matching-runs")
    assert response.status_code == 202, response.content
    run = MatchingRun.objects.get(pk=response.json()["id"])
    # The immediate task backend of the tests ran it once the request committed.
    assert run.status == MatchingRun.Status.DONE
    listed = api.get("/api/v1/matching-runs", {"programme_id": scenario.programme.pk}).json()
    assert [r["id"] for r in listed["items"]] == [run.pk]


def test_feedback_means_are_withheld_under_five_ratings(tenant: Tenant, api: ApiClient) -> None:
    programme = ProgrammeFactory(organisation=tenant.organisation, status="running")
    mentorships = [active_mentorship(tenant.organisation, programme=programme) for _ in range(5)]
    for i, mentorship in enumerate(mentorships):
        MentorshipRating.objects.create(
            mentorship=mentorship, author=mentorship.mentee, rating=3 + i % 3, moment="checkin"
        )
    MentorshipRating.objects.create(
        mentorship=mentorships[0], author=mentorships[0].mentee, rating=5, moment="ending"
    )
    body = api.get(f"/api/v1/programmes/{programme.pk}/feedback").json()
    assert body["checkin"] == {"ratings": 5, "mean": 3.8}
    assert body["ending"] == {"ratings": 1, "mean": None}


def test_mentorships_and_meetings_of_a_person(tenant: Tenant, api: ApiClient) -> None:
    ours = active_mentorship(tenant.organisation, mentee=tenant.participant)
    active_mentorship(tenant.organisation)
    body = api.get("/api/v1/mentorships", {"participant_id": tenant.participant.user_id}).json()
    assert [m["id"] for m in body["items"]] == [ours.pk]
    assert body["items"][0]["mentee_id"] == tenant.participant.user_id


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_a_token_over_its_rate_limit_gets_429_with_retry_after(tenant: Tenant) -> None:
    from django.core.cache import cache

    cache.clear()
    token, secret = token_for(tenant.owner)
    api = ApiClient(secret)
    statuses = [api.get("/api/v1/programmes").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/programmes")
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token of the same organisation has its own allowance.
    assert ApiClient(token_for(tenant.owner)[1]).get("/api/v1/programmes").status_code == 200
    cache.clear()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/participants",
        "/api/v1/enrolments",
        "/api/v1/mentorships",
        "/api/v1/meetings",
        "/api/v1/programmes",
    ],
)
def test_a_full_page_runs_a_bounded_number_of_queries(
    tenant: Tenant, api: ApiClient, path: str, django_assert_max_num_queries: Any
) -> None:
    programme = ProgrammeFactory(organisation=tenant.organisation, status="running")
    for _ in range(12):
        mentorship = active_mentorship(tenant.organisation, programme=programme)
        mentorship.meetings.create(starts_at=mentorship.created_at, duration_minutes=30)
        ProgrammeFactory(organisation=tenant.organisation)
    Membership.objects.filter(organisation=tenant.organisation).update(role=Role.PARTICIPANT)
    Membership.objects.filter(pk=tenant.owner.pk).update(role=Role.OWNER)
    # Token lookup, rate-limit cache (no query), the page; last_used_at once a minute.
    api.get(path)
    with django_assert_max_num_queries(3):
        body = api.get(path, {"limit": 200}).json()
    assert len(body["items"]) >= 12


def test_the_docs_page_and_schema_load_nothing_from_elsewhere(client: Any) -> None:
    from django.contrib.staticfiles import finders

    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset), asset
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]


def test_unknown_api_paths_answer_with_the_error_body(api: ApiClient) -> None:
    response = api.get("/api/v1/no-such-resource")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "when", ["0101-03-31T10:43:44+17:24", "2026-12-01T09:00:00", "9999-12-31T23:59:59-23:00"]
)
def test_meeting_times_with_any_offset_are_compared_in_utc(api: ApiClient, when: str) -> None:
    response = api.get("/api/v1/meetings", {"starts_after": when})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json()["error"]["details"][0]["field"] == "starts_after"
