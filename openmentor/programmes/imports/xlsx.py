"""Streaming reader of the first sheet of an Excel (.xlsx) workbook, limits checked as it
reads. Plain Python, no Django.

openpyxl, even read-only, builds each row whole before the first cell can be looked at
(a row of 16,000 cells, 800 times, kept a web process busy for a minute) and pads every
row to the width the sheet declares; a cell's text is built whole too. This reads the
sheet's XML with expat, 64 KB at a time: a cell past the column limit is counted but not
kept, and a cell's text stops being kept past the character limit, so memory stays
bounded whatever the file holds, and reading stops at the end of the first row or cell
over a limit.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from posixpath import dirname, join, normpath
from typing import IO, Any
from xml.parsers import expat

CHUNK = 64 * 1024
# Excel's own limits: a sheet has at most 16,384 columns, a workbook 64,000 cell formats.
EXCEL_MAX_COLUMNS = 16_384
MAX_CELL_FORMATS = 65_536

MAIN = "xl/workbook.xml"
_FALLBACK_SHEET = "xl/worksheets/sheet1.xml"


class WorkbookDamaged(Exception):
    """The workbook's parts are missing or are not the XML they should be."""


class RowTooWide(Exception):
    def __init__(self, row: int, width: int, more: bool = False) -> None:
        super().__init__(row, width)
        self.row, self.width, self.more = row, width, more


class CellTooLong(Exception):
    def __init__(self, row: int, column: int, length: int) -> None:
        super().__init__(row, column, length)
        self.row, self.column, self.length = row, column, length


def _local(name: str) -> str:
    # The parser runs in namespace mode: "uri local"; attributes without a namespace
    # arrive as they are.
    return name.rpartition(" ")[2]


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")

    def no_dtd(*_: object) -> None:
        # A workbook never needs a DTD; refusing them rules out entity expansion.
        raise WorkbookDamaged("DTD")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _feed(parser: Any, stream: IO[bytes]) -> None:
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise WorkbookDamaged(str(error)) from error


def _parse_part(archive: zipfile.ZipFile, name: str, start: Callable[..., None]) -> None:
    parser = _parser()
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)
    try:
        with archive.open(name) as stream:
            _feed(parser, stream)
    except KeyError as error:
        raise WorkbookDamaged(f"no {name}") from error


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """The path of the first sheet in the workbook's order, and whether dates count
    from 1904 (old Mac workbooks)."""
    found: dict[str, str] = {}
    date1904 = False

    def workbook(tag: str, attrs: dict[str, str]) -> None:
        nonlocal date1904
        if tag == "workbookPr":
            date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet" and "id" not in found:
            for key, value in attrs.items():
                if _local(key) == "id":
                    found["id"] = value

    _parse_part(archive, MAIN, workbook)
    rels = "xl/_rels/workbook.xml.rels"
    if "id" not in found or rels not in archive.namelist():
        return _FALLBACK_SHEET, date1904

    def relationships(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("Id") == found["id"] and "target" not in found:
            found["target"] = attrs.get("Target", "")

    _parse_part(archive, rels, relationships)
    target = found.get("target", "")
    if not target:
        return _FALLBACK_SHEET, date1904
    path = target.lstrip("/") if target.startswith("/") else normpath(join(dirname(MAIN), target))
    return path, date1904


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indices of the cell formats that show a number as a date or time."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt" and len(custom) < MAX_CELL_FORMATS:
            if attrs.get("numFmtId", "").isdigit():
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            depth["cellXfs"] += 1
        elif tag == "xf" and depth["cellXfs"]:
            if len(formats) >= MAX_CELL_FORMATS:
                raise WorkbookDamaged("too many cell formats")
            number = attrs.get("numFmtId", "0")
            formats.append(int(number) if number.isdigit() else 0)

    parser = _parser()
    parser.StartElementHandler = lambda tag, attrs: start(_local(tag), attrs)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            depth["cellXfs"] -= 1

    parser.EndElementHandler = end
    with archive.open("xl/styles.xml") as stream:
        _feed(parser, stream)
    dates = set()
    for index, number in enumerate(formats):
        code = custom.get(number, BUILTIN_FORMATS.get(number, "General"))
        if is_date_format(code):
            dates.add(index)
    return dates


def _shared_strings(archive: zipfile.ZipFile, max_chars: int) -> list[str | int]:
    """The workbook's shared strings; one longer than max_chars is kept as its length
    only, so that a cell using it is refused with that length."""
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return []
    strings: list[str | int] = []
    parts: list[str] = []
    state = {"length": 0, "in_text": False, "phonetic": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "si":
            parts.clear()
            state["length"] = 0
        elif tag == "rPh":
            state["phonetic"] += 1  # the reading aid of East Asian text, not the text
        elif tag == "t" and not state["phonetic"]:
            state["in_text"] = True

    def end(tag: str) -> None:
        tag = _local(tag)
        if tag == "si":
            length = int(state["length"])
            strings.append("".join(parts) if length <= max_chars else length)
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["in_text"] = False

    def text(data: str) -> None:
        if state["in_text"]:
            state["length"] += len(data)
            if state["length"] <= max_chars:
                parts.append(data)
            else:
                parts.clear()

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    with archive.open(name) as stream:
        _feed(parser, stream)
    return strings


def _column_index(reference: str) -> int:
    """0 for "A1", 25 for "Z7", 26 for "AA7"; -1 when the reference has no letters."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index - 1


class _SheetReader:
    """expat handlers for a worksheet; completed rows pile up in `done`."""

    def __init__(
        self,
        shared: list[str | int],
        date_styles: set[int],
        date1904: bool,
        max_columns: int,
        max_chars: int,
    ) -> None:
        self.shared, self.date_styles, self.date1904 = shared, date_styles, date1904
        self.max_columns, self.max_chars = max_columns, max_chars
        self.done: list[tuple[int, list[str]]] = []
        self.row_number = 0
        self.cells: dict[int, str] = {}
        self.width = 0  # one past the last non-empty column of the row
        self.column = -1
        self.kind = ""
        self.style = 0
        self.parts: list[str] = []
        self.length = 0
        self.visible = False  # the cell holds more than blanks
        self.in_value = False
        self.in_inline = 0
        self.phonetic = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        tag = _local(tag)
        if tag == "c":
            reference = attrs.get("r", "")
            index = _column_index(reference) if reference else -1
            self.column = index if index >= 0 else self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s", "0")
            self.style = int(style) if style.isdigit() else 0
            self.parts = []
            self.length = 0
            self.visible = False
        elif tag == "v":
            self.in_value = True
        elif tag == "is":
            self.in_inline += 1
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and self.in_inline and not self.phonetic:
            self.in_value = True
        elif tag == "row":
            number = attrs.get("r", "")
            self.row_number = int(number) if number.isdigit() else self.row_number + 1
            self.cells = {}
            self.width = 0
            self.column = -1

    def text(self, data: str) -> None:
        if not self.in_value:
            return
        self.length += len(data)
        if not self.visible and not data.isspace():
            self.visible = True
        # Past the limit the text is counted, not kept; past the column limit it is not
        # kept at all (only whether the cell holds something matters there).
        if self.length <= self.max_chars and self.column < self.max_columns:
            self.parts.append(data)
        elif self.parts:
            self.parts = []

    def end(self, tag: str) -> None:
        tag = _local(tag)
        if tag in ("v", "t"):
            self.in_value = False
        elif tag == "is":
            self.in_inline -= 1
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c":
            self._cell_end()
        elif tag == "row":
            if self.width > self.max_columns:
                raise RowTooWide(self.row_number, self.width)
            if self.cells:
                row = [""] * self.width
                for index, value in self.cells.items():
                    row[index] = value
                self.done.append((self.row_number, row))

    def _cell_end(self) -> None:
        if self.length > self.max_chars:
            raise CellTooLong(self.row_number, self.column, self.length)
        if self.column >= self.max_columns:
            if self.visible:
                self.width = self.column + 1
                if self.width > EXCEL_MAX_COLUMNS:
                    raise RowTooWide(self.row_number, EXCEL_MAX_COLUMNS, more=True)
            return
        value = self._value("".join(self.parts))
        if value:
            self.cells[self.column] = value
            self.width = max(self.width, self.column + 1)

    def _value(self, raw: str) -> str:
        kind = self.kind
        if kind == "s":
            try:
                shared = self.shared[int(raw)]
            except (ValueError, IndexError) as error:
                raise WorkbookDamaged("shared string index") from error
            if isinstance(shared, int):
                raise CellTooLong(self.row_number, self.column, shared)
            return shared.strip()
        if kind == "b":
            return {"1": "TRUE", "0": "FALSE"}.get(raw.strip(), raw.strip())
        if kind in ("inlineStr", "str", "e", "d"):
            return raw.strip()
        return self._number(raw.strip())

    def _number(self, raw: str) -> str:
        # As openpyxl reads a number: a float when written with a point or an exponent.
        if not raw:
            return ""
        try:
            number = float(raw) if "." in raw or "e" in raw.lower() else int(raw)
        except ValueError:
            return raw
        if self.style in self.date_styles:
            from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

            try:
                epoch = MAC_EPOCH if self.date1904 else WINDOWS_EPOCH
                moment = from_excel(number, epoch)
            except (ValueError, OverflowError):
                moment = None
            if moment is not None and hasattr(moment, "isoformat"):
                return str(moment.isoformat())
        if isinstance(number, float) and number.is_integer():
            return str(int(number))
        return str(number)


def sheet_rows(
    archive: zipfile.ZipFile, *, max_columns: int, max_chars: int
) -> Iterator[tuple[int, list[str]]]:
    """(row number as Excel shows it, the cells as text) of the first sheet's rows that
    hold something, trailing blanks left out. Raises RowTooWide at the end of the first
    row past max_columns, CellTooLong at the end of the first cell past max_chars, and
    WorkbookDamaged when the parts are missing or are not well-formed XML."""
    sheet, date1904 = _first_sheet(archive)
    reader = _SheetReader(
        _shared_strings(archive, max_chars), _date_styles(archive), date1904, max_columns,
        max_chars,
    )  # fmt: skip
    parser = _parser()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.buffer_text = True
    try:
        stream = archive.open(sheet)
    except KeyError as error:
        raise WorkbookDamaged(f"no {sheet}") from error
    with stream:
        try:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                yield from reader.done
                reader.done.clear()
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise WorkbookDamaged(str(error)) from error
        yield from reader.done
