"""Writes of manager-run matching: settings, runs, pins, swaps, publishing.

Each service is one transaction; e-mails leave on commit (`email_send` does that). The
engine itself (openmentor/matching/engine) is pure Python: this module only loads rows
(through problem.py), calls it and stores its JSON result on a MatchingRun.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.email import email_send
from openmentor.core.events import event_record
from openmentor.matching.engine import (
    EmbeddingUnavailable,
    ProblemError,
    load_problem,
    recommend,
    recommendations_to_dict,
    result_to_dict,
    solve,
)
from openmentor.matching.explain import why_lines
from openmentor.matching.models import MatchingPin, MatchingRun, MatchingSettings
from openmentor.matching.problem import (
    BuiltProblem,
    build_problem,
    engine_id,
    settings_for,
    user_id_of,
)
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme, Question
from openmentor.programmes.services import programme_require

logger = logging.getLogger(__name__)

COHORT = "cohort"
REMATCH = "rematch"
WEIGHT_FACTORS = ("skills", "goals", "bio", "availability", "seniority")
# Above this many people the settings page does not solve in the request (a preview at
# demo size takes well under a second; at 2,000 it would hold the page too long).
PREVIEW_MAX_PEOPLE = 2000
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
    from openmentor.programmes.services import programme_update

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
        kind="matching.settings_updated",
        data={"programme": programme.pk},
    )
    return match_settings


@dataclass
class Preview:
    """What the current settings would give if the engine ran now."""

    mentees: int = 0
    mentors: int = 0
    matched_percent: float | None = None
    mean_score: float | None = None
    seconds: float = 0.0
    skipped: str = ""


def _totals(result: dict[str, Any], mentees: int) -> tuple[float | None, float | None]:
    objective = result.get("objective") or {}
    matches = result.get("matches") or []
    matched = objective.get("mentees_matched")
    percent = (100.0 * matched / mentees) if mentees and matched is not None else None
    mean = (100.0 * sum(m["score"] for m in matches) / len(matches)) if matches else None
    return percent, mean


def matching_preview(*, programme: Programme) -> Preview:
    """Runs the engine in-process on the current problem, storing nothing (a dry run)."""
    built = build_problem(programme=programme)
    mentees, mentors = len(built.data["mentees"]), len(built.data["mentors"])
    preview = Preview(mentees=mentees, mentors=mentors)
    if mentees + mentors > PREVIEW_MAX_PEOPLE:
        preview.skipped = (
            f"With {mentees + mentors:,} people a preview would take too long here; "
            "run matching to see the effect."
        )
        return preview
    if not mentees or not mentors:
        preview.skipped = (
            "There is no one to match yet: no mentee waits for a mentor, or no mentor has room."
        )
        return preview
    started = time.perf_counter()
    try:
        result = result_to_dict(solve(load_problem(built.data)), timings=False)
    except (ProblemError, EmbeddingUnavailable) as error:
        preview.skipped = _engine_error_text(error)
        return preview
    preview.seconds = time.perf_counter() - started
    preview.matched_percent, preview.mean_score = _totals(result, mentees)
    return preview


# --- runs ---------------------------------------------------------------------------------


def run_kind(run: MatchingRun) -> str:
    return str((run.snapshot or {}).get("kind") or COHORT)


def _engine_error_text(error: Exception) -> str:
    if isinstance(error, EmbeddingUnavailable):
        return (
            "The language model that compares goals and bios could not be loaded on this "
            "server. Set the goals and bio weights to 0 to match without it, or ask your "
            "administrator to install it."
        )
    if isinstance(error, ProblemError):
        lines = error.errors[:5]
        return "The programme's data could not be matched: " + "; ".join(lines)
    return "Matching failed because of an unexpected error. Please try again."


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
                kind="matching.run_started",
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
        result = result_to_dict(solve(load_problem(built.data), progress=progress))
    except Exception as error:  # noqa: BLE001 - any engine failure must end as a message
        if not isinstance(error, (ProblemError, EmbeddingUnavailable)):
            logger.exception("matching run %s failed", run_id)
        _set_progress(
            run_id,
            status=MatchingRun.Status.FAILED,
            error=_engine_error_text(error),
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


# --- reviewing a proposal -------------------------------------------------------------------


def _pair(run: MatchingRun, mentee: str, mentor: str) -> dict[str, Any]:
    for match in (run.result or {}).get("matches") or []:
        if match["mentee"] == mentee and match["mentor"] == mentor:
            return dict(match)
    raise ValidationError("That pair is not in this proposal.")


def _require_reviewable(run: MatchingRun) -> None:
    if run.status != MatchingRun.Status.DONE:
        raise ValidationError(
            f"This proposal can no longer be changed ({run.get_status_display().lower()})."
        )


def _recount(result: dict[str, Any]) -> None:
    matches = result.get("matches") or []
    objective = result.setdefault("objective", {})
    objective["mentees_matched"] = len({m["mentee"] for m in matches})
    objective["matched_pairs"] = len(matches)
    objective["total_score"] = round(sum(m["score"] for m in matches), 6)


@transaction.atomic
def matching_pin_set(
    *, run: MatchingRun, actor: Membership, mentee: str, mentor: str, kind: str
) -> MatchingPin | None:
    """Locks a proposed pair (later runs keep it), forbids it (never proposed again; it
    leaves this proposal now) or clears the pin (kind "clear")."""
    _require_manager(run.programme, actor)
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    _require_reviewable(run)
    match = _pair(run, mentee, mentor)
    mentee_id, mentor_id = user_id_of(mentee), user_id_of(mentor)
    pins = MatchingPin.objects.filter(
        programme=run.programme, mentee_id=mentee_id, mentor_id=mentor_id
    )
    if kind == "clear":
        pins.delete()
        return None
    if kind not in MatchingPin.Kind.values:
        raise ValidationError("Choose lock or forbid.")
    pin, _ = MatchingPin.objects.update_or_create(
        programme=run.programme,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        defaults={"kind": kind, "created_by": actor.user},
    )
    if kind == MatchingPin.Kind.FORBID:
        # Forbidden from now on: take it out of this proposal too, so it cannot be published.
        result = dict(run.result)
        result["matches"] = [
            m for m in result["matches"] if not (m["mentee"] == mentee and m["mentor"] == mentor)
        ]
        result.setdefault("unmatched", []).append(
            {
                "mentee": mentee,
                "missing": 1,
                "reason": "pair forbidden by a manager: re-run to find another mentor",
            }
        )
        _recount(result)
        run.result = result
        run.save(update_fields=["result"])
    event_record(
        organisation=run.programme.organisation,
        actor=actor.user,
        kind=f"matching.pair_{kind}ed" if kind == "lock" else "matching.pair_forbidden",
        data={"run": run.pk, "mentee": mentee_id, "mentor": mentor_id, "score": match["score"]},
    )
    return pin


def _problem_with_proposal(run: MatchingRun, *, without_mentee: str) -> BuiltProblem:
    """The current problem with every other proposed pair locked, so that the engine's
    alternatives only name mentors with room left in this proposal."""
    requests = (run.snapshot or {}).get("rematch_requests") or {}
    built = build_problem(
        programme=run.programme,
        mentee_user_ids={int(k) for k in requests} if run_kind(run) == REMATCH else None,
        include_locks=False,
    )
    mentees = {m["id"] for m in built.data["mentees"]}
    mentors = {m["id"]: m["capacity"] for m in built.data["mentors"]}
    forbidden = {tuple(p) for p in built.data["forbidden_pairs"]}
    locked = []
    for match in (run.result or {}).get("matches") or []:
        pair = (match["mentee"], match["mentor"])
        if pair[0] == without_mentee or pair[0] not in mentees or pair[1] not in mentors:
            continue
        if pair in forbidden or mentors[pair[1]] <= 0:
            continue
        mentors[pair[1]] -= 1
        locked.append(list(pair))
    built.data["locked_pairs"] = sorted(locked)
    return built


def swap_alternatives(*, run: MatchingRun, mentee: str, top: int = 5) -> list[dict[str, Any]]:
    """The engine's best other mentors for a proposed mentee, who have room left once the
    rest of the proposal is counted (never the mentor they already have)."""
    if not any(m["mentee"] == mentee for m in (run.result or {}).get("matches") or []):
        raise ValidationError("That mentee is not in this proposal.")
    built = _problem_with_proposal(run, without_mentee=mentee)
    if mentee not in {m["id"] for m in built.data["mentees"]}:
        raise ValidationError("This mentee no longer waits for a mentor: re-run matching.")
    current = {m["mentor"] for m in run.result["matches"] if m["mentee"] == mentee}
    try:
        problem = load_problem(built.data)
        recs = recommend(problem, mentee_id=mentee, top=top + len(current))
    except (ProblemError, EmbeddingUnavailable) as error:
        raise ValidationError(_engine_error_text(error)) from error
    data = recommendations_to_dict("mentee", mentee, recs)["recommendations"]
    return [r for r in data if r["mentor"] not in current][:top]


@transaction.atomic
def matching_swap(
    *, run: MatchingRun, actor: Membership, mentee: str, old_mentor: str, new_mentor: str
) -> None:
    """Replaces a proposed mentor by one of the engine's alternatives and locks the new
    pair, so a re-run keeps the manager's choice."""
    _require_manager(run.programme, actor)
    run = (
        MatchingRun.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=run.pk)
    )
    _require_reviewable(run)
    _pair(run, mentee, old_mentor)
    chosen = next(
        (r for r in swap_alternatives(run=run, mentee=mentee) if r["mentor"] == new_mentor),
        None,
    )
    if chosen is None:
        raise ValidationError(
            "That mentor is not one of the alternatives any more (full, or not suitable)."
        )
    result = dict(run.result)
    result["matches"] = sorted(
        [m for m in result["matches"] if not (m["mentee"] == mentee and m["mentor"] == old_mentor)]
        + [
            {
                "mentee": mentee,
                "mentor": new_mentor,
                "score": chosen["score"],
                "locked": True,
                "swapped": True,
                "reasons": chosen["reasons"],
            }
        ],
        key=lambda m: (m["mentee"], m["mentor"]),
    )
    _recount(result)
    run.result = result
    run.save(update_fields=["result"])
    programme = run.programme
    MatchingPin.objects.filter(
        programme=programme,
        mentee_id=user_id_of(mentee),
        mentor_id=user_id_of(old_mentor),
        kind=MatchingPin.Kind.LOCK,
    ).delete()
    MatchingPin.objects.update_or_create(
        programme=programme,
        mentee_id=user_id_of(mentee),
        mentor_id=user_id_of(new_mentor),
        defaults={"kind": MatchingPin.Kind.LOCK, "created_by": actor.user},
    )
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind="matching.pair_swapped",
        data={
            "run": run.pk,
            "mentee": user_id_of(mentee),
            "from": user_id_of(old_mentor),
            "to": user_id_of(new_mentor),
        },
    )


# --- publishing -----------------------------------------------------------------------------


@dataclass
class Staleness:
    """What changed since the run, in plain words; empty when the proposal still holds."""

    changes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)


class ProposalStale(ValidationError):
    def __init__(self, staleness: Staleness) -> None:
        self.staleness = staleness
        super().__init__(staleness.changes)


def proposal_staleness(*, run: MatchingRun) -> Staleness:
    """Rebuilds what the engine would see now and compares it with what the run saw."""
    requests = (run.snapshot or {}).get("rematch_requests") or {}
    now = build_problem(
        programme=run.programme,
        mentee_user_ids={int(k) for k in requests} if run_kind(run) == REMATCH else None,
        include_locks=False,
    )
    before = run.snapshot or {}
    old_mentees: dict[str, int] = before.get("mentees") or {}
    old_mentors: dict[str, int] = before.get("mentors") or {}
    new_mentees: dict[str, int] = now.snapshot["mentees"]
    new_mentors: dict[str, int] = now.snapshot["mentors"]
    matches = (run.result or {}).get("matches") or []
    per_mentee: dict[str, int] = {}
    per_mentor: dict[str, int] = {}
    for m in matches:
        per_mentee[m["mentee"]] = per_mentee.get(m["mentee"], 0) + 1
        per_mentor[m["mentor"]] = per_mentor.get(m["mentor"], 0) + 1
    user_ids = {user_id_of(x) for x in {*old_mentees, *old_mentors, *new_mentees, *new_mentors}}
    full = {u.pk: u.name for u in User.objects.filter(pk__in=user_ids)}

    def name(eid: str) -> str:
        return full.get(user_id_of(eid), eid)

    changes: list[str] = []
    for eid, count in sorted(per_mentee.items()):
        wants = new_mentees.get(eid, 0)
        if eid not in new_mentees:
            changes.append(
                f"{name(eid)} no longer waits for a mentor (left the programme, or was "
                "matched in the meantime)."
            )
        elif wants < count:
            changes.append(f"{name(eid)} now needs only {wants} more mentor(s), not {count}.")
    for eid, count in sorted(per_mentor.items()):
        if eid not in new_mentors:
            changes.append(f"{name(eid)} is no longer an active mentor in the programme.")
        elif new_mentors[eid] < count:
            changes.append(
                f"{name(eid)} has room for {new_mentors[eid]} now, but the proposal gives "
                f"them {count}."
            )
    arrived = sorted(set(new_mentees) - set(old_mentees))
    if arrived:
        changes.append(
            f"{len(arrived)} new mentee(s) waiting since the run: "
            + ", ".join(name(e) for e in arrived[:10])
            + ("…" if len(arrived) > 10 else "")
            + "."
        )
    joined = sorted(set(new_mentors) - set(old_mentors))
    if joined:
        changes.append(
            f"{len(joined)} new mentor(s) since the run: "
            + ", ".join(name(e) for e in joined[:10])
            + ("…" if len(joined) > 10 else "")
            + "."
        )
    return Staleness(changes=changes)


def _introduce(mentorship: Mentorship, reasons: list[dict[str, Any]]) -> None:
    from openmentor.mentorships.services import mentorship_url

    url = settings.SITE_URL + mentorship_url(mentorship)
    programme = mentorship.programme
    for person, partner, role in (
        (mentorship.mentor, mentorship.mentee, "mentor"),
        (mentorship.mentee, mentorship.mentor, "mentee"),
    ):
        email_send(
            to=[person.email],
            subject=f"Why you were matched with {partner.name}",
            template="matching/email/introduction",
            context={
                "name": person.name,
                "partner_name": partner.name,
                "role": role,
                "programme_name": programme.name,
                "why": why_lines(reasons, viewer_role=role),
                "url": url,
            },
        )


@transaction.atomic
def matching_publish(*, run: MatchingRun, actor: Membership) -> list[Mentorship]:
    """Turns a proposal into mentorships, all or none, and introduces each pair by e-mail.

    Refused when the proposal is no longer current (ProposalStale lists what changed, and
    nothing is created) or when it was already published or replaced: the run row is
    locked, so a second manager publishing at the same moment waits and is then refused;
    the open-pair constraint on Mentorship is the backstop.
    """
    from openmentor.mentorships.services import mentorship_create, rematch_request_resolve

    _require_manager(run.programme, actor)
    locked = (
        MatchingRun.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "published_by")
        .get(pk=run.pk)
    )
    if locked.status == MatchingRun.Status.PUBLISHED:
        by = locked.published_by.name if locked.published_by else "another manager"
        raise ValidationError(f"This proposal was already published by {by}.")
    _require_reviewable(locked)
    programme_require(locked.programme, "match")
    staleness = proposal_staleness(run=locked)
    if staleness:
        raise ProposalStale(staleness)
    programme = locked.programme
    matches = (locked.result or {}).get("matches") or []
    if not matches:
        raise ValidationError("This proposal has no pairs to publish.")
    users = User.objects.in_bulk(
        {user_id_of(m["mentee"]) for m in matches} | {user_id_of(m["mentor"]) for m in matches}
    )
    requests = {
        int(k): v for k, v in ((locked.snapshot or {}).get("rematch_requests") or {}).items()
    }
    created: list[Mentorship] = []
    for match in matches:
        mentee = users[user_id_of(match["mentee"])]
        mentor = users[user_id_of(match["mentor"])]
        reasons = list(match.get("reasons") or [])
        try:
            if mentee.pk in requests:
                request = RematchRequest.objects.get(pk=requests[mentee.pk])
                resolved = rematch_request_resolve(
                    rematch_request=request,
                    manager=actor,
                    new_partner=mentor,
                    match_score=match["score"],
                    match_reasons=reasons,
                    notify=False,  # _introduce below says why they were matched
                )
                mentorship = resolved.new_mentorship
                assert mentorship is not None
            else:
                mentorship = mentorship_create(
                    programme=programme,
                    mentor=mentor,
                    mentee=mentee,
                    created_by=actor.user,
                    source=Mentorship.Source.MATCHING,
                    match_score=match["score"],
                    match_reasons=reasons,
                    notify=False,  # _introduce below says why they were matched
                )
        except ValidationError as error:
            raise ValidationError(
                f"{mentor.name} and {mentee.name} could not be paired: "
                + " ".join(error.messages)
                + " Nothing was published; re-run matching."
            ) from error
        _introduce(mentorship, reasons)
        created.append(mentorship)
    locked.status = MatchingRun.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor.user
    locked.save(update_fields=["status", "published_at", "published_by"])
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind="matching.published",
        data={
            "programme": programme.pk,
            "run": locked.pk,
            "kind": run_kind(locked),
            "mentorships": [m.pk for m in created],
            "pairs": [[m.mentee_id, m.mentor_id] for m in created],
        },
    )
    run.status = locked.status
    run.published_at = locked.published_at
    run.published_by = locked.published_by
    return created


__all__ = [
    "COHORT",
    "REMATCH",
    "Preview",
    "ProposalStale",
    "Staleness",
    "engine_id",
    "matching_pin_set",
    "matching_preview",
    "matching_publish",
    "matching_run_execute",
    "matching_run_start",
    "matching_settings_update",
    "matching_swap",
    "proposal_staleness",
    "run_kind",
    "swap_alternatives",
]
