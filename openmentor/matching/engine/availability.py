"""Weekly availability as UTC minute-of-week intervals, and exact overlaps.

"Exact" here means: for each reference week (``settings.availability_weeks``, default one
January and one July week so both hemispheres' summer and winter time are seen), every
local slot is converted to UTC with that day's real offset from the IANA database (so a
slot that spans a daylight-saving change has its true length), the week is treated as
cyclic, and the overlap of two people is the number of minutes both are free in UTC. The
factor and the minimum-overlap rule use the smallest overlap over the reference weeks:
an overlap the pair can count on all year round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from .model import Person

WEEK = 7 * 24 * 60
UTC = dt.UTC


def week_start(date: str) -> dt.date:
    d = dt.date.fromisoformat(date)
    return d - dt.timedelta(days=d.weekday())


def utc_intervals(person: Person, monday: dt.date) -> list[tuple[int, int]]:
    """The person's slots in the week of ``monday`` as [start, end) UTC minutes of the week,
    split at the week boundary (the week is cyclic)."""
    tz = ZoneInfo(person.timezone) if person.timezone else UTC
    base = dt.datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    out: list[tuple[int, int]] = []
    for s in person.availability:
        day = monday + dt.timedelta(days=s.day)
        loc0 = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        a = _minutes(loc0 + dt.timedelta(minutes=s.start), base)
        b = _minutes(loc0 + dt.timedelta(minutes=s.end), base)
        if b <= a:
            continue  # a slot swallowed by a clock change
        a0 = a % WEEK
        b0 = a0 + (b - a)
        if b0 <= WEEK:
            out.append((a0, b0))
        else:
            out.append((a0, WEEK))
            out.append((0, b0 - WEEK))
    return out


def _minutes(local: dt.datetime, base: dt.datetime) -> int:
    # Wall-clock arithmetic above; convert the resulting local time to UTC here.
    utc = local.replace(tzinfo=local.tzinfo).astimezone(UTC)
    return int((utc - base).total_seconds() // 60)


def utc_offset_hours(person: Person, monday: dt.date) -> float | None:
    if not person.timezone:
        return None
    when = dt.datetime(monday.year, monday.month, monday.day, 12, tzinfo=UTC) + dt.timedelta(days=2)
    off = when.astimezone(ZoneInfo(person.timezone)).utcoffset()
    return None if off is None else off.total_seconds() / 3600.0


def overlap_minutes(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Minutes in both interval lists (each may overlap itself)."""
    total = 0
    for x0, x1 in _merge(a):
        for y0, y1 in _merge(b):
            total += max(0, min(x1, y1) - max(x0, y0))
    return total


def _merge(iv: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(iv):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


@dataclass(frozen=True)
class WeekGrid:
    """Elementary segments of one week: cover[p, k] is 1 where person p is free in segment k."""

    lengths: NDArray[np.float32]
    mentees: NDArray[np.float32]
    mentors: NDArray[np.float32]


def build_grid(
    mentee_iv: Sequence[Sequence[tuple[int, int]]], mentor_iv: Sequence[Sequence[tuple[int, int]]]
) -> WeekGrid:
    points = {0, WEEK}
    for group in (mentee_iv, mentor_iv):
        for iv in group:
            for a, b in iv:
                points.add(a)
                points.add(b)
    bp = np.array(sorted(points), dtype=np.int64)
    lengths = np.diff(bp).astype(np.float32)

    def cover(group: Sequence[Sequence[tuple[int, int]]]) -> NDArray[np.float32]:
        k = len(bp) - 1
        diff = np.zeros((len(group), k + 1), dtype=np.int32)
        rows, starts, ends = [], [], []
        for p, iv in enumerate(group):
            for a, b in iv:
                rows.append(p)
                starts.append(a)
                ends.append(b)
        if rows:
            r = np.array(rows)
            np.add.at(diff, (r, np.searchsorted(bp, starts)), 1)
            np.add.at(diff, (r, np.searchsorted(bp, ends)), -1)
        return (np.cumsum(diff[:, :k], axis=1) > 0).astype(np.float32)

    return WeekGrid(lengths, cover(mentee_iv), cover(mentor_iv))


PARTS = ((0, 6, "night"), (6, 12, "morning"), (12, 18, "afternoon"), (18, 24, "evening"))


def part_of_day(utc_minute: int, person: Person, monday: dt.date) -> str:
    tz = ZoneInfo(person.timezone) if person.timezone else UTC
    base = dt.datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    local = (base + dt.timedelta(minutes=utc_minute)).astimezone(tz)
    h = local.hour
    for lo, hi, name in PARTS:
        if lo <= h < hi:
            return name
    return "night"


def largest_common(
    a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for x0, x1 in _merge(a):
        for y0, y1 in _merge(b):
            lo, hi = max(x0, y0), min(x1, y1)
            if hi > lo and (best is None or hi - lo > best[1] - best[0]):
                best = (lo, hi)
    return best
