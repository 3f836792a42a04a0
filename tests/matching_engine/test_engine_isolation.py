"""The engine never imports Django, and the embedding loader never opens a connection."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_engine_never_imports_django() -> None:
    code = (
        "import sys\n"
        "from openmentor.matching.engine import solve, synthetic\n"
        "solve(synthetic.profile_problem(30, 10))\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_embedding_loader_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from openmentor.matching.engine.embedding import Embedder, WordLlamaBackend

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    emb = Embedder(WordLlamaBackend())
    v = emb.embed(["learn python", "", "learn python"])
    assert v.shape == (3, 256)
    assert abs(float(v[0] @ v[0]) - 1) < 1e-4 and not v[1].any()
    assert (v[0] == v[2]).all()


def test_missing_model_fails_clearly(tmp_path: Path) -> None:
    from openmentor.matching.engine.embedding import EmbeddingUnavailable, WordLlamaBackend

    with pytest.raises(EmbeddingUnavailable, match="missing"):
        WordLlamaBackend(cache_dir=tmp_path)
