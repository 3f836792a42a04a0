"""The health rules on their own: facts in, a state and reasons in words out."""

from __future__ import annotations

import datetime as dt

from openmentor.tracking.health import Facts, State, assess

NOW = dt.datetime(2030, 6, 1, 12, tzinfo=dt.UTC)


def facts(**overrides: object) -> Facts:
    base: dict[str, object] = {
        "now": NOW,
        "status": "active",
        "started_at": NOW - dt.timedelta(weeks=12),
        "cadence_weeks": 2,
        "last_held": NOW - dt.timedelta(days=5),
        "held_recent": 3,
        "outcomes": (True, True, True),
    }
    base.update(overrides)
    return Facts(**base)  # type: ignore[arg-type]


def test_a_pair_meeting_on_cadence_thrives() -> None:
    health = assess(facts())
    assert health.state == State.THRIVING
    assert health.reasons == ("met 3 times in the last 6 weeks, expected every 2 weeks",)


def test_five_weeks_without_a_meeting_is_at_risk_with_the_reason_in_words() -> None:
    health = assess(facts(last_held=NOW - dt.timedelta(weeks=5), held_recent=0))
    assert health.state == State.AT_RISK
    assert health.reasons[0] == "no meeting for 5 weeks, expected every 2"
    assert "nudge" in health.action


def test_ten_cadences_quiet_is_inactive() -> None:
    health = assess(facts(last_held=NOW - dt.timedelta(weeks=11), held_recent=0))
    assert health.state == State.INACTIVE


def test_two_low_shared_ratings_from_the_mentee_put_it_at_risk() -> None:
    health = assess(facts(ratings={"mentee": (4, 2, 2)}))
    assert health.state == State.AT_RISK
    assert health.reasons == ("mentee rated the last two meetings 2/5",)
    assert "mentee" in health.action


def test_one_low_rating_among_good_ones_is_not_a_warning() -> None:
    assert assess(facts(ratings={"mentee": (2, 4)})).state == State.THRIVING


def test_not_working_at_the_pairing_fit_puts_it_at_risk_and_suggests_a_rematch() -> None:
    health = assess(facts(not_working=("mentee",)))
    assert health.state == State.AT_RISK
    assert "mentee said the match is not working" in health.reasons
    assert "rematch" in health.action


def test_missed_meetings_and_slow_replies_are_named() -> None:
    health = assess(facts(outcomes=(True, False, False), reply_days=9.2))
    assert health.state == State.AT_RISK
    assert "2 of the last 3 meetings did not happen" in health.reasons
    assert "messages wait 9 days for a reply on average" in health.reasons


def test_a_new_pair_without_a_meeting_is_too_early_then_at_risk() -> None:
    young = facts(started_at=NOW - dt.timedelta(days=10), last_held=None, held_recent=0)
    assert assess(young).state == State.TOO_EARLY
    late = facts(started_at=NOW - dt.timedelta(weeks=4), last_held=None, held_recent=0)
    health = assess(late)
    assert health.state == State.AT_RISK
    assert health.reasons[0] == "no first meeting after 4 weeks, expected every 2"


def test_one_meeting_on_time_is_steady_and_paused_or_proposed_are_not_at_risk() -> None:
    assert assess(facts(held_recent=1)).state == State.STEADY
    assert assess(facts(status="paused", last_held=None)).state == State.STEADY
    assert assess(facts(status="proposed")).state == State.TOO_EARLY
