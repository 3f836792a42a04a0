"""Reading an uploaded table of participants: CSV (any common encoding and delimiter) or
XLSX, and which of its columns mean what. Plain Python, no Django: it takes bytes and
returns rows of text, so it can be tested and benchmarked on its own.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# An XLSX is a zip: refuse one that would expand beyond this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
# Reading (in a background task, streaming: programmes/imports/xlsx.py) stops at the
# first row or cell past these, so a crafted sheet (one row of 16,000 cells, repeated)
# costs a moment of a worker, and a huge cell is counted, never held.
MAX_COLUMNS = 100
MAX_CELL_CHARS = 5000
# A workbook's shared strings are held for the whole read (each one cut at the cell
# limit), so their part is refused above this size, from the zip's listing alone.
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
LIMITS = "at most 50,000 rows, 100 columns and 5,000 characters in a cell"


class ImportFileError(Exception):
    """The uploaded file cannot be imported; the message is shown to the manager."""


# --- The columns OpenMentor understands ----------------------------------------------


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    # Header names (lower case, letters and digits only) that map to this field.
    aliases: tuple[str, ...]
    required: bool = False


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "email",
        "E-mail address",
        ("email", "emailaddress", "mail", "workemail", "emailid"),
        required=True,
    ),
    ImportField("first_name", "First name", ("firstname", "givenname", "forename", "first")),
    ImportField("last_name", "Last name", ("lastname", "surname", "familyname", "last")),
    ImportField(
        "role",
        "Role (mentor or mentee)",
        ("role", "programmerole", "participanttype", "type", "mentorormentee"),
        required=True,
    ),
    ImportField("job_title", "Job title", ("jobtitle", "title", "position", "job")),
    ImportField("department", "Department", ("department", "dept", "team", "division")),
    ImportField("timezone", "Timezone", ("timezone", "tz", "timezonename")),
    ImportField("languages", "Languages", ("languages", "language", "langs")),
    ImportField("skills", "Skills", ("skills", "skill", "topics", "expertise", "interests")),
    ImportField("goals", "Goals", ("goals", "goal", "objectives")),
    ImportField("bio", "Bio", ("bio", "biography", "about", "aboutme")),
    ImportField(
        "capacity",
        "Mentor capacity",
        ("capacity", "mentorcapacity", "maxmentees", "mentees"),
    ),
    ImportField(
        "seniority",
        "Seniority (years)",
        ("seniority", "seniorityyears", "yearsofexperience", "experience", "years"),
    ),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
FIELD_LABELS = {f.key: f.label for f in FIELDS}


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def mapping_guess(header: Sequence[str]) -> dict[str, int]:
    """Field key → column index, from the header's names; each column used once."""
    keys = [_header_key(name) for name in header]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for import_field in FIELDS:
        for alias in import_field.aliases:
            if alias in keys and keys.index(alias) not in used:
                mapping[import_field.key] = keys.index(alias)
                used.add(keys.index(alias))
                break
    return mapping


# --- Reading the file ------------------------------------------------------------------

# Bytes that never occur in a text file (everything below space except tab, LF, FF, CR).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old Excel (.xls) or other Office file. Save it as .xlsx or CSV.",
    ),
    (b"\x89PNG", "This is a PNG image, not a CSV or Excel (.xlsx) file."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a CSV or Excel (.xlsx) file."),
    (b"GIF8", "This is a GIF image, not a CSV or Excel (.xlsx) file."),
    (b"%PDF", "This is a PDF document, not a CSV or Excel (.xlsx) file."),
    (b"\x1f\x8b", "This is a compressed (gzip) file. Upload the CSV or .xlsx file itself."),
)
NOT_A_TABLE = "This file is neither a CSV file nor an Excel (.xlsx) workbook."
# How much of an upload `file_sniff` looks at.
SNIFF_BYTES = 65536


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    encoding: str  # how a CSV was decoded; blank for XLSX
    header: list[str]
    # (row number as a spreadsheet shows it, the header being row 1; the cells),
    # blank rows left out. A generator: read it once.
    rows: Iterator[tuple[int, list[str]]]


def file_sniff(head: bytes, size: int) -> str:
    """ "csv" or "xlsx" from the first bytes of a file (at least SNIFF_BYTES of them, or
    all), whatever the file is called: cheap enough for the upload request itself. The
    rest is checked by `file_kind` and the reading, in the background task."""
    if size == 0 or (size <= len(head) and not head.strip()):
        raise ImportFileError("The file is empty.")
    for magic, message in _MAGIC:
        if head.startswith(magic):
            raise ImportFileError(message)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xef\xbb\xbf"):
        return "csv"
    if _BINARY_BYTES.search(head[:SNIFF_BYTES]):
        raise ImportFileError(NOT_A_TABLE)
    return "csv"


def file_kind(data: bytes) -> str:
    """ "csv" or "xlsx" from the content itself; for a workbook, its parts are listed
    (not unpacked) and checked against the limits."""
    kind = file_sniff(data[:SNIFF_BYTES], len(data))
    if kind == "xlsx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                expanded = sum(info.file_size for info in archive.infolist())
                shared_strings = sum(
                    info.file_size
                    for info in archive.infolist()
                    if info.filename.lower() == "xl/sharedstrings.xml"
                )
        except zipfile.BadZipFile as error:
            raise ImportFileError("This zip file is damaged; it cannot be read.") from error
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportFileError(
                "This is a zip file but not an Excel (.xlsx) workbook. Upload a CSV or .xlsx file."
            )
        if expanded > MAX_XLSX_UNCOMPRESSED:
            raise ImportFileError("This workbook is too large once unpacked; split it up.")
        if shared_strings > MAX_SHARED_STRINGS_BYTES:
            raise ImportFileError(
                f"This workbook holds more text than an import can take ({LIMITS}). "
                "Remove the very long cells, or split the file."
            )
    return kind


def csv_decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding used: UTF-8 (with or without BOM), else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Latin-1 decodes any byte string: spreadsheets saved by older Excel on Windows.
        return data.decode("latin-1"), "latin-1"


def csv_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the header line into the most columns."""
    first_line = next(iter(text.splitlines()), "")
    best, best_count = ",", 1
    for delimiter in (",", ";", "\t"):
        count = len(next(csv.reader([first_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            # The csv module's own cap (128 K characters): far past ours, so say ours.
            raise ImportFileError(
                f"A cell near line {reader.line_num} holds more than {MAX_CELL_CHARS:,} "
                f"characters; an import takes {LIMITS}."
            ) from error
        raise ImportFileError(
            f"The CSV file is malformed near line {reader.line_num}: {error}."
        ) from error


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openmentor.programmes.imports import xlsx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            yield from xlsx.sheet_rows(archive, max_columns=MAX_COLUMNS, max_chars=MAX_CELL_CHARS)
    except xlsx.RowTooWide as error:
        width = f"more than {error.width:,}" if error.more else f"{error.width:,}"
        raise ImportFileError(_too_wide(error.row, width)) from error
    except xlsx.CellTooLong as error:
        raise ImportFileError(_too_long(error.row, error.column, error.length)) from error
    except (xlsx.WorkbookDamaged, zipfile.BadZipFile, OSError, EOFError) as error:
        raise ImportFileError("This Excel workbook is damaged; it cannot be read.") from error


def table_open(data: bytes) -> Table:
    """Reads the header; the rows follow lazily. Raises ImportFileError when unusable."""
    kind = file_kind(data)
    records: Iterator[tuple[int, list[str]]]
    if kind == "csv":
        text, encoding = csv_decode(data)
        records = _csv_records(text)
    else:
        encoding = ""
        records = _xlsx_records(data)
    number, first = next(records, (0, []))
    if number != 1 or not any(first):
        raise ImportFileError(
            "The first row is empty. It must name the columns, for example: "
            "email, first name, last name, role."
        )
    while first and not first[-1]:
        first.pop()  # spreadsheets often carry empty columns on the right
    _within_limits(first, 1)
    if any(_looks_like_email(cell) for cell in first):
        raise ImportFileError(
            "The first row holds an e-mail address, so the file has no header row. Add a "
            "first row naming the columns, for example: email, first name, last name, role."
        )
    header = [cell[:100] or f"Column {_column_letter(i)}" for i, cell in enumerate(first)]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, record in records:
            while record and not record[-1]:
                record.pop()
            if record:
                _within_limits(record, number)
                yield number, record

    return Table(kind=kind, encoding=encoding, header=header, rows=rows())


def _too_wide(number: int, width: str) -> str:
    return (
        f"Row {number} has {width} columns; an import takes {LIMITS}. "
        "Remove the extra columns, or split the file."
    )


def _too_long(number: int, index: int, length: int) -> str:
    return (
        f"The cell in row {number}, column {_column_letter(index)} holds "
        f"{length:,} characters; an import takes {LIMITS}."
    )


def _within_limits(record: list[str], number: int) -> None:
    if len(record) > MAX_COLUMNS:
        raise ImportFileError(_too_wide(number, f"{len(record):,}"))
    for index, cell in enumerate(record):
        if len(cell) > MAX_CELL_CHARS:
            raise ImportFileError(_too_long(number, index, len(cell)))


def _looks_like_email(value: str) -> bool:
    return "@" in value and " " not in value.strip() and "." in value.rpartition("@")[2]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_label(header: Sequence[str], index: int) -> str:
    return f"{header[index]} (column {_column_letter(index)})"


@dataclass(frozen=True)
class TableSummary:
    kind: str
    encoding: str
    header: list[str]
    total_rows: int
    # The first rows, as wide as the header, for the mapping page.
    preview: list[list[str]] = field(default_factory=list)


PREVIEW_ROWS = 5
PREVIEW_CHARS = 200
# How often (in rows) `table_summary` reports how far it got.
PROGRESS_EVERY = 1000


def table_summary(data: bytes, *, progress: Callable[[int], None] | None = None) -> TableSummary:
    """Checks a whole upload: readable, a header, 1 to MAX_ROWS data rows, not too big.

    It reads row by row and stops at the first limit passed; `progress` is called with
    the count of rows read every PROGRESS_EVERY rows."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    table = table_open(data)
    width = len(table.header)
    preview: list[list[str]] = []
    total = 0
    for _, cells in table.rows:
        total += 1
        if total > MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} rows of participants; the limit is "
                f"{MAX_ROWS:,}. Split it into smaller files."
            )
        if len(preview) < PREVIEW_ROWS:
            # Cut: the page shows 60 characters of a cell; the row stays small.
            preview.append([cell[:PREVIEW_CHARS] for cell in (cells + [""] * width)[:width]])
        if progress is not None and total % PROGRESS_EVERY == 0:
            progress(total)
    if total == 0:
        raise ImportFileError("The file has a header row but no participants under it.")
    return TableSummary(
        kind=table.kind,
        encoding=table.encoding,
        header=table.header,
        total_rows=total,
        preview=preview,
    )
