"""Crafted workbooks for the limits of imports, built part by part with zipfile (no
Django), so that tests and bench/import_pathological.py share them."""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterable, Iterator

_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = b"</sheetData></worksheet>"


def workbook_of_rows(rows: Iterable[bytes]) -> bytes:
    """A minimal .xlsx whose first sheet holds the given <row> elements, written as they
    come so that a sheet of hundreds of megabytes is never whole in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START)
            for row in rows:
                sheet.write(row)
            sheet.write(_SHEET_END)
    return out.getvalue()


@functools.cache
def wide_workbook(columns: int = 16_000, rows: int = 800) -> bytes:
    """The probe's workbook: one row of `columns` numbers, `rows` times (16,000 by 800
    is 0.5 MB zipped and 190 MB unpacked, under the 200 MB limit)."""

    cells = b"<c><v>1</v></c>" * columns  # cells may leave their reference out

    def repeated() -> Iterator[bytes]:
        for number in range(1, rows + 1):
            yield b'<row r="%d">%s</row>' % (number, cells)

    return workbook_of_rows(repeated())


def huge_cell_workbook(characters: int) -> bytes:
    """A header row, then one person whose second cell holds `characters` characters
    (an inline string, so no shared-strings part gives it away from the zip's listing)."""
    chunk = b"y" * (1024 * 1024)

    def rows() -> Iterator[bytes]:
        yield (
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Bio</t></is></c>'
            b'<c r="C1" t="inlineStr"><is><t>Role</t></is></c></row>'
        )
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>ann@example.org</t></is></c>'
        yield b'<c r="B2" t="inlineStr"><is><t>'
        left = characters
        while left:
            yield chunk[: min(left, len(chunk))]
            left -= min(left, len(chunk))
        yield b'</t></is></c><c r="C2" t="inlineStr"><is><t>mentee</t></is></c></row>'

    return workbook_of_rows(rows())
