"""Relationship health: pure rules, no Django. Facts about one mentorship in, a state with
its reasons in words and a suggested action for the programme team out.

The selector (tracking.selectors) gathers the facts for many mentorships in a fixed
number of queries; these rules never touch the database, so they are tested on their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    THRIVING = "thriving"
    STEADY = "steady"
    AT_RISK = "at_risk"
    INACTIVE = "inactive"
    TOO_EARLY = "too_early"


LABELS = {
    State.THRIVING: "Thriving",
    State.STEADY: "Steady",
    State.AT_RISK: "At risk",
    State.INACTIVE: "Inactive",
    State.TOO_EARLY: "Too early to tell",
}
# The order the manager's list shows them in: the ones needing help first.
ORDER = [State.AT_RISK, State.INACTIVE, State.STEADY, State.TOO_EARLY, State.THRIVING]

# Quiet for this many cadences: at risk; for INACTIVE_AFTER: inactive.
AT_RISK_AFTER = 1.5
INACTIVE_AFTER = 5.0
LOW_RATING = 2
SLOW_REPLY_DAYS = 7.0


@dataclass(frozen=True)
class Facts:
    """What is known of one mentorship at `now`, read from the activity record.

    `ratings` holds, per role, the member's latest meeting ratings (newest last) that they
    chose to share with the programme team; unshared ratings never get here.
    `outcomes` are the latest meetings' outcomes, newest last: True held, False missed.
    """

    now: dt.datetime
    status: str  # proposed | active | paused | ended
    started_at: dt.datetime
    cadence_weeks: int
    last_held: dt.datetime | None = None
    held_recent: int = 0  # meetings held in the last three cadences
    outcomes: tuple[bool, ...] = ()
    ratings: dict[str, tuple[int, ...]] = field(default_factory=dict)
    not_working: tuple[str, ...] = ()  # roles that answered the pairing fit "not working"
    reply_days: float | None = None  # mean wait for a reply over recent messages


@dataclass(frozen=True)
class Health:
    state: State
    reasons: tuple[str, ...]
    action: str

    @property
    def label(self) -> str:
        return LABELS[self.state]


def _span(delta: dt.timedelta) -> str:
    days = max(0, delta.days)
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    weeks = days // 7
    return f"{weeks} weeks"


def _expected(weeks: int) -> str:
    return "expected every week" if weeks == 1 else f"expected every {weeks}"


def _expected_long(weeks: int) -> str:
    return "expected every week" if weeks == 1 else f"expected every {weeks} weeks"


def assess(facts: Facts) -> Health:
    """The state of one mentorship and why, in the words a programme manager reads."""
    if facts.status == "proposed":
        return Health(
            State.TOO_EARLY, ("waiting for both to accept the agreement",), "No action needed yet."
        )
    if facts.status == "paused":
        return Health(State.STEADY, ("paused by the pair",), "No action needed while paused.")
    cadence = dt.timedelta(weeks=max(1, facts.cadence_weeks))
    age = facts.now - facts.started_at
    warnings: list[str] = []
    actions: list[str] = []
    for role in facts.not_working:
        warnings.append(f"{role} said the match is not working")
        actions.append(f"Talk to the {role}; offer a no-fault ending and a rematch.")
    for role, ratings in sorted(facts.ratings.items()):
        last_two = ratings[-2:]
        if len(last_two) == 2 and max(last_two) <= LOW_RATING:
            shown = (
                f"{last_two[0]}/5"
                if last_two[0] == last_two[1]
                else f"{last_two[0]}/5 and {last_two[1]}/5"
            )
            warnings.append(f"{role} rated the last two meetings {shown}")
            actions.append(f"Ask the {role} how the meetings could be more useful.")
    recent = facts.outcomes[-3:]
    missed = sum(1 for held in recent if not held)
    if len(recent) >= 2 and missed >= 2:
        warnings.append(f"{missed} of the last {len(recent)} meetings did not happen")
        actions.append("Ask the pair whether their meeting time still suits them.")
    if facts.reply_days is not None and facts.reply_days > SLOW_REPLY_DAYS:
        warnings.append(f"messages wait {round(facts.reply_days)} days for a reply on average")
        actions.append("Suggest they agree how quickly to answer each other.")

    if facts.last_held is None:
        if age >= cadence * INACTIVE_AFTER:
            return Health(
                State.INACTIVE,
                (
                    f"no meeting since it started {_span(age)} ago, {_expected(facts.cadence_weeks)}",
                    *warnings,
                ),
                "Ask the pair whether to carry on; close it if they have moved on.",
            )
        if age >= cadence * AT_RISK_AFTER:
            return Health(
                State.AT_RISK,
                (
                    f"no first meeting after {_span(age)}, {_expected(facts.cadence_weeks)}",
                    *warnings,
                ),
                actions[0] if actions else "Help them book a first meeting.",
            )
        if warnings:
            return Health(State.AT_RISK, tuple(warnings), actions[0])
        return Health(
            State.TOO_EARLY,
            (f"started {_span(age)} ago; first meeting not held yet",),
            "No action needed yet.",
        )
    gap = facts.now - facts.last_held
    quiet = f"no meeting for {_span(gap)}, {_expected(facts.cadence_weeks)}"
    if gap >= cadence * INACTIVE_AFTER:
        return Health(
            State.INACTIVE,
            (quiet, *warnings),
            "Ask the pair whether to carry on; close it if they have moved on.",
        )
    if gap >= cadence * AT_RISK_AFTER:
        return Health(
            State.AT_RISK,
            (quiet, *warnings),
            actions[0] if actions else "Send the pair a nudge or ask how it is going.",
        )
    if warnings:
        return Health(State.AT_RISK, tuple(warnings), actions[0])
    if facts.held_recent >= 2 and gap <= cadence * 1.25:
        return Health(
            State.THRIVING,
            (
                f"met {facts.held_recent} times in the last {_span(cadence * 3)}, "
                f"{_expected_long(facts.cadence_weeks)}",
            ),
            "No action needed.",
        )
    return Health(
        State.STEADY,
        (f"last met {_span(gap)} ago, {_expected_long(facts.cadence_weeks)}",),
        "No action needed.",
    )
