"""Local wall-clock times, UTC instants and common free times, exact across DST changes.

Pure Python (zoneinfo), no Django. The matching engine's availability module works on a
cyclic minute-of-week, which is right for "how much do two people overlap in a typical
week" but loses which calendar week a slot belongs to; scheduling needs real dates, so
this module walks the actual days of the window and converts each local slot with that
day's own offset from the IANA database.

Local times that do not exist (the hour skipped when clocks go forward) are refused by
`local_to_utc`; times that happen twice (the hour repeated when clocks go back) resolve
to the FIRST occurrence and say so, so the person can pick another time if they meant
the second one. Documented in docs of this module because both choices are visible.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Interval = tuple[dt.datetime, dt.datetime]


class NonExistentLocalTime(ValueError):
    """The wall-clock time is skipped by a clock change in that timezone on that day."""


@dataclass(frozen=True)
class Resolved:
    utc: dt.datetime
    ambiguous: bool  # the local time happened twice; `utc` is the first occurrence


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(date: dt.date, time: dt.time, tz_name: str) -> Resolved:
    tz = zone(tz_name)
    naive = dt.datetime.combine(date, time.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    utc = first.astimezone(UTC)
    # A time in a gap does not survive the round trip back to local wall-clock time.
    if utc.astimezone(tz).replace(tzinfo=None) != naive:
        raise NonExistentLocalTime(
            f"This time does not exist in {tz.key} on that day (clocks go forward)."
        )
    return Resolved(utc=utc, ambiguous=first.utcoffset() != second.utcoffset())


def shift_local_weeks(start_utc: dt.datetime, weeks: int, tz_name: str) -> dt.datetime:
    """The same local wall-clock time `weeks` weeks later (a 09:00 meeting stays at 09:00
    after the clocks change). A time that falls in a gap moves forward by the gap."""
    tz = zone(tz_name)
    local = start_utc.astimezone(tz).replace(tzinfo=None) + dt.timedelta(weeks=weeks)
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _minutes(value: object) -> int | None:
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes:
        return None
    return hours * 60 + minutes


def availability_intervals(
    availability: Iterable[Mapping[str, object]],
    tz_name: str,
    start: dt.datetime,
    end: dt.datetime,
) -> list[Interval]:
    """The person's weekly slots (local, `[{"day","start","end"}]`) as real UTC intervals
    within [start, end), merged."""
    tz = zone(tz_name)
    slots = []
    for slot in availability:
        day = slot.get("day")
        a, b = _minutes(slot.get("start")), _minutes(slot.get("end"))
        if day in DAYS and a is not None and b is not None and b > a:
            slots.append((DAYS.index(str(day)), a, b))
    out: list[Interval] = []
    # One day either side: a local day can start in the previous or next UTC day.
    day = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date() + dt.timedelta(days=1)
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time())
        for weekday, a, b in slots:
            if weekday != day.weekday():
                continue
            lo = (midnight + dt.timedelta(minutes=a)).replace(tzinfo=tz).astimezone(UTC)
            hi = (midnight + dt.timedelta(minutes=b)).replace(tzinfo=tz).astimezone(UTC)
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                out.append((lo, hi))
        day += dt.timedelta(days=1)
    return merge(out)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(free: Sequence[Interval], busy: Iterable[Interval]) -> list[Interval]:
    out = list(free)
    for b0, b1 in merge(busy):
        next_out: list[Interval] = []
        for a0, a1 in out:
            if b1 <= a0 or b0 >= a1:
                next_out.append((a0, a1))
                continue
            if a0 < b0:
                next_out.append((a0, b0))
            if b1 < a1:
                next_out.append((b1, a1))
        out = next_out
    return out


def candidate_starts(
    free: Sequence[Interval],
    *,
    duration: dt.timedelta,
    viewer_tz: str,
    step_minutes: int = 30,
    limit: int = 48,
) -> list[dt.datetime]:
    """Starts on the viewer's local half hours where a meeting of `duration` fits."""
    tz = zone(viewer_tz)
    out: list[dt.datetime] = []
    for lo, hi in free:
        local = lo.astimezone(tz)
        # Round up to the viewer's next :00 or :30 (right for :30 and :45 offset zones too).
        past = (local.minute % step_minutes) * 60 + local.second
        start = lo + dt.timedelta(seconds=(step_minutes * 60 - past) % (step_minutes * 60))
        start = start.replace(microsecond=0)
        while start + duration <= hi:
            out.append(start)
            if len(out) >= limit:
                return out
            start += dt.timedelta(minutes=step_minutes)
    return out
