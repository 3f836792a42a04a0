"""Cursor pagination: each page carries an opaque cursor for the next one.

Rows are read in the order of one unique, indexed column, `after` the last one seen, so a
page costs the same at row 9,900 as at row 0 and rows added meanwhile are neither skipped
nor repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from openmentor.api.errors import ApiError

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# A cursor is the last key seen, in base 36: opaque to callers, and every string the
# schema's pattern allows is one this API could have given out (12 characters stay under
# the 64-bit integer range of the databases).
CURSOR_PATTERN = r"^[0-9a-z]{1,12}$"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def cursor_encode(value: int) -> str:
    if value <= 0:
        return "0"
    out = ""
    while value:
        value, digit = divmod(value, 36)
        out = _DIGITS[digit] + out
    return out


def cursor_decode(cursor: str) -> int:
    if len(cursor) > 12 or any(c not in _DIGITS for c in cursor) or not cursor:
        raise ApiError(
            400,
            "invalid_cursor",
            "The cursor is not one this API gave out; start again without it.",
            [{"field": "cursor", "message": "Unknown cursor."}],
        )
    return int(cursor, 36)


def cursor_page(
    queryset: QuerySet[M], *, cursor: str | None, limit: int, key: str = "pk"
) -> tuple[Sequence[M], str | None]:
    """One page of `queryset` ordered by `key`, and the cursor of the next (None at the end)."""
    if cursor:
        queryset = queryset.filter(**{f"{key}__gt": cursor_decode(cursor)})
    rows = list(queryset.order_by(key)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last: Any = rows[-1]
    for part in key.split("__"):
        last = getattr(last, part if part != "pk" else "pk")
    return rows, cursor_encode(int(last))


def filtered_page(queryset: QuerySet[M], filters: Any, **lookups: str) -> dict[str, Any]:
    """A list endpoint's answer: each filter that is set narrows `queryset` (filter field
    name → lookup, e.g. ``starts_after="starts_at__gte"``), then one cursor page."""
    for field, lookup in lookups.items():
        value = getattr(filters, field)
        if value:
            queryset = queryset.filter(**{lookup: value})
    rows, cursor = cursor_page(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": rows, "next_cursor": cursor}
