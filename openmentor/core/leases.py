"""Leases on long work, so that work a dead worker held is noticed and handed back.

Each worker process has an id ("<host>:<pid>:<token>") and a beat thread that writes the
time every WORKER_BEAT_SECONDS to the shared progress store (Redis when REDIS_URL is set,
else a file under var/; openmentor.core.progress). Not the database: an all-or-nothing
import holds SQLite's only write lock for minutes, and the beat must not wait on it.

Work in progress (a participant import, a matching run) records the id of the worker
that runs it. The worker is gone when its beat is older than TASK_LEASE_SECONDS, or at
once when it ran on this host and its pid no longer exists. `reclaim()` hands such work
back through the `give_up` function each kind registers (see docs/decisions/): every
worker calls it when it starts and once a minute, and /healthz counts what is stale.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from openmentor.core.progress import progress_get, progress_set

logger = logging.getLogger(__name__)

_current: str = ""


class WorkerGone(Exception):
    """Recorded on the task rows of work whose worker died."""


@dataclass(frozen=True)
class WorkKind:
    name: str
    # (primary key, worker id) of every item a worker has claimed and not finished.
    running: Callable[[], list[tuple[int, str]]]
    # Marks one item as stuck or failed; returns False when it had moved on meanwhile.
    give_up: Callable[[int, str], bool]


_kinds: dict[str, WorkKind] = {}


def work_kind(kind: WorkKind) -> None:
    _kinds[kind.name] = kind


def _beat_key(worker_id: str) -> str:
    return f"worker-beat:{worker_id}"


def worker_id_new() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def current_worker_id() -> str:
    """This process's worker id, or "" outside a worker (tasks run inline in tests)."""
    return _current


def beat(worker_id: str) -> None:
    progress_set(_beat_key(worker_id), int(time.time()))


def worker_begin(worker_id: str, stop: threading.Event) -> threading.Thread:
    """Makes this process a worker: beats now and then every WORKER_BEAT_SECONDS."""
    global _current
    _current = worker_id
    beat(worker_id)

    def loop() -> None:
        while not stop.wait(settings.WORKER_BEAT_SECONDS):
            try:
                beat(worker_id)
            except Exception:
                logger.exception("worker beat failed")

    thread = threading.Thread(target=loop, name="worker-beat", daemon=True)
    thread.start()
    return thread


def _pid_gone(worker_id: str) -> bool:
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False  # another machine's worker: only its beat can tell
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def worker_alive(worker_id: str) -> bool:
    if not worker_id:
        return True  # not claimed by a worker (inline run): nothing to reclaim
    if worker_id == _current:
        return True
    if _pid_gone(worker_id):
        return False
    last = progress_get(_beat_key(worker_id))
    return bool(last) and time.time() - last <= settings.TASK_LEASE_SECONDS


def stale_work() -> dict[str, list[int]]:
    """Per kind, the items whose worker is gone."""
    stale: dict[str, list[int]] = {}
    for name, kind in sorted(_kinds.items()):
        dead = [pk for pk, worker in kind.running() if not worker_alive(worker)]
        if dead:
            stale[name] = dead
    return stale


def reclaim() -> dict[str, int]:
    """Hands back every item whose worker is gone; returns how many, per kind."""
    done: dict[str, int] = {}
    for name, pks in stale_work().items():
        kind = _kinds[name]
        workers = dict(kind.running())
        count = 0
        for pk in pks:
            try:
                if kind.give_up(pk, workers.get(pk, "")):
                    count += 1
                    logger.warning(
                        "reclaimed work of a dead worker", extra={"kind": name, "pk": pk}
                    )
            except Exception:
                logger.exception("reclaiming failed", extra={"kind": name, "pk": pk})
        done[name] = count
    return done


def fault_test_pause() -> None:
    """For the fault tests only: holds work here while the file named by the setting
    FAULT_TEST_PAUSE_FILE exists, so a test can kill the worker in the middle of it.
    Unset (always, outside the fault tests) it costs one getattr."""
    path = getattr(settings, "FAULT_TEST_PAUSE_FILE", "")
    while path and os.path.exists(path):
        time.sleep(0.05)


def task_rows_fail(task_path: str, kwarg: str, value: int, reason: str) -> None:
    """Marks the database queue's RUNNING rows of this task and item as failed, so the
    queue's own view agrees (RQ moves the jobs of a dead worker aside by itself)."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status="RUNNING", task_path=task_path)
    for row in rows:
        if (row.args_kwargs or {}).get("kwargs", {}).get(kwarg) == value:
            DBTaskResult.objects.filter(pk=row.pk, status="RUNNING").update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path="openmentor.core.leases.WorkerGone",
                traceback=reason,
            )
