"""Local time for profiles: IANA timezones and weekly availability in the person's own timezone.

Availability is stored as merged slots `[{"day": "mon", "start": "09:00", "end": "11:00"}]`
in the person's own timezone, the format the matching engine reads
(docs/matching-format.md); the engine converts it to UTC per reference week, so overlap
across timezones and daylight-saving changes is exact. People draw it on a grid of
half-hour cells; these functions turn cells into slots and back, and check slots that
arrive any other way (imports, the API).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES: dict[str, str] = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
CELL_MINUTES = 30
DAY_MINUTES = 24 * 60
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_CELL = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)-([01]\d|2[0-3]):(00|30)$")

# Old aliases ("US/Eastern", "Etc/GMT+5") stay valid because some browsers still report
# them, but the list people search in shows only the canonical Area/City names.
_HIDDEN_PREFIXES = ("Etc/", "SystemV/", "US/", "posix", "right/", "Factory")


@cache
def valid_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_choices() -> tuple[str, ...]:
    """The names offered in the searchable list, sorted, UTC first."""
    names = sorted(
        name for name in valid_timezones() if "/" in name and not name.startswith(_HIDDEN_PREFIXES)
    )
    return ("UTC", *names)


def is_valid_timezone(name: str) -> bool:
    return name in valid_timezones()


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(value: Any) -> int | None:
    """Minutes since midnight for "HH:MM" (00:00 to 24:00), or None when malformed."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes != 0:
        return None
    return hours * 60 + minutes


def cell_choices() -> list[tuple[str, str]]:
    """Every half-hour cell of the week as (value, accessible label)."""
    out = []
    for start in range(0, DAY_MINUTES, CELL_MINUTES):
        for day in DAYS:
            out.append((cell_value(day, start), cell_label(day, start)))
    return out


def cell_value(day: str, start: int) -> str:
    return f"{day}-{format_minutes(start)}"


def cell_label(day: str, start: int) -> str:
    return f"{DAY_NAMES[day]} {format_minutes(start)} to {format_minutes(start + CELL_MINUTES)}"


def is_valid_cell(value: str) -> bool:
    return bool(_CELL.match(value))


def cells_to_slots(cells: Iterable[str]) -> list[dict[str, str]]:
    """Merges chosen half-hour cells into one slot per run of consecutive cells."""
    starts: dict[str, set[int]] = {day: set() for day in DAYS}
    for cell in cells:
        match = _CELL.match(cell)
        if match is None:
            raise ValueError(f"not a cell: {cell!r}")
        starts[match.group(1)].add(int(match.group(2)) * 60 + int(match.group(3)))
    slots: list[dict[str, str]] = []
    for day in DAYS:
        run_start: int | None = None
        previous = -CELL_MINUTES
        for start in sorted(starts[day]):
            if run_start is None:
                run_start = start
            elif start != previous + CELL_MINUTES:
                slots.append(_slot(day, run_start, previous + CELL_MINUTES))
                run_start = start
            previous = start
        if run_start is not None:
            slots.append(_slot(day, run_start, previous + CELL_MINUTES))
    return slots


def slots_to_cells(slots: Iterable[dict[str, Any]]) -> set[str]:
    """The grid cells a stored slot touches.

    Slots from an import may not sit on half hours (09:15-10:00); the grid marks every
    cell they touch, so the person sees the time as theirs and what they then save is
    exactly what the grid showed them.
    """
    cells: set[str] = set()
    for slot in slots:
        day = slot.get("day") if isinstance(slot, dict) else None
        start, end = parse_time(slot.get("start")), parse_time(slot.get("end"))
        if day not in DAY_NAMES or start is None or end is None:
            continue
        cell = start - start % CELL_MINUTES
        while cell < end and cell < DAY_MINUTES:
            cells.add(cell_value(day, cell))
            cell += CELL_MINUTES
    return cells


def _slot(day: str, start: int, end: int) -> dict[str, str]:
    return {"day": day, "start": format_minutes(start), "end": format_minutes(end)}


def availability_clean(raw: Any) -> list[dict[str, str]]:
    """Checks weekly slots and returns them sorted, with touching slots merged.

    Raises ValidationError (one message per problem) for anything that is not a list of
    {"day", "start", "end"} objects, an unknown day, a time that is not HH:MM, an end not
    after its start, or two slots of the same day that overlap.
    """
    if not isinstance(raw, list):
        raise ValidationError("Availability must be a list of weekly time slots.")
    errors: list[str] = []
    parsed: list[tuple[int, int, int]] = []
    for number, slot in enumerate(raw, start=1):
        if not isinstance(slot, dict) or set(slot) != {"day", "start", "end"}:
            errors.append(f"Slot {number} must have exactly a day, a start and an end.")
            continue
        day = slot["day"]
        if day not in DAY_NAMES:
            errors.append(f"Slot {number}: the day must be one of {', '.join(DAYS)}.")
            continue
        start, end = parse_time(slot["start"]), parse_time(slot["end"])
        if start is None or end is None:
            errors.append(f"Slot {number}: times must be written HH:MM, from 00:00 to 24:00.")
            continue
        if end <= start:
            errors.append(
                f"{DAY_NAMES[day]} {slot['start']}–{slot['end']}: the end must be after the start."
            )
            continue
        parsed.append((DAYS.index(day), start, end))
    parsed.sort()
    merged: list[tuple[int, int, int]] = []
    for day_index, start, end in parsed:
        if merged and merged[-1][0] == day_index and start < merged[-1][2]:
            previous = merged[-1]
            errors.append(
                f"{DAY_NAMES[DAYS[day_index]]} {format_minutes(start)}–{format_minutes(end)} "
                f"overlaps {format_minutes(previous[1])}–{format_minutes(previous[2])}."
            )
            continue
        if merged and merged[-1][0] == day_index and start == merged[-1][2]:
            merged[-1] = (day_index, merged[-1][1], end)
        else:
            merged.append((day_index, start, end))
    if errors:
        raise ValidationError(errors)
    return [_slot(DAYS[d], start, end) for d, start, end in merged]


def weekly_minutes(slots: Iterable[dict[str, str]]) -> int:
    total = 0
    for slot in slots:
        start, end = parse_time(slot["start"]), parse_time(slot["end"])
        if start is not None and end is not None:
            total += max(0, end - start)
    return total
