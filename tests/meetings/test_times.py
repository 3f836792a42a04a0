"""Local times, DST gaps and overlaps of weekly availability on real dates."""

from __future__ import annotations

import datetime as dt

import pytest

from openmentor.meetings import times

UTC = dt.UTC


def test_a_time_skipped_by_the_clocks_is_refused_with_the_zone_named() -> None:
    # 30 March 2025: clocks in London jump from 01:00 to 02:00.
    with pytest.raises(times.NonExistentLocalTime) as error:
        times.local_to_utc(dt.date(2025, 3, 30), dt.time(1, 30), "Europe/London")
    assert str(error.value) == (
        "This time does not exist in Europe/London on that day (clocks go forward)."
    )


def test_a_repeated_time_resolves_to_its_first_occurrence() -> None:
    # 26 October 2025: 01:00-02:00 happens twice in London (BST then GMT).
    resolved = times.local_to_utc(dt.date(2025, 10, 26), dt.time(1, 30), "Europe/London")
    assert resolved.ambiguous
    assert resolved.utc == dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_an_ordinary_time_is_converted_with_that_days_offset() -> None:
    winter = times.local_to_utc(dt.date(2025, 1, 14), dt.time(9), "Europe/London")
    summer = times.local_to_utc(dt.date(2025, 7, 15), dt.time(9), "Europe/London")
    assert winter.utc.hour == 9 and summer.utc.hour == 8
    assert not winter.ambiguous


def test_weekly_meeting_keeps_its_local_time_across_the_clock_change() -> None:
    first = dt.datetime(2025, 3, 25, 9, tzinfo=UTC)  # 09:00 GMT
    later = times.shift_local_weeks(first, 1, "Europe/London")
    assert later == dt.datetime(2025, 4, 1, 8, tzinfo=UTC)  # still 09:00, now BST


def test_availability_overlap_is_exact_across_timezones_and_dst() -> None:
    # London Tue 09:00-12:00 and New York Tue 05:00-09:00. In the week of 11 March 2025
    # New York is already on summer time (UTC-4) while London is not (UTC+0):
    # London 09:00-12:00 UTC, New York 09:00-13:00 UTC -> 3 hours in common.
    start = dt.datetime(2025, 3, 10, tzinfo=UTC)
    end = dt.datetime(2025, 3, 17, tzinfo=UTC)
    london = times.availability_intervals(
        [{"day": "tue", "start": "09:00", "end": "12:00"}], "Europe/London", start, end
    )
    new_york = times.availability_intervals(
        [{"day": "tue", "start": "05:00", "end": "09:00"}], "America/New_York", start, end
    )
    common = times.intersect(london, new_york)
    assert common == [
        (dt.datetime(2025, 3, 11, 9, tzinfo=UTC), dt.datetime(2025, 3, 11, 12, tzinfo=UTC))
    ]
    # A week earlier New York was on UTC-5: 10:00-14:00 UTC, so only 10:00-12:00.
    earlier = times.intersect(
        times.availability_intervals(
            [{"day": "tue", "start": "09:00", "end": "12:00"}],
            "Europe/London",
            start - dt.timedelta(days=7),
            start,
        ),
        times.availability_intervals(
            [{"day": "tue", "start": "05:00", "end": "09:00"}],
            "America/New_York",
            start - dt.timedelta(days=7),
            start,
        ),
    )
    assert earlier == [
        (dt.datetime(2025, 3, 4, 10, tzinfo=UTC), dt.datetime(2025, 3, 4, 12, tzinfo=UTC))
    ]


def test_a_local_day_that_starts_on_the_previous_utc_day_is_found() -> None:
    # Auckland (UTC+13 in January) Monday 08:00-09:00 is Sunday 19:00-20:00 UTC.
    start = dt.datetime(2025, 1, 5, tzinfo=UTC)
    found = times.availability_intervals(
        [{"day": "mon", "start": "08:00", "end": "09:00"}],
        "Pacific/Auckland",
        start,
        start + dt.timedelta(days=2),
    )
    assert found == [
        (dt.datetime(2025, 1, 5, 19, tzinfo=UTC), dt.datetime(2025, 1, 5, 20, tzinfo=UTC))
    ]


def test_busy_times_are_taken_out_and_starts_fall_on_the_viewers_half_hours() -> None:
    day = dt.datetime(2025, 3, 11, tzinfo=UTC)
    free = [(day.replace(hour=9), day.replace(hour=12))]
    busy = [(day.replace(hour=10), day.replace(hour=11))]
    left = times.subtract(free, busy)
    assert left == [
        (day.replace(hour=9), day.replace(hour=10)),
        (day.replace(hour=11), day.replace(hour=12)),
    ]
    starts = times.candidate_starts(
        left, duration=dt.timedelta(minutes=30), viewer_tz="Asia/Kathmandu"
    )
    # Kathmandu is UTC+5:45: its :00 and :30 are :15 and :45 in UTC.
    assert starts == [day.replace(hour=9, minute=15), day.replace(hour=11, minute=15)]
    assert all(s.astimezone(times.zone("Asia/Kathmandu")).minute in (0, 30) for s in starts)


def test_malformed_slots_are_ignored_not_crashed_on() -> None:
    start = dt.datetime(2025, 3, 10, tzinfo=UTC)
    bad = [
        {"day": "someday", "start": "09:00", "end": "10:00"},
        {"day": "tue", "start": "9am", "end": "10:00"},
        {"day": "tue", "start": "11:00", "end": "10:00"},
    ]
    assert times.availability_intervals(bad, "Not/AZone", start, start + dt.timedelta(days=7)) == []
