"""The worker process: runs queued tasks and, every minute, the scheduler tick.

With REDIS_URL set the queue is RQ (several workers may run); otherwise the database
backend's worker. Both stop cleanly on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from openmentor.core import leases
from openmentor.core.scheduler import heartbeat_beat, scheduler_tick

logger = logging.getLogger("openmentor.worker")


class Command(BaseCommand):
    help = "Run the task worker together with the once-a-minute scheduler."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tick-seconds", type=float, default=60.0)
        parser.add_argument(
            "--no-tasks", action="store_true", help="Run only the scheduler (for tests)."
        )

    def handle(self, *args: Any, tick_seconds: float, no_tasks: bool, **options: Any) -> None:
        worker_id = leases.worker_id_new()
        started_at = timezone.now()
        stop = threading.Event()
        leases.worker_begin(worker_id, stop)
        # Work a dead predecessor left behind is handed back before taking new work.
        try:
            reclaimed = leases.reclaim()
        except Exception:
            logger.exception("reclaiming stale work failed")
        else:
            if any(reclaimed.values()):
                logger.warning("reclaimed stale work at start", extra={"reclaimed": reclaimed})
        finally:
            close_old_connections()

        def scheduler_loop() -> None:
            while not stop.is_set():
                try:
                    heartbeat_beat(worker_id=worker_id, started_at=started_at)
                    scheduler_tick()
                except Exception:
                    logger.exception("scheduler tick failed")
                finally:
                    close_old_connections()
                stop.wait(tick_seconds)

        thread = threading.Thread(target=scheduler_loop, name="scheduler", daemon=True)
        thread.start()
        self.stdout.write(f"worker {worker_id} started (scheduler every {tick_seconds:g} s)")
        try:
            if no_tasks:
                signal.signal(signal.SIGTERM, lambda *_: stop.set())
                while not stop.wait(0.5):
                    pass
            elif str(settings.TASKS["default"]["BACKEND"]).endswith("RQBackend"):
                # SimpleWorker runs each job in this process rather than a forked child:
                # the lease (this process's beat) then dies with the work it covers.
                call_command(
                    "rqworker",
                    "default",
                    with_scheduler=False,
                    worker_class="rq.worker.SimpleWorker",
                    # django-tasks' own job class: RQ's plain Job cannot run a Task.
                    job_class="django_tasks_rq.backend.Job",
                )
            else:
                call_command("db_worker", queue_name="*", reload=False, verbosity=1)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            thread.join(timeout=5)
            self.stdout.write("worker stopped")
