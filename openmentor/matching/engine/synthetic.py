"""Seeded synthetic cohorts for the benchmark and tests (no real people)."""

from __future__ import annotations

import numpy as np

from .model import Person, Problem, Settings, Slot

SKILLS = (
    "python", "java", "javascript", "sql", "data analysis", "machine learning", "cloud",
    "security", "leadership", "public speaking", "negotiation", "product management",
    "ux design", "marketing", "sales", "finance", "accounting", "project management",
    "people management", "hiring", "writing", "research", "statistics", "devops",
    "mobile", "frontend", "backend", "testing", "career change", "entrepreneurship",
)  # fmt: skip
GOALS = (
    "become a team lead", "move into management", "get promoted to senior",
    "switch careers into tech", "start my own company", "speak at conferences",
    "build confidence in meetings", "learn to manage stakeholders", "grow a network",
    "balance work and family", "prepare for a leadership role", "improve my technical depth",
)  # fmt: skip
ZONES = (
    "Europe/London", "Europe/Berlin", "Europe/Lisbon", "America/New_York", "America/Sao_Paulo",
    "America/Los_Angeles", "Asia/Kolkata", "Australia/Adelaide", "Asia/Tokyo", "Africa/Lagos",
)  # fmt: skip
LANGS = ("en", "en", "en", "pt", "es", "de", "fr", "hi")
DEPTS = tuple(f"d{k}" for k in range(12))


def _slots(rng: np.random.Generator) -> tuple[Slot, ...]:
    out = set()
    for _ in range(int(rng.integers(1, 4))):
        day = int(rng.integers(0, 5))
        start = int(rng.integers(8, 19)) * 60 + int(rng.choice([0, 30]))
        out.add(Slot(day, start, min(1440, start + int(rng.choice([60, 90, 120, 180])))))
    return tuple(sorted(out, key=lambda s: (s.day, s.start)))


def people(rng: np.random.Generator, n: int, prefix: str, mentor: bool) -> list[Person]:
    out = []
    for k in range(n):
        sk = sorted(
            {
                SKILLS[int(x)]
                for x in rng.choice(len(SKILLS), size=int(rng.integers(2, 5)), replace=False)
            }
        )
        goal = GOALS[int(rng.integers(len(GOALS)))]
        langs = tuple(
            sorted({LANGS[int(rng.integers(len(LANGS)))] for _ in range(int(rng.integers(1, 3)))})
        )
        age = int(rng.integers(0, 4))  # age band drives seniority: a proxy by construction
        sen = float(max(0, age * 6 + rng.normal(4 if mentor else 0, 3)))
        if mentor:
            text = (
                f"I have years of experience in {sk[0]} and {sk[-1]} and I can help people {goal}."
            )
        else:
            text = f"I want to get better at {sk[0]} and {sk[-1]} and {goal}."
        out.append(
            Person(
                id=f"{prefix}{k:06d}",
                capacity=int(rng.integers(1, 6)) if mentor else 1,
                skills=tuple(sk),
                goals=text,
                languages=langs,
                timezone=ZONES[int(rng.integers(len(ZONES)))],
                availability=_slots(rng),
                department=DEPTS[int(rng.integers(len(DEPTS)))],
                seniority=round(sen, 1),
                protected=(
                    ("age_band", ("18-29", "30-39", "40-49", "50+")[age]),
                    ("ethnicity", "abcde"[int(rng.integers(5))]),
                    ("gender", "fm"[int(rng.integers(2))]),
                ),
            )
        )
    return out


def profile_problem(n_mentees: int, n_mentors: int, seed: int = 0, k: int = 50) -> Problem:
    rng = np.random.default_rng(seed)
    return Problem(
        mentees=tuple(people(rng, n_mentees, "e", False)),
        mentors=tuple(people(rng, n_mentors, "m", True)),
        settings=Settings(candidates_per_mentee=k),
    )


def score_problem(n_mentees: int, n_mentors: int, k: int = 50, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    es = tuple(Person(id=f"e{i:06d}") for i in range(n_mentees))
    ms = tuple(Person(id=f"m{j:06d}", capacity=int(rng.integers(1, 6))) for j in range(n_mentors))
    pop = rng.random(n_mentors) ** 2  # some mentors are popular
    scores = []
    for i in range(n_mentees):
        js = rng.choice(n_mentors, size=min(k, n_mentors), replace=False)
        base = rng.random(len(js))
        for j, b in zip(js.tolist(), base.tolist(), strict=True):
            scores.append((es[i].id, ms[j].id, round(0.6 * b + 0.4 * float(pop[j]), 6)))
    return Problem(
        mentees=es, mentors=ms, settings=Settings(candidates_per_mentee=k), scores=tuple(scores)
    )
