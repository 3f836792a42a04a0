"""Publishing a reviewed proposal: staleness checks, then one mentorship per pair and the
introduction e-mails, in one transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.matching import selectors
from openmentor.matching.explain import why_lines
from openmentor.matching.models import MatchingRun
from openmentor.matching.problem import (
    user_id_of,
)
from openmentor.matching.selectors import Staleness, run_kind
from openmentor.matching.services.proposals import _require_reviewable
from openmentor.matching.services.runs import _require_manager
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.organisations.models import Membership
from openmentor.programmes.roles import explain_words, role_word
from openmentor.programmes.services.lifecycle import programme_require

# --- publishing -----------------------------------------------------------------------------


class ProposalStale(ValidationError):
    def __init__(self, staleness: Staleness) -> None:
        self.staleness = staleness
        super().__init__(staleness.changes)


def _introduce(mentorship: Mentorship, reasons: list[dict[str, Any]]) -> None:
    from openmentor.mentorships.services.lifecycle import mentorship_url

    url = settings.SITE_URL + mentorship_url(mentorship)
    programme = mentorship.programme
    # Published proposals are always pairs (circles are filled by circles_fill).
    for person, partner, role in (
        (mentorship.mentor, mentorship.pair_mentee, "mentor"),
        (mentorship.pair_mentee, mentorship.mentor, "mentee"),
    ):
        email_send(
            to=[person.email],
            subject=f"Why you were matched with {partner.name}",
            template="matching/email/introduction",
            context={
                "name": person.name,
                "partner_name": partner.name,
                "role": role,
                "partner_word": role_word(programme, "mentee" if role == "mentor" else "mentor"),
                "programme_name": programme.name,
                "why": why_lines(reasons, viewer_role=role, words=explain_words(programme)),
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
    from openmentor.mentorships.services.lifecycle import mentorship_create
    from openmentor.mentorships.services.rematch import rematch_request_resolve

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
    staleness = selectors.proposal_staleness(run=locked)
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
