"""Reviewing a proposal before it is published: pins (lock or forbid a pair) and swaps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openmentor.core.events import EventKind, event_record
from openmentor.matching import selectors
from openmentor.matching.models import MatchingPin, MatchingRun
from openmentor.matching.problem import (
    user_id_of,
)
from openmentor.matching.services.runs import _require_manager
from openmentor.organisations.models import Membership

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
        kind=EventKind.MATCHING_PAIR_LOCKED
        if kind == "lock"
        else EventKind.MATCHING_PAIR_FORBIDDEN,
        data={"run": run.pk, "mentee": mentee_id, "mentor": mentor_id, "score": match["score"]},
    )
    return pin


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
        (
            r
            for r in selectors.swap_alternatives(run=run, mentee=mentee)
            if r["mentor"] == new_mentor
        ),
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
        kind=EventKind.MATCHING_PAIR_SWAPPED,
        data={
            "run": run.pk,
            "mentee": user_id_of(mentee),
            "from": user_id_of(old_mentor),
            "to": user_id_of(new_mentor),
        },
    )
