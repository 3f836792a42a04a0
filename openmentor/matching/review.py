"""Reviewing a long proposal: search, sort, filter and pages over its pairs.

A cohort of 110 pairs was one 22,000-pixel page. The manager now finds a person by
name, sorts by score, narrows to the pairs worth a look (low score, locked, changed
since the run before) and reads 25 at a time; each pair's reasons stay one click away.
Plain data in, plain data out: the view parses the query string, this module decides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from openmentor.matching.models import MatchingRun
from openmentor.matching.selectors import Proposal, ProposalPair, run_kind

PAGE_SIZE = 25
LOW_SCORE = 0.5

SORTS: dict[str, str] = {
    "score": "Score, highest first",
    "score_low": "Score, lowest first",
    "mentee": "Mentee’s name",
    "unmatched": "Not matched first",
}
SHOWS: dict[str, str] = {
    "": "All pairs",
    "low": f"Low score (under {LOW_SCORE:.0%})",
    "locked": "Locked pairs",
    "changed": "Changed since the last run",
}


@dataclass
class Review:
    pairs: list[ProposalPair]
    total: int  # pairs in the proposal
    found: int  # pairs that pass the search and filter
    page: int
    pages: int
    q: str = ""
    sort: str = "score"
    show: str = ""
    changed: set[str] = field(default_factory=set)  # mentee ids whose mentor changed
    has_previous_run: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def unmatched_first(self) -> bool:
        return self.sort == "unmatched"

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.show)

    def page_query(self, page: int) -> str:
        params = {"q": self.q, "sort": self.sort, "show": self.show, "page": str(page)}
        return urlencode({k: v for k, v in params.items() if v and v != "score"})

    @property
    def current_query(self) -> str:
        return self.page_query(self.page)

    @property
    def previous_query(self) -> str:
        return self.page_query(self.page - 1)

    @property
    def next_query(self) -> str:
        return self.page_query(self.page + 1)


def back_query(raw: str) -> str:
    """The review's own parameters from a form's `back` field, re-encoded, so that locking
    a pair on page 3 of a search returns to page 3 of that search (and nothing else rides
    along in the redirect)."""
    from urllib.parse import parse_qs

    kept = {k: v[0][:100] for k, v in parse_qs(raw).items() if k in ("q", "sort", "show", "page")}
    return urlencode(kept)


def previous_pairs(run: MatchingRun) -> dict[str, str] | None:
    """mentee → mentor in the finished run of the same kind just before `run`, if any."""
    earlier = MatchingRun.objects.filter(
        programme_id=run.programme_id,
        pk__lt=run.pk,
        status__in=[
            MatchingRun.Status.DONE,
            MatchingRun.Status.PUBLISHED,
            MatchingRun.Status.SUPERSEDED,
        ],
    ).order_by("-pk")[:20]
    kind = run_kind(run)
    for candidate in earlier:
        if run_kind(candidate) == kind:
            matches = (candidate.result or {}).get("matches") or []
            return {str(m["mentee"]): str(m["mentor"]) for m in matches}
    return None


def review(
    proposal: Proposal, params: Mapping[str, str], *, previous: dict[str, str] | None
) -> Review:
    """The page of pairs `params` (q, sort, show, page) asks for; unknown values fall back
    to the defaults and say so, instead of failing."""
    errors: list[str] = []
    q = " ".join(str(params.get("q", "")).split())[:100]
    sort = str(params.get("sort", "") or "score")
    if sort not in SORTS:
        errors.append("Unknown sort order; sorted by score instead.")
        sort = "score"
    show = str(params.get("show", ""))
    if show not in SHOWS:
        errors.append("Unknown filter; showing all pairs instead.")
        show = ""
    changed = (
        {p.mentee for p in proposal.pairs if previous.get(p.mentee) != p.mentor}
        if previous is not None
        else set()
    )
    if show == "changed" and previous is None:
        errors.append("There is no earlier run to compare with; showing all pairs.")
        show = ""

    pairs = list(proposal.pairs)
    if q:
        needle = q.casefold()
        pairs = [
            p
            for p in pairs
            if needle in p.mentee_name.casefold() or needle in p.mentor_name.casefold()
        ]
    if show == "low":
        pairs = [p for p in pairs if p.score < LOW_SCORE]
    elif show == "locked":
        pairs = [p for p in pairs if p.pin == "lock"]
    elif show == "changed":
        pairs = [p for p in pairs if p.mentee in changed]

    if sort == "score_low":
        pairs.sort(key=lambda p: (p.score, p.mentee_name.casefold()))
    elif sort == "mentee":
        pairs.sort(key=lambda p: (p.mentee_name.casefold(), -p.score))
    else:  # "score", and "unmatched" (which moves the unmatched list up, pairs by score)
        pairs.sort(key=lambda p: (-p.score, p.mentee_name.casefold()))

    pages = max(1, math.ceil(len(pairs) / PAGE_SIZE))
    raw_page = str(params.get("page", "") or "1")
    page = int(raw_page) if raw_page.isdigit() else 1
    if not raw_page.isdigit() or not 1 <= page <= pages:
        page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return Review(
        pairs=pairs[start : start + PAGE_SIZE],
        total=len(proposal.pairs),
        found=len(pairs),
        page=page,
        pages=pages,
        q=q,
        sort=sort,
        show=show,
        changed=changed,
        has_previous_run=previous is not None,
        errors=errors,
    )
