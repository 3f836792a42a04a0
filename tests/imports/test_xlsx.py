"""The streaming XLSX reader gives what openpyxl gives, and stops at the limits."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook

from openmentor.programmes.imports import reading, xlsx
from tests.imports.workbooks import workbook_of_rows


def _rows(content: bytes, **limits: int) -> list[tuple[int, list[str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return list(
            xlsx.sheet_rows(
                archive,
                max_columns=limits.get("max_columns", 100),
                max_chars=limits.get("max_chars", 5000),
            )
        )


def _saved(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_cells_read_as_text_the_way_a_spreadsheet_shows_them() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Email", "Name", "N", "F", "B", "When", "Day", "Neg", "Frac"])
    sheet.append(
        [
            "a@b.org",
            "  Zoë ",
            3,
            12.0,
            True,
            datetime(2024, 1, 5, 13, 30),  # noqa: DTZ001  (a spreadsheet's dates are naive)
            date(2023, 2, 1),
            -7,
            1.5,
        ]
    )
    sheet.append([None, None])  # blank: left out
    sheet["L4"] = "far right"  # a gap of blank cells before it
    workbook.create_sheet("Second").append(["not", "read"])
    assert _rows(_saved(workbook)) == [
        (1, ["Email", "Name", "N", "F", "B", "When", "Day", "Neg", "Frac"]),
        (
            2,
            [
                "a@b.org",
                "Zoë",
                "3",
                "12",
                "TRUE",
                "2024-01-05T13:30:00",
                "2023-02-01T00:00:00",
                "-7",
                "1.5",
            ],
        ),  # fmt: skip
        (4, ["", "", "", "", "", "", "", "", "", "", "", "far right"]),
    ]


def test_rich_text_inline_strings_and_formula_results() -> None:
    rows = [
        b'<row r="1"><c r="A1" t="inlineStr"><is><r><t>Ju</t></r><r><t>ne</t></r>'
        b"<rPh><t>reading aid</t></rPh></is></c>"
        b'<c r="B1" t="str"><f>CONCAT("a","b")</f><v>ab</v></c>'
        b'<c r="C1" t="e"><v>#N/A</v></c><c r="D1" t="b"><v>0</v></c>'
        b'<c r="Z1" s="3"/></row>'  # a styled, empty cell makes the row no wider
    ]
    assert _rows(workbook_of_rows(rows)) == [(1, ["June", "ab", "#N/A", "FALSE"])]


def test_a_row_past_the_column_limit_is_refused_at_its_end_with_its_width() -> None:
    rows = [b'<row r="1"><c r="A1"><v>1</v></c><c r="DA1"><v>2</v></c></row>']
    with pytest.raises(xlsx.RowTooWide) as error:
        _rows(workbook_of_rows(rows))
    assert (error.value.row, error.value.width) == (1, 105)


def test_blank_cells_past_the_column_limit_are_not_counted() -> None:
    rows = [
        b'<row r="1"><c r="A1"><v>1</v></c><c r="DA1" t="inlineStr"><is><t> </t></is></c></row>'
    ]
    assert _rows(workbook_of_rows(rows)) == [(1, ["1"])]


def test_a_shared_string_past_the_cell_limit_is_refused_where_it_is_used() -> None:
    workbook = Workbook()
    workbook.active.append(["Email", "Bio"])
    workbook.active.append(["a@b.org", "x" * 6000])
    with pytest.raises(xlsx.CellTooLong) as error:
        _rows(_saved(workbook))
    assert (error.value.row, error.value.column, error.value.length) == (2, 1, 6000)


def test_a_workbook_with_a_dtd_is_refused_as_damaged() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        b"<worksheet><sheetData><row><c><v>&lol;</v></c></row></sheetData></worksheet>"
    )
    content = workbook_of_rows([])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = bomb if info.filename.endswith("sheet1.xml") else source.read(info)
            target.writestr(info.filename, data)
    with pytest.raises(reading.ImportFileError, match="damaged"):
        reading.table_summary(out.getvalue())


@pytest.mark.parametrize(
    "sheet",
    [b"<worksheet><sheetData><row><c><v>1</v></c>", b"not xml at all"],
    ids=["cut-off", "not-xml"],
)
def test_a_sheet_that_is_not_well_formed_is_refused_as_damaged(sheet: bytes) -> None:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_of_rows([]))) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            data: Any = sheet if info.filename.endswith("sheet1.xml") else source.read(info)
            target.writestr(info.filename, data)
    with pytest.raises(reading.ImportFileError, match="damaged"):
        reading.table_summary(out.getvalue())


def test_a_workbook_past_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [b'<row r="1"><c t="inlineStr"><is><t>Email</t></is></c></row>'] + [
        b'<row r="%d"><c t="inlineStr"><is><t>a%d@b.org</t></is></c></row>' % (n, n)
        for n in range(2, 7)
    ]
    with pytest.raises(reading.ImportFileError, match="more than 3 rows"):
        reading.table_summary(workbook_of_rows(rows))
