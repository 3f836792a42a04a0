"""Writes of manager-run matching: per-programme settings, the preview, and runs.

Each service is one transaction; e-mails leave on commit (`email_send` does that). The
engine itself (openmentor/matching/engine) is pure Python: this module only loads rows
(through problem.py), calls it and stores its JSON result on a MatchingRun.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openmentor.core.events import EventKind, event_record
from openmentor.matching.constants import COHORT, REMATCH
from openmentor.matching.engine import (
    EmbeddingUnavailable,
    ProblemError,
    load_problem,
    result_to_dict,
    solve,
)
from openmentor.matching.explain import engine_error_text
from openmentor.matching.models import MatchingRun, MatchingSettings
from openmentor.matching.problem import (
    build_problem,
    engine_options,
    settings_for,
)
from openmentor.matching.selectors import run_kind
from openmentor.mentorships.models import RematchRequest
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme, Question
from openmentor.programmes.services.lifecycle import programme_require

logger = logging.getLogger(__name__)

WEIGHT_FACTORS = ("skills", "goals", "bio", "availability", "seniority")
# Above this many people the settings page does not solve in the request (a preview at
# demo size takes well under a second; at 2,000 it would hold the page too long).
# Progress is written at most this often: each write is a database round trip.
PROGRESS_INTERVAL_S = 0.25


def _require_manager(programme: Programme, actor: Membership) -> None:
    if not actor.is_manager or actor.organisation_id != programme.organisation_id:
        raise PermissionDenied


# --- settings -----------------------------------------------------------------------------


@transaction.atomic
def matching_settings_update(
    *, programme: Programme, actor: Membership, values: dict[str, Any]
) -> MatchingSettings:
    """Saves the programme's matching controls, question weights and the programme's
    mentors-per-mentee and default capacity (the latter two through the programmes
    service, which keeps them fixed once matching has started)."""
    from openmentor.programmes.services.lifecycle import programme_update

    _require_manager(programme, actor)
    found = MatchingSettings.objects.select_for_update().filter(programme=programme).first()
    match_settings = found or settings_for(programme)
    match_settings.weights = {
        name: float(values[f"weight_{name}"])
        for name in WEIGHT_FACTORS
        if values.get(f"weight_{name}") is not None
    }
    for name in (
        "require_common_language",
        "max_timezone_gap_hours",
        "min_availability_overlap_minutes",
        "same_department",
        "forbid_reporting_line",
        "require_junior_mentor",
        "candidates_per_mentee",
        "recommendations_shown",
        "max_open_requests",
        "response_days",
    ):
        if name in values:
            setattr(match_settings, name, values[name])
    if values.get("min_score_percent") is not None:
        match_settings.min_score = float(values["min_score_percent"]) / 100
    match_settings.updated_by = actor.user
    match_settings.full_clean(exclude=["programme"])
    match_settings.save()
    for question_id, weight in (values.get("question_weights") or {}).items():
        Question.objects.filter(programme=programme, pk=question_id, feeds_matching=True).update(
            matching_weight=float(weight)
        )
    programme_values = {
        k: values[k] for k in ("mentors_per_mentee", "default_mentor_capacity") if k in values
    }
    if programme_values:
        programme_update(programme=programme, actor=actor, values=programme_values)
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.MATCHING_SETTINGS_UPDATED,
        data={"programme": programme.pk},
    )
    return match_settings


# --- runs ---------------------------------------------------------------------------------


def matching_run_start(
    *, programme: Programme, actor: Membership, rematch: bool = False
) -> MatchingRun:
    """Queues a run of the engine (after commit). Refused while another run is queued or
    running (a database constraint). The previous proposal of the same kind is superseded,
    while pins (locks and forbids) stay for the new run."""
    _require_manager(programme, actor)
    programme_require(programme, "match")
    snapshot: dict[str, Any] = {"kind": REMATCH if rematch else COHORT}
    if rematch:
        requests = {
            str(requester): pk
            for pk, requester in RematchRequest.objects.filter(
                programme=programme, status=RematchRequest.Status.OPEN, role="mentee"
            ).values_list("pk", "requester_id")
        }
        if not requests:
            raise ValidationError("No mentee is waiting for a new match.")
        snapshot["rematch_requests"] = requests
    try:
        with transaction.atomic():
            for previous in MatchingRun.objects.select_for_update().filter(
                programme=programme, status=MatchingRun.Status.DONE
            ):
                if run_kind(previous) == snapshot["kind"]:
                    previous.status = MatchingRun.Status.SUPERSEDED
                    previous.save(update_fields=["status"])
            run = MatchingRun.objects.create(
                programme=programme,
                started_by=actor.user,
                status=MatchingRun.Status.QUEUED,
                stage="Waiting for a worker",
                snapshot=snapshot,
            )
            event_record(
                organisation=programme.organisation,
                actor=actor.user,
                kind=EventKind.MATCHING_RUN_STARTED,
                data={"programme": programme.pk, "run": run.pk, "kind": snapshot["kind"]},
            )
            run_id = run.pk
            transaction.on_commit(lambda: _enqueue(run_id))
    except IntegrityError as error:
        raise ValidationError(
            "Matching is already running for this programme. Wait for it to finish."
        ) from error
    return run


def _enqueue(run_id: int) -> None:
    from openmentor.matching.tasks import matching_run_task

    matching_run_task.enqueue(run_id=run_id)


def _set_progress(run_id: int, **values: Any) -> None:
    # Only while running: a run handed back as failed (its worker thought dead) stays so.
    MatchingRun.objects.filter(pk=run_id, status=MatchingRun.Status.RUNNING).update(**values)


WORKER_GONE_MESSAGE = (
    "The worker running this matching stopped before it finished (it may have been "
    "restarted). Nothing was changed. Run matching again."
)


def _running_runs() -> list[tuple[int, str]]:
    return list(
        MatchingRun.objects.filter(status=MatchingRun.Status.RUNNING)
        .exclude(worker_id="")
        .values_list("pk", "worker_id")
    )


def _run_give_up(run_id: int, worker_id: str) -> bool:
    """A dead worker's run fails with a message, which frees the programme for a new run."""
    from openmentor.core.leases import task_rows_fail

    with transaction.atomic():
        moved = MatchingRun.objects.filter(
            pk=run_id, status=MatchingRun.Status.RUNNING, worker_id=worker_id
        ).update(
            status=MatchingRun.Status.FAILED,
            error=WORKER_GONE_MESSAGE,
            stage="Failed",
            finished_at=timezone.now(),
        )
        if moved:
            task_rows_fail(
                "openmentor.matching.tasks.matching_run_task", "run_id", run_id, "worker stopped"
            )
    return bool(moved)


def _register_work_kind() -> None:
    from openmentor.core.leases import WorkKind, work_kind

    work_kind(WorkKind(name="matching_run", running=_running_runs, give_up=_run_give_up))


_register_work_kind()


def matching_run_execute(*, run_id: int) -> None:
    """Runs a queued run: builds the problem, solves it writing progress, stores the
    result and the snapshot (status done), or a readable error (status failed)."""
    from openmentor.core.leases import current_worker_id, fault_test_pause

    started = MatchingRun.objects.filter(pk=run_id, status=MatchingRun.Status.QUEUED).update(
        status=MatchingRun.Status.RUNNING,
        worker_id=current_worker_id(),
        started_at=timezone.now(),
        progress=0.02,
        stage="Reading profiles",
    )
    if not started:
        return  # already run by another worker, or deleted
    run = MatchingRun.objects.select_related("programme").get(pk=run_id)
    kind = run_kind(run)
    requests = (run.snapshot or {}).get("rematch_requests") or {}
    last_write = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last_write[0] < PROGRESS_INTERVAL_S and fraction < 1:
            return
        last_write[0] = now
        _set_progress(run_id, progress=0.05 + 0.9 * max(0.0, min(1.0, fraction)), stage="Matching")

    try:
        built = build_problem(
            programme=run.programme,
            mentee_user_ids={int(k) for k in requests} if kind == REMATCH else None,
        )
        _set_progress(run_id, progress=0.05, stage="Scoring pairs")
        fault_test_pause()
        result = result_to_dict(
            solve(load_problem(built.data), progress=progress, **engine_options())
        )
    except Exception as error:  # noqa: BLE001 - any engine failure must end as a message
        if not isinstance(error, (ProblemError, EmbeddingUnavailable)):
            logger.exception("matching run %s failed", run_id)
        _set_progress(
            run_id,
            status=MatchingRun.Status.FAILED,
            error=engine_error_text(error),
            finished_at=timezone.now(),
            stage="Failed",
        )
        return
    snapshot = {**(run.snapshot or {}), **built.snapshot}
    _set_progress(
        run_id,
        status=MatchingRun.Status.DONE,
        progress=1.0,
        stage="Proposal ready",
        result=result,
        snapshot=snapshot,
        finished_at=timezone.now(),
    )
