from __future__ import annotations

from typing import Any

import pytest


def person(pid: str, **kw: Any) -> dict[str, Any]:
    return {"id": pid, **kw}


@pytest.fixture
def base_problem() -> dict[str, Any]:
    return {
        "version": 1,
        "mentees": [
            person(
                "e1",
                skills=["python", "leadership"],
                languages=["pt-BR"],
                timezone="America/Sao_Paulo",
                goals="become a tech lead",
                availability=[{"day": "mon", "start": "14:00", "end": "17:00"}],
                seniority=2,
                protected={"gender": "f"},
            ),
            person("e2", skills=["design"], languages=["fi"], timezone="Europe/Helsinki"),
        ],
        "mentors": [
            person(
                "m1",
                skills=["python", "leadership"],
                languages=["pt"],
                timezone="Europe/Lisbon",
                goals="I coach new tech leads",
                availability=[{"day": "mon", "start": "17:00", "end": "22:00"}],
                seniority=10,
                capacity=2,
            ),
            person("m2", skills=["design"], languages=["en"], timezone="Asia/Kolkata"),
        ],
    }
