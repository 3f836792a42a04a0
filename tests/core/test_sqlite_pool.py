"""The embedded set-up's SQLite engine keeps closed connections for the next request:
the pragmas stay set, and nothing a request left half-done reaches the next one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.utils import load_backend

from openmentor.core import sqlite_pool
from openmentor.core.sqlite_pool.base import MAX_IDLE, idle_count

pytestmark = pytest.mark.skipif(
    connection.settings_dict["ENGINE"] != "openmentor.core.sqlite_pool",
    reason="the pool is the embedded (SQLite) set-up's engine",
)


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[tuple[Any, str]]:
    # A database file of the test's own, outside the test database (and its transaction).
    name = str(tmp_path / "pool.sqlite3")
    backend = load_backend(sqlite_pool.__name__)

    def wrapper() -> Any:
        return backend.DatabaseWrapper({**connection.settings_dict, "NAME": name}, "pooltest")

    with django_db_blocker.unblock():
        yield wrapper, name
    sqlite_pool.base.discard_idle()


def test_a_closed_connection_is_taken_again_with_its_pragmas(database: tuple[Any, str]) -> None:
    wrapper, name = database
    first = wrapper()
    first.ensure_connection()
    raw = first.connection
    first.close()
    assert idle_count(name) == 1

    second = wrapper()
    with second.cursor() as cursor:
        assert second.connection is raw
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert idle_count(name) == 0
    second.close()


def test_a_transaction_left_open_is_rolled_back_before_the_next_request(
    database: tuple[Any, str],
) -> None:
    wrapper, name = database
    setup = wrapper()
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE note (body TEXT)")
    setup.close()

    careless = wrapper()
    careless.ensure_connection()
    careless.connection.execute("BEGIN IMMEDIATE")
    careless.connection.execute("INSERT INTO note VALUES ('half-done')")
    careless.close()

    nextone = wrapper()
    with nextone.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        assert cursor.fetchone()[0] == 0
        # and no write lock was left behind: another connection writes at once
        other = wrapper()
        with other.cursor() as other_cursor:
            other_cursor.execute("INSERT INTO note VALUES ('fine')")
        other.close()
    nextone.close()


def test_a_connection_closed_inside_atomic_is_not_handed_on(database: tuple[Any, str]) -> None:
    # Closed inside atomic(), Django keeps the connection object on the wrapper and rolls
    # it back later: handing it to another request as well would share it.
    wrapper, name = database
    inside = wrapper()
    inside.ensure_connection()
    inside.in_atomic_block = True  # as atomic() leaves it while the block runs
    try:
        inside.close()
    finally:
        inside.in_atomic_block = False
    assert idle_count(name) == 0


def test_no_more_than_the_limit_stay_open(database: tuple[Any, str]) -> None:
    wrapper, name = database
    open_ones = [wrapper() for _ in range(MAX_IDLE + 3)]
    for one in open_ones:
        one.ensure_connection()
    for one in open_ones:
        one.close()
    assert idle_count(name) == MAX_IDLE
