"""A worker killed (SIGKILL, by its pid) in the middle of an import or a matching run, on
the database queue and on RQ: a new worker hands the work back within the bound,
nothing is half-written, and the work can be run again to the end.

Real `manage.py worker` processes run on the test database; a pause file holds the
work at a known point (openmentor.core.leases.fault_test_pause) until the test kills it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from openmentor.core.models import WorkerHeartbeat
from openmentor.matching.models import MatchingRun
from openmentor.people.models import ParticipantImport
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant, client_for
from tests.faults.processes import ROOT, alive, wait_for
from tests.imports.conftest import programme  # noqa: F401  (fixture)
from tests.imports.helpers import HEADER, check, csv_bytes, person, uploaded, url
from tests.matching.helpers import manager_client
from tests.matching.helpers import url as matching_url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db(transaction=True)

# Work a dead worker held is handed back within this many seconds of a new worker starting.
RECOVERY_BOUND_S = 20

QUEUES = ["db", pytest.param("rq", id="rq")]


@pytest.fixture(params=QUEUES)
def queue(request: pytest.FixtureRequest, settings: Any) -> str:
    kind = str(request.param)
    if kind == "rq":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("the RQ variant needs REDIS_URL (CI's PostgreSQL + Redis run sets it)")
        import django_rq
        from rq.registry import StartedJobRegistry

        rq_queue = django_rq.get_queue("default")
        rq_queue.empty()
        # Jobs of workers killed in an earlier run stay "started" until RQ's cleanup, which
        # would keep this run's queue from ever looking idle: start from a clean registry.
        rq_queue.connection.delete(StartedJobRegistry(queue=rq_queue).key)
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }
    else:
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
        }
    return kind


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Workers:
    """Starts `manage.py worker` processes on the test database; stops them at the end."""

    def __init__(self, queue: str, tmp_path: Path, media: Path) -> None:
        self.pause = tmp_path / "pause"
        self.emails = tmp_path / "emails"
        self.emails.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "openmentor.config.settings.test",
            "OPENMENTOR_TEST_SERVER_DB": str(connection.settings_dict["NAME"]),
            "OPENMENTOR_TEST_QUEUE": queue,
            "OPENMENTOR_FAULT_PAUSE_FILE": str(self.pause),
            "OPENMENTOR_EMAIL_DIR": str(self.emails),
            "OPENMENTOR_MEDIA_ROOT": str(media),
        }
        self.log = tmp_path / "workers.log"
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        before = set(WorkerHeartbeat.objects.values_list("pk", flat=True))
        with self.log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--tick-seconds", "2"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        wait_for(
            lambda: WorkerHeartbeat.objects.exclude(pk__in=before).exists(),
            timeout=60,
            what="the worker's first heartbeat",
        )
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def workers(queue: str, tmp_path: Path, media: Path) -> Iterator[Workers]:
    running = Workers(queue, tmp_path, media)
    yield running
    running.stop_all()


def kill(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert not alive(process.pid)


@pytest.mark.parametrize("mode", ["valid_only", "all_or_nothing"])
def test_an_import_whose_worker_dies_is_stuck_then_retried_to_the_end(
    tenant: Tenant,
    programme: Any,  # noqa: F811  (the fixture imported above)
    workers: Workers,
    mode: str,
) -> None:
    rows = 1200  # three batches of 500, 500 and 200
    client = client_for(tenant.manager)
    content = csv_bytes([HEADER, *[person(n) for n in range(rows)]])
    first = workers.start()
    # The worker reads the file and runs the dry run, as tasks.
    participant_import = uploaded(client, programme, content, mode=mode)

    def status_is(status: str) -> Callable[[], bool]:
        def reached() -> bool:
            participant_import.refresh_from_db()
            return participant_import.status == status

        return reached

    wait_for(status_is(ParticipantImport.Status.UPLOADED), timeout=60, what="the file read")
    assert check(client, participant_import).status_code == 302
    wait_for(status_is(ParticipantImport.Status.CHECKED), timeout=60, what="the dry run")
    workers.pause.touch()
    detail = url("import_detail", programme, participant_import.pk)
    assert client.post(detail, {"action": "start"}).status_code == 302

    def held_after_first_batch() -> bool:
        participant_import.refresh_from_db()
        if mode == "valid_only":
            return participant_import.processed_rows >= 500
        return bool(participant_import.worker_id)

    wait_for(held_after_first_batch, timeout=60, what="the first batch")
    time.sleep(0.3)  # (all or nothing) the batch is written inside the open transaction
    kill(first)
    enrolled_at_death = Enrolment.objects.filter(programme=programme).count()
    # Nothing half-written: whole batches only, and none at all for all or nothing.
    assert enrolled_at_death == (500 if mode == "valid_only" else 0)

    workers.pause.unlink()
    started = time.monotonic()
    workers.start()

    def stuck() -> bool:
        participant_import.refresh_from_db()
        return participant_import.status == ParticipantImport.Status.STUCK

    wait_for(stuck, timeout=RECOVERY_BOUND_S, what="the import to be handed back as stuck")
    assert time.monotonic() - started < RECOVERY_BOUND_S
    page = client.get(detail)
    assert "Retry the import" in page.text
    assert Enrolment.objects.filter(programme=programme).count() == enrolled_at_death
    if workers.env["OPENMENTOR_TEST_QUEUE"] == "db":
        from django_tasks_db.models import DBTaskResult

        assert not DBTaskResult.objects.filter(status="RUNNING").exists()

    assert client.post(detail, {"action": "retry"}).status_code == 302

    def done() -> bool:
        participant_import.refresh_from_db()
        return participant_import.status == ParticipantImport.Status.DONE

    wait_for(done, timeout=120, what="the retried import to finish")
    # Every row once: rows imported before the death are not imported twice.
    assert Enrolment.objects.filter(programme=programme).count() == rows
    assert (
        Enrolment.objects.filter(programme=programme).values("user_id").distinct().count() == rows
    )
    assert list(workers.emails.iterdir()) == [], "an import sends no e-mail"


def test_a_matching_run_whose_worker_dies_fails_with_a_message_and_runs_again(
    tenant: Tenant, workers: Workers
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=3)
    client = manager_client(scenario)
    first = workers.start()
    workers.pause.touch()
    assert client.post(matching_url("matching_run_start", scenario.programme)).status_code == 302
    run = MatchingRun.objects.get(programme=scenario.programme)

    def held() -> bool:
        run.refresh_from_db()
        return run.status == MatchingRun.Status.RUNNING and run.stage == "Scoring pairs"

    wait_for(held, timeout=60, what="the run to start scoring")
    kill(first)
    # A new run is refused while the dead one still counts as running.
    refused = client.post(matching_url("matching_run_start", scenario.programme), follow=True)
    assert "already running" in refused.text

    workers.pause.unlink()
    started = time.monotonic()
    workers.start()

    def failed() -> bool:
        run.refresh_from_db()
        return run.status == MatchingRun.Status.FAILED

    wait_for(failed, timeout=RECOVERY_BOUND_S, what="the run to be failed")
    assert time.monotonic() - started < RECOVERY_BOUND_S
    assert "Run matching again" in run.error
    assert run.result == {}  # nothing half-written
    page = client.get(matching_url("matching_home", scenario.programme))
    assert "worker running this matching stopped" in page.text

    assert client.post(matching_url("matching_run_start", scenario.programme)).status_code == 302
    again = MatchingRun.objects.filter(programme=scenario.programme).order_by("-pk").first()
    assert again is not None and again.pk != run.pk

    def proposal() -> bool:
        again.refresh_from_db()
        return again.status == MatchingRun.Status.DONE

    wait_for(proposal, timeout=120, what="the new run's proposal")
    assert len(again.result["matches"]) == 3
    assert list(workers.emails.iterdir()) == [], "nothing is e-mailed before publishing"
    assert Client().get("/healthz").json()["checks"]["stale_work"] == {"ok": True}
