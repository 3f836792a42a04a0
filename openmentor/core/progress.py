"""Live progress of long work that runs inside one database transaction.

Such work cannot publish progress through the database (its rows are invisible until
commit, and SQLite has one writer), and without Redis the cache is per process. So the
count goes to the shared cache when there is one (REDIS_URL), otherwise to a small file
under the var folder, which the web and worker processes of one machine both see.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _shared_cache() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def _path(key: str) -> Path:
    # settings.VAR_DIR (from OPENMENTOR_VAR_DIR), read through settings so that core
    # imports nothing of the project around it.
    return Path(settings.VAR_DIR) / "progress" / _SAFE.sub("_", key)


def progress_set(key: str, value: int) -> None:
    if _shared_cache():
        cache.set(key, value, 3600)
        return
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a reader never sees half a number.
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "w") as handle:
        handle.write(str(int(value)))
    os.replace(tmp, path)


def progress_get(key: str) -> int:
    if _shared_cache():
        return int(cache.get(key) or 0)
    try:
        return int(_path(key).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def progress_clear(key: str) -> None:
    if _shared_cache():
        cache.delete(key)
        return
    _path(key).unlink(missing_ok=True)
