"""Running matching: the task writes progress and a proposal, or a readable failure."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError

from openmentor.matching.engine import EmbeddingUnavailable
from openmentor.matching.models import MatchingRun
from openmentor.matching.services import runs as matching_runs
from tests.conftest import Tenant
from tests.factories import MatchingRunFactory
from tests.matching.helpers import manager_client, run_matching, url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def test_run_writes_progress_and_shows_the_proposal(
    tenant: Tenant, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=4)
    seen: list[tuple[float, str]] = []
    real = matching_runs._set_progress

    def spy(run_id: int, **values: Any) -> None:
        seen.append((values.get("progress", -1), values.get("status", "")))
        real(run_id, **values)

    monkeypatch.setattr(matching_runs, "_set_progress", spy)
    monkeypatch.setattr(matching_runs, "PROGRESS_INTERVAL_S", 0.0)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    assert run.status == MatchingRun.Status.DONE
    assert run.progress == 1.0 and run.finished_at is not None
    # Progress rose while running, and the last write finished the run.
    progresses = [p for p, _ in seen if p >= 0]
    assert progresses == sorted(progresses) and len(progresses) >= 3
    assert seen[-1][1] == MatchingRun.Status.DONE
    assert set(run.snapshot["mentees"]) == {f"u{e.user_id}" for e in scenario.mentees}
    page = client.get(url("matching_home", scenario.programme))
    html = page.content.decode()
    assert "Proposed pairs (4)" in html
    assert "They both work on" in html and "You both" not in html  # about the pair
    assert "100 % of mentees matched" in html.replace("\n", " ") or "100 %" in html
    assert "Fairness audit" in html


def test_progress_fragment_polls_while_running_and_refreshes_when_done(
    tenant: Tenant,
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    run = MatchingRunFactory(
        programme=scenario.programme, status=MatchingRun.Status.RUNNING, progress=0.4
    )
    client = manager_client(scenario)
    fragment = client.get(
        url("matching_run_progress", scenario.programme, run.pk), HTTP_HX_REQUEST="true"
    )
    html = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    assert "HX-Refresh" not in fragment
    MatchingRun.objects.filter(pk=run.pk).update(status=MatchingRun.Status.DONE, progress=1)
    done = client.get(
        url("matching_run_progress", scenario.programme, run.pk), HTTP_HX_REQUEST="true"
    )
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_engine_failure_is_a_message_not_a_500(
    tenant: Tenant, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=2)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise EmbeddingUnavailable("no model")

    monkeypatch.setattr(matching_runs, "solve", broken)
    client = manager_client(scenario)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("matching_run_start", scenario.programme))
    response = client.get(url("matching_home", scenario.programme))
    assert response.status_code == 200
    run = MatchingRun.objects.get(programme=scenario.programme)
    assert run.status == MatchingRun.Status.FAILED
    assert "language model" in run.error
    assert "language model" in response.content.decode()


def test_unexpected_engine_error_fails_the_run_politely(
    tenant: Tenant, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=2)
    monkeypatch.setattr(matching_runs, "solve", lambda *a, **k: 1 / 0)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    assert run.status == MatchingRun.Status.FAILED
    assert "unexpected error" in run.error


def test_only_one_run_at_a_time(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    MatchingRunFactory(programme=scenario.programme, status=MatchingRun.Status.RUNNING)
    client = manager_client(scenario)
    response = client.post(url("matching_run_start", scenario.programme), follow=True)
    assert "already running" in response.content.decode()
    assert MatchingRun.objects.filter(programme=scenario.programme).count() == 1
    with pytest.raises(IntegrityError):
        MatchingRunFactory(programme=scenario.programme, status=MatchingRun.Status.QUEUED)


def test_a_run_already_taken_by_another_worker_is_not_run_twice(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    run = MatchingRunFactory(
        programme=scenario.programme, status=MatchingRun.Status.RUNNING, progress=0.3
    )
    matching_runs.matching_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.RUNNING and run.progress == 0.3


def test_participants_and_other_organisations_cannot_reach_runs(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.conftest import client_for

    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    run = run_matching(
        manager_client(scenario), scenario.programme, django_capture_on_commit_callbacks
    )
    page = url("matching_run", scenario.programme, run.pk)
    assert client_for(tenant.participant).get(page).status_code == 403
    assert client_for(other_tenant.manager).get(page).status_code == 404
    # Another programme's run through this programme's URL: 404.
    other = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    assert (
        manager_client(scenario).get(url("matching_run", other.programme, run.pk)).status_code
        == 404
    )
    foreign = enrolling_programme(other_tenant.organisation, mentors=1, mentees=1)
    foreign_run = MatchingRunFactory(programme=foreign.programme, status=MatchingRun.Status.DONE)
    assert (
        manager_client(scenario)
        .post(
            url("matching_publish", scenario.programme, foreign_run.pk),
        )
        .status_code
        == 404
    )
