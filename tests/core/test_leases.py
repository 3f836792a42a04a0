"""Task leases: work whose worker is gone is handed back, and /healthz says so."""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openmentor.core import leases
from openmentor.core.models import WorkerHeartbeat
from openmentor.core.progress import progress_set
from openmentor.core.scheduler import heartbeat_beat
from openmentor.matching.models import MatchingRun
from openmentor.people.models import ParticipantImport
from tests.conftest import Tenant
from tests.imports.conftest import _media_in_tmp, programme  # noqa: F401  (fixtures)
from tests.imports.helpers import HEADER, check, csv_bytes, person, uploaded, url
from tests.matching.helpers import manager_client
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def dead_worker_here() -> str:
    """The id a worker of this host had, whose process has exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()[:40]}:{process.pid}:dead"


def silent_worker_elsewhere(seconds_ago: int) -> str:
    worker_id = f"other-host:4242:{seconds_ago}"
    progress_set(f"worker-beat:{worker_id}", int(time.time()) - seconds_ago)
    return worker_id


def test_a_dead_workers_import_becomes_stuck_and_a_manager_retries_it(
    tenant: Tenant,
    programme: Any,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.conftest import client_for

    client = client_for(tenant.manager)
    content = csv_bytes([HEADER, *[person(n) for n in range(3)]])
    participant_import = uploaded(client, programme, content)
    assert check(client, participant_import).status_code == 302
    ParticipantImport.objects.filter(pk=participant_import.pk).update(
        status=ParticipantImport.Status.IMPORTING, worker_id=dead_worker_here()
    )
    health = Client().get("/healthz").json()["checks"]["stale_work"]
    assert health == {
        "ok": False,
        "error": "StaleWork",
        "stale": {"participant_import": [participant_import.pk]},
    }

    assert leases.reclaim() == {"participant_import": 1}
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.STUCK
    assert "Nothing was imported" in participant_import.error
    page = client.get(url("import_detail", programme, participant_import.pk))
    assert "worker running this import stopped" in page.text
    assert "Retry the import" in page.text
    assert Client().get("/healthz").json()["checks"]["stale_work"] == {"ok": True}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("import_detail", programme, participant_import.pk), {"action": "retry"}
        )
    assert response.status_code == 302
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.DONE
    assert participant_import.created_count == 3
    # A second retry is refused with a message, not a server error.
    again = client.post(url("import_detail", programme, participant_import.pk), {"action": "retry"})
    assert again.status_code == 400 and "Only a stuck import" in again.text


def test_a_dead_workers_matching_run_fails_with_a_message_and_can_run_again(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.matching.helpers import run_matching

    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=2)
    stuck = MatchingRun.objects.create(
        programme=scenario.programme,
        status=MatchingRun.Status.RUNNING,
        progress=0.77,
        worker_id=silent_worker_elsewhere(seconds_ago=300),
    )
    assert leases.reclaim() == {"matching_run": 1}
    stuck.refresh_from_db()
    assert stuck.status == MatchingRun.Status.FAILED
    assert "Run matching again" in stuck.error
    run = run_matching(
        manager_client(scenario), scenario.programme, django_capture_on_commit_callbacks
    )
    assert run.pk != stuck.pk and run.status == MatchingRun.Status.DONE


def test_work_of_a_live_worker_is_left_alone(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    run = MatchingRun.objects.create(
        programme=scenario.programme,
        status=MatchingRun.Status.RUNNING,
        worker_id=silent_worker_elsewhere(seconds_ago=2),
    )
    assert leases.reclaim() == {}
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.RUNNING


def test_healthz_counts_only_live_workers() -> None:
    dead_here, silent, live = dead_worker_here(), silent_worker_elsewhere(600), "live-one"
    for worker_id in (dead_here, silent, live):
        heartbeat_beat(worker_id=worker_id, started_at=timezone.now())
    leases.beat(live)
    body = Client().get("/healthz").json()
    assert body["checks"]["worker"]["workers"] == 1
    leases.beat("live-two")
    WorkerHeartbeat.objects.filter(worker_id=live).update(worker_id="live-two")
    assert Client().get("/healthz").json()["checks"]["worker"]["workers"] == 1
