"""Each table of the programme dashboard as CSV or XLSX, safe to open in a spreadsheet.

Text a spreadsheet would run as a formula is neutralised as in the participant export
(programmes.participants.exporting.neutralise), and XML-illegal characters are dropped.
"""

from __future__ import annotations

import csv
import io

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from openmentor.dashboard.programme_report import Table
from openmentor.programmes.participants.exporting import neutralise

FORMATS = ("csv", "xlsx")


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark (Excel reads non-English text right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # A sheet's title holds at most 31 characters and none of []:*?/\ .
    sheet = workbook.create_sheet(table.key[:31])
    sheet.append([neutralise(c) for c in table.columns])
    for row in table.rows:
        sheet.append(
            [
                neutralise(ILLEGAL_CHARACTERS_RE.sub("", cell)) if isinstance(cell, str) else cell
                for cell in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
