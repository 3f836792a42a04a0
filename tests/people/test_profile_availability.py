"""Weekly availability: the grid's cells become merged slots; bad slots are refused clearly."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from openmentor.matching.engine.io import load_problem
from openmentor.people.timezones import (
    availability_clean,
    cell_choices,
    cells_to_slots,
    slots_to_cells,
    timezone_choices,
    weekly_minutes,
)

ALL_CELLS = [value for value, _ in cell_choices()]


def test_consecutive_cells_merge_into_one_slot_per_run() -> None:
    cells = ["mon-09:00", "mon-09:30", "mon-10:00", "mon-14:00", "sun-23:30", "sun-23:00"]
    assert cells_to_slots(cells) == [
        {"day": "mon", "start": "09:00", "end": "10:30"},
        {"day": "mon", "start": "14:00", "end": "14:30"},
        {"day": "sun", "start": "23:00", "end": "24:00"},
    ]


def test_the_grid_shows_every_cell_a_stored_slot_touches() -> None:
    slots = [
        {"day": "wed", "start": "09:15", "end": "10:00"},
        {"day": "fri", "start": "23:30", "end": "24:00"},
    ]
    assert slots_to_cells(slots) == {"wed-09:00", "wed-09:30", "fri-23:30"}


@given(st.sets(st.sampled_from(ALL_CELLS)))
def test_cells_round_trip_through_slots(cells: set[str]) -> None:
    slots = cells_to_slots(cells)
    assert slots_to_cells(slots) == cells
    assert availability_clean(slots) == slots  # already merged, sorted and valid
    assert weekly_minutes(slots) == 30 * len(cells)


@given(st.sets(st.sampled_from(ALL_CELLS)))
def test_the_matching_engine_reads_the_stored_slots(cells: set[str]) -> None:
    person = {"id": "p", "timezone": "Asia/Kolkata", "availability": cells_to_slots(cells)}
    mentor = {"id": "m", "timezone": "UTC"}
    problem = load_problem({"version": 1, "mentees": [person], "mentors": [mentor]})
    assert len(problem.mentees[0].availability) == len(cells_to_slots(cells))


def test_touching_slots_are_merged_and_sorted() -> None:
    raw = [
        {"day": "tue", "start": "10:00", "end": "11:00"},
        {"day": "mon", "start": "08:00", "end": "09:00"},
        {"day": "tue", "start": "09:00", "end": "10:00"},
    ]
    assert availability_clean(raw) == [
        {"day": "mon", "start": "08:00", "end": "09:00"},
        {"day": "tue", "start": "09:00", "end": "11:00"},
    ]


BAD_SLOTS: list[tuple[str, Any, str]] = [
    (
        "end before start",
        [{"day": "tue", "start": "10:00", "end": "09:00"}],
        "Tuesday 10:00–09:00: the end must be after the start.",
    ),
    (
        "empty slot",
        [{"day": "tue", "start": "10:00", "end": "10:00"}],
        "the end must be after the start",
    ),
    (
        "overlapping",
        [
            {"day": "tue", "start": "09:00", "end": "11:00"},
            {"day": "tue", "start": "10:00", "end": "12:00"},
        ],
        "Tuesday 10:00–12:00 overlaps 09:00–11:00.",
    ),
    (
        "unknown day",
        [{"day": "funday", "start": "09:00", "end": "10:00"}],
        "the day must be one of mon",
    ),
    (
        "malformed time",
        [{"day": "mon", "start": "9am", "end": "10:00"}],
        "times must be written HH:MM",
    ),
    (
        "past midnight",
        [{"day": "mon", "start": "23:00", "end": "24:30"}],
        "times must be written HH:MM",
    ),
    (
        "missing end",
        [{"day": "mon", "start": "09:00"}],
        "must have exactly a day, a start and an end",
    ),
    ("not an object", ["mon 9-10"], "must have exactly a day, a start and an end"),
    ("not a list", {"day": "mon"}, "Availability must be a list of weekly time slots."),
]


@pytest.mark.parametrize(
    ("raw", "message"), [c[1:] for c in BAD_SLOTS], ids=[c[0] for c in BAD_SLOTS]
)
def test_bad_slots_are_refused_with_a_clear_message(raw: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        availability_clean(raw)
    assert any(message in m for m in caught.value.messages), caught.value.messages


def test_the_timezone_list_is_searchable_names_with_utc_first() -> None:
    names = timezone_choices()
    assert names[0] == "UTC"
    assert "Europe/London" in names and "Asia/Kolkata" in names and "America/St_Johns" in names
    assert not any(n.startswith(("Etc/", "US/", "posix")) for n in names)
