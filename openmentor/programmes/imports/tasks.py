"""Background tasks of the people app (the Tasks API of django-tasks)."""

from __future__ import annotations

from django_tasks import task

from openmentor.programmes.imports import services as importing


@task()
def participant_import_run_task(*, import_id: int) -> None:
    """Runs a started participant import; see importing.participant_import_run."""
    importing.participant_import_run(import_id=import_id)
