"""Publishing a reviewed proposal: staleness checks, then one mentorship per pair and the
introduction e-mails, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.matching.constants import REMATCH
from openmentor.matching.explain import why_lines
from openmentor.matching.models import MatchingRun
from openmentor.matching.problem import (
    build_problem,
    user_id_of,
)
from openmentor.matching.selectors import run_kind
from openmentor.matching.services.proposals import _require_reviewable
from openmentor.matching.services.runs import _require_manager
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.organisations.models import Membership
from openmentor.programmes.services.lifecycle import programme_require

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
    from openmentor.mentorships.services.lifecycle import mentorship_url

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
    from openmentor.mentorships.services.lifecycle import mentorship_create, rematch_request_resolve

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
        kind=EventKind.MATCHING_PUBLISHED,
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
