"""Background tasks of participant imports (the Tasks API of django-tasks).

Each reads the stored file: a web request never parses a spreadsheet."""

from __future__ import annotations

from django_tasks import task

from openmentor.programmes.imports import services as importing


@task()
def participant_import_read_task(*, import_id: int) -> None:
    """Reads a stored upload; see importing.participant_import_read."""
    importing.participant_import_read(import_id=import_id)


@task()
def participant_import_check_task(*, import_id: int) -> None:
    """The dry run; see importing.participant_import_check_run."""
    importing.participant_import_check_run(import_id=import_id)


@task()
def participant_import_run_task(*, import_id: int) -> None:
    """Runs a started participant import; see importing.participant_import_run."""
    importing.participant_import_run(import_id=import_id)
