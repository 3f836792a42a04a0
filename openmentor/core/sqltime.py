"""Moments bucketed and read in SQL without Django's per-row Python on SQLite.

On SQLite, `TruncWeek`/`TruncMonth` call a Python function for every row, and reading a
`DateTimeField` parses every value with a regular expression; over 100,000 rows either
costs seconds. These expressions do the arithmetic in the database instead (integers,
in UTC, on SQLite and PostgreSQL alike), and `RawMoment` hands the stored value over
untouched, for `moment()` to read with the C parser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import FloatField, Func, IntegerField, TextField

# 1970-01-05, the first Monday after the Unix epoch: week 0 starts there.
_MONDAY = dt.date(1970, 1, 5)
_MONDAY_JULIAN = 2440591.5  # julianday('1970-01-05')
_MONDAY_EPOCH = 345600  # seconds from 1970-01-01 to 1970-01-05


class WeekIndex(Func):
    """Whole weeks (Monday to Sunday, UTC) since 1970-01-05; `week_start` turns it back."""

    output_field = IntegerField()
    template = f"FLOOR((EXTRACT(EPOCH FROM %(expressions)s) - {_MONDAY_EPOCH}) / 604800)::integer"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            # Whole seconds only: julianday keeps milliseconds and would round Sunday's
            # 23:59:59.9995 up into the next week.
            template=(
                f"CAST((julianday(substr(%(expressions)s, 1, 19)) - {_MONDAY_JULIAN}) / 7"
                " AS INTEGER)"
            ),
            **extra,
        )


class MonthIndex(Func):
    """Months since January of year 0 (UTC): year * 12 + month - 1."""

    output_field = IntegerField()
    template = (
        "(EXTRACT(YEAR FROM %(expressions)s AT TIME ZONE 'UTC') * 12"
        " + EXTRACT(MONTH FROM %(expressions)s AT TIME ZONE 'UTC') - 1)::integer"
    )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            # SQLite keeps a moment as text, "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
            template=(
                "(CAST(substr(%(expressions)s, 1, 4) AS INTEGER) * 12"
                " + CAST(substr(%(expressions)s, 6, 2) AS INTEGER) - 1)"
            ),
            **extra,
        )


class DaysBetween(Func):
    """Days (with their fraction) from the first moment to the second."""

    arity = 2
    output_field = FloatField()

    def _sides(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return start, end, (*end_params, *start_params)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:  # type: ignore[override]
        start, end, params = self._sides(compiler)
        sql = f"(EXTRACT(EPOCH FROM {end}) - EXTRACT(EPOCH FROM {start}))::double precision"
        return f"({sql} / 86400.0)", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        start, end, params = self._sides(compiler)
        return f"(julianday({end}) - julianday({start}))", params


class RawMoment(Func):
    """The column as the database keeps it: text on SQLite (cast, so that sqlite3's own
    converter for columns declared "datetime" does not parse it first), a datetime on
    PostgreSQL (psycopg reads those in C)."""

    output_field = TextField()
    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra)


def moment(value: str | dt.datetime) -> dt.datetime:
    """A `RawMoment` value (or a moment aggregated in SQL) as an aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def week_start(index: int) -> dt.date:
    return _MONDAY + dt.timedelta(weeks=index)


def week_index(day: dt.date) -> int:
    return (day - _MONDAY).days // 7


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1
