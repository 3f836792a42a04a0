"""Background work of manager-run matching (the Tasks API of django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def matching_run_task(*, run_id: int) -> None:
    """Runs one queued MatchingRun; see services.matching_run_execute."""
    from openmentor.matching.services.runs import matching_run_execute

    matching_run_execute(run_id=run_id)
