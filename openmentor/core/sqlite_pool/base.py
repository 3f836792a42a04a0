"""SQLite with its connections kept for the next request (the embedded set-up's engine).

Django opens a database connection per request and closes it after (persistent
connections do not work under ASGI, where each request runs in a thread of its own).
On SQLite that open costs more than most of a page's queries: the file is opened and the
pragmas run again (WAL, synchronous, busy timeout, foreign keys), about 1.7 ms of CPU a
page, measured. Here a closed connection goes back to a small per-process pool, rolled
back if a transaction was left open, and the next request takes it, pragmas already
set. Python's sqlite3 connections may move between threads (Django opens them with
check_same_thread=False); each is used by one Django connection at a time.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from django.db.backends.sqlite3 import base as sqlite3_base

# Idle connections kept per database file: more than the web process's concurrent
# requests that reach the database at once (sync views run one at a time per thread).
MAX_IDLE = 8

_idle: dict[str, list[sqlite3.Connection]] = {}
_lock = threading.Lock()


def idle_count(name: str) -> int:
    with _lock:
        return len(_idle.get(name, []))


def discard_idle() -> None:
    """Closes every kept connection (tests, and before a database file is removed)."""
    with _lock:
        kept = [conn for conns in _idle.values() for conn in conns]
        _idle.clear()
    for conn in kept:
        conn.close()


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    def _pool_key(self) -> str | None:
        if self.is_in_memory_db():
            return None  # each in-memory connection is its own database
        return str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        key = self._pool_key()
        if key is not None:
            with _lock:
                kept = _idle.get(key)
                if kept:
                    return kept.pop()
        return super().get_new_connection(conn_params)  # type: ignore[no-any-return]

    def _close(self) -> None:
        key = self._pool_key()
        conn = self.connection
        if key is None or conn is None or self.in_atomic_block:
            # Closed inside atomic(), Django keeps the connection object (it marks it to be
            # rolled back): it must not also be handed to another request.
            super()._close()  # type: ignore[misc]  # not in django-stubs
            return
        try:
            if conn.in_transaction:
                conn.rollback()  # nothing half-done reaches the next request
        except sqlite3.Error:
            conn.close()
            return
        with _lock:
            kept = _idle.setdefault(key, [])
            if len(kept) < MAX_IDLE:
                kept.append(conn)
                return
        conn.close()
