"""Unit tests per factor and per hard rule, including DST and half-hour timezones."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from openmentor.matching.engine import availability as av
from openmentor.matching.engine import load_problem, solve
from openmentor.matching.engine.embedding import get_embedder
from openmentor.matching.engine.model import Person, Slot
from openmentor.matching.engine.scoring import block, factor_block, pair_factors, prepare


def problem(mentees: list[dict[str, Any]], mentors: list[dict[str, Any]], **settings: Any) -> Any:
    return load_problem(
        {"version": 1, "mentees": mentees, "mentors": mentors, "settings": settings}
    )


def factor(p: Any, name: str) -> np.ndarray:
    prep = prepare(p, get_embedder)
    return factor_block(prep, np.arange(prep.n), name)


def test_skills_exact_and_related() -> None:
    p = problem(
        [{"id": "e", "skills": ["python", "sql", "leadership"]}],
        [{"id": "a", "skills": ["python", "postgres"]}, {"id": "b", "skills": ["cooking"]}],
        related_skills={"sql": ["postgres"]},
        related_skill_credit=0.5,
    )
    f = factor(p, "skills")
    assert f[0, 0] == pytest.approx((1 + 0.5) / 3)
    assert f[0, 1] == 0


def test_goals_by_meaning() -> None:
    p = problem(
        [{"id": "e", "goals": "I want to become a better software engineering manager"}],
        [
            {
                "id": "a",
                "goals": "I have led engineering teams for ten years and coach new managers",
            },
            {"id": "b", "goals": "I bake sourdough bread and grow tomatoes"},
            {"id": "c", "goals": ""},
        ],
    )
    f = factor(p, "goals")
    assert f[0, 0] > f[0, 1]
    assert f[0, 2] == 0


def mon(start: str, end: str) -> list[dict[str, str]]:
    return [{"day": "mon", "start": start, "end": end}]


def overlap(tz_e: str, av_e: Any, tz_m: str, av_m: Any, weeks: list[str]) -> float:
    p = problem(
        [{"id": "e", "timezone": tz_e, "availability": av_e}],
        [{"id": "m", "timezone": tz_m, "availability": av_m}],
        availability_weeks=weeks,
    )
    prep = prepare(p, get_embedder)
    from openmentor.matching.engine.scoring import overlap_block

    return float(overlap_block(prep, np.array([0]))[0, 0])


def test_overlap_across_timezones() -> None:
    # 09:00-12:00 London (winter, UTC) vs 10:00-13:00 Berlin (UTC+1) = 09:00-12:00 UTC.
    assert (
        overlap(
            "Europe/London",
            mon("09:00", "12:00"),
            "Europe/Berlin",
            mon("10:00", "13:00"),
            ["2026-01-12"],
        )
        == 180
    )


def test_overlap_daylight_saving_gap_weeks() -> None:
    # 2026: the US springs forward on 8 March, the UK on 29 March. New York 09:00-10:00 is
    # 14:00 UTC in January, 13:00 UTC in the week of 9 March. London 13:00-14:00 (UTC then).
    ny, ldn = mon("09:00", "10:00"), mon("13:00", "14:00")
    assert overlap("America/New_York", ny, "Europe/London", ldn, ["2026-01-12"]) == 0
    assert overlap("America/New_York", ny, "Europe/London", ldn, ["2026-03-09"]) == 60
    # the factor uses the smallest overlap over the reference weeks
    assert overlap("America/New_York", ny, "Europe/London", ldn, ["2026-01-12", "2026-03-09"]) == 0


def test_overlap_slot_spanning_a_clock_change() -> None:
    # Europe/London springs forward on Sunday 29 March 2026 at 01:00: 00:00-03:00 lasts 2 h.
    p = Person("x", timezone="Europe/London", availability=(Slot(6, 0, 180),))
    iv = av.utc_intervals(p, av.week_start("2026-03-23"))
    assert sum(b - a for a, b in iv) == 120


def test_half_hour_timezones() -> None:
    # Kolkata is UTC+5:30; Adelaide UTC+10:30 in January (daylight time), +9:30 in July.
    kol = mon("14:00", "16:00")  # 08:30-10:30 UTC
    adl_jan = mon("19:30", "20:30")  # 09:00-10:00 UTC in January
    assert overlap("Asia/Kolkata", kol, "Australia/Adelaide", adl_jan, ["2026-01-12"]) == 60
    # in July the same Adelaide slot is 10:00-11:00 UTC: 30 minutes left
    assert overlap("Asia/Kolkata", kol, "Australia/Adelaide", adl_jan, ["2026-07-13"]) == 30


def test_overlap_wraps_the_week() -> None:
    # Sunday 23:00-24:00 in New York (winter) is Monday 04:00-05:00 UTC.
    a = [{"day": "sun", "start": "23:00", "end": "24:00"}]
    assert overlap("America/New_York", a, "UTC", mon("04:00", "05:00"), ["2026-01-12"]) == 60


def test_seniority_gap() -> None:
    p = problem(
        [{"id": "e", "seniority": 2}],
        [
            {"id": "a", "seniority": 12},
            {"id": "b", "seniority": 4.5},
            {"id": "c", "seniority": 1},
            {"id": "d"},
        ],
        seniority_margin_years=5,
    )
    assert factor(p, "seniority")[0].tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0])


def test_questionnaire_answers() -> None:
    p = problem(
        [{"id": "e", "answers": {"format": "remote", "topics": ["a", "b"]}}],
        [
            {"id": "x", "answers": {"format": "remote", "topics": ["b", "c"]}},
            {"id": "y", "answers": {"format": "in person"}},
        ],
        questions=[
            {"key": "format", "weight": 1},
            {"key": "topics", "weight": 1, "compare": "overlap"},
        ],
    )
    assert factor(p, "answers.format")[0].tolist() == [1.0, 0.0]
    assert factor(p, "answers.topics")[0].tolist() == pytest.approx([1 / 3, 0.0])


def test_department_avoid_penalty_and_forbid() -> None:
    es = [{"id": "e", "skills": ["x"], "department": "d1"}]
    ms = [
        {"id": "a", "skills": ["x"], "department": "d1"},
        {"id": "b", "skills": ["x"], "department": "d2"},
    ]
    w = {"skills": 1.0}
    p = problem(es, ms, weights=w, rules={"same_department": "avoid", "department_penalty": 0.3})
    b = block(prepare(p, get_embedder), np.array([0]))
    assert b.s_int[0].tolist() == [700_000, 1_000_000]
    p = problem(es, ms, weights=w, rules={"same_department": "forbid"})
    assert block(prepare(p, get_embedder), np.array([0])).allowed[0].tolist() == [False, True]


def test_hard_rules_and_reasons() -> None:
    ms = [
        {"id": "boss", "languages": ["en"], "timezone": "UTC"},
        {"id": "far", "languages": ["en"], "timezone": "Pacific/Auckland"},
    ]
    es = [
        {"id": "e", "languages": ["en"], "timezone": "UTC", "manager_id": "mid"},
        {"id": "mid", "languages": ["en"], "timezone": "UTC", "manager_id": "boss"},
        {"id": "fi", "languages": ["fi"], "timezone": "UTC"},
    ]
    p = problem(es, ms, rules={"max_timezone_gap_hours": 3})
    r = solve(p)
    assert r.matches == ()
    reasons = {u.mentee: u.reason for u in r.unmatched}
    assert reasons["fi"] == "no mentor shares a language (speaks: fi)"
    assert reasons["e"] == "every remaining mentor is in their reporting line"
    assert reasons["mid"] == "every remaining mentor is in their reporting line"


def test_min_overlap_and_min_score_reasons() -> None:
    es = [{"id": "e", "timezone": "UTC", "availability": mon("09:00", "10:00")}]
    ms = [{"id": "m", "timezone": "UTC", "availability": mon("09:30", "11:00")}]
    r = solve(problem(es, ms, rules={"min_availability_overlap_minutes": 60}))
    assert r.unmatched[0].reason == "no mentor has 60 min a week of common free time"
    r = solve(problem(es, ms, min_score=0.9))
    assert r.unmatched[0].reason == "all candidates below the minimum score 0.9"


def test_pair_factors_agree_with_blocks() -> None:
    from openmentor.matching.engine import synthetic

    p = synthetic.profile_problem(40, 15, seed=3)
    prep = prepare(p, get_embedder)
    ii, jj = np.meshgrid(np.arange(40), np.arange(15), indexing="ij")
    pf = pair_factors(prep, ii.ravel(), jj.ravel())
    for name in prep.weights:
        fb = factor_block(prep, np.arange(40), name)
        assert np.allclose(pf[name], fb.ravel(), atol=1e-5), name
