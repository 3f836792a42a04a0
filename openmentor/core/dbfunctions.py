"""Database functions that Django does not ship, written once for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField, Func


class EpochSeconds(Func):
    """Whole seconds since 1970-01-01 UTC of a datetime column.

    Reading tens of thousands of rows, Django's datetime converters (parse, make aware)
    cost more than the query; an integer needs none, so bulk reads compare and bucket
    in seconds. Also lets weeks be bucketed with integer arithmetic in SQL, where
    `TruncWeek` on SQLite is a Python function called per row.
    """

    output_field = BigIntegerField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores aware datetimes in SQLite as UTC text, which strftime reads. The
        # fraction is cut off first: SQLite keeps milliseconds and would round .9995 up to
        # the next second (and week). The format's % is doubled twice: once for this
        # template, once for the query's params.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)",
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)",
        )
