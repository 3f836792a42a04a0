"""The engine's threads and text model come from settings, handed over by the matching app;
the engine itself reads no environment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from openmentor.matching import selectors as matching_selectors
from openmentor.matching.engine import solve, synthetic
from tests.conftest import Tenant
from tests.scenarios import enrolling_programme


def test_the_engine_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # A backend name the engine does not know would fail the run if the engine read it.
    monkeypatch.setenv("OPENMENTOR_EMBEDDING_BACKEND", "no-such-model")
    monkeypatch.setenv("OPENMENTOR_MATCHING_THREADS", "not-a-number")
    result = solve(synthetic.profile_problem(12, 4, seed=1))
    assert result.matches


@pytest.mark.django_db
@override_settings(OPENMENTOR_MATCHING_THREADS=3, OPENMENTOR_EMBEDDING_BACKEND="minilm")
def test_the_matching_app_hands_the_engine_its_settings(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=2)
    seen: dict[str, Any] = {}
    real_solve = matching_selectors.solve

    def spying(problem: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real_solve(problem, **{**kwargs, "embedding_backend": "wordllama"})

    monkeypatch.setattr(matching_selectors, "solve", spying)
    matching_selectors.matching_preview(programme=scenario.programme)
    assert seen["threads"] == 3
    assert seen["embedding_backend"] == "minilm"
