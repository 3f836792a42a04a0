"""What the upload accepts and refuses: the content decides, not the file name."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from openmentor.people.models import ParticipantImport
from openmentor.programmes.imports import reading
from openmentor.programmes.imports import selectors as import_selectors
from openmentor.programmes.models import Programme
from tests.imports.helpers import HEADER, csv_bytes, person, upload, uploaded, xlsx_bytes

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def _refused(response: object, message: str) -> None:
    """Refused by the upload request itself, from the file's size or first bytes."""
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert message in page, page[:3000]
    assert ParticipantImport.objects.count() == 0


def _refused_by_task(client: Client, response: object, message: str) -> None:
    """Stored by the upload, then refused by the task that reads it, saying why on the
    import's page; nothing of the file is kept for a mapping or a dry run."""
    assert response.status_code == 302  # type: ignore[attr-defined]
    participant_import = ParticipantImport.objects.get()
    assert participant_import.status == ParticipantImport.Status.REFUSED
    assert message in participant_import.error, participant_import.error
    assert (participant_import.header, participant_import.total_rows) == ([], 0)
    assert participant_import.preview == []
    page = client.get(response["Location"]).content.decode()  # type: ignore[index]
    assert message in page
    assert "Upload a file" in page
    assert "Check the rows (dry run)" not in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "people.csv", "This is a PNG image"),
        (PNG, "people.xlsx", "This is a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "people.xls", "old Excel (.xls)"),
        (b"%PDF-1.7\n...", "people.csv", "PDF document"),
        (b"email,role\x00\x01\x02\nx", "people.csv", "neither a CSV file nor an Excel"),
    ],
    ids=["png-named-csv", "png-named-xlsx", "xls", "pdf", "binary"],
)
def test_files_that_are_not_tables_are_refused(
    manager_client: Client, programme: Programme, content: bytes, name: str, message: str
) -> None:
    _refused(upload(manager_client, programme, content, name=name), message)


def test_a_zip_that_is_not_a_workbook_is_refused(
    manager_client: Client, programme: Programme
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    _refused_by_task(
        manager_client,
        upload(manager_client, programme, out.getvalue(), name="people.xlsx"),
        "not an Excel (.xlsx) workbook",
    )


def test_a_damaged_workbook_is_refused(manager_client: Client, programme: Programme) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "garbage")
        archive.writestr("xl/workbook.xml", "garbage")
    _refused_by_task(
        manager_client,
        upload(manager_client, programme, out.getvalue(), name="people.xlsx"),
        "damaged",
    )


@pytest.mark.parametrize("content", [b"", b"   \n\n"], ids=["zero-bytes", "blank-lines"])
def test_an_empty_file_is_refused(
    manager_client: Client, programme: Programme, content: bytes
) -> None:
    _refused(upload(manager_client, programme, content), "file is empty.")


def test_a_file_without_a_header_row_is_refused(
    manager_client: Client, programme: Programme
) -> None:
    content = csv_bytes([person(1), person(2)])
    _refused_by_task(manager_client, upload(manager_client, programme, content), "no header row")


def test_a_header_without_rows_is_refused(manager_client: Client, programme: Programme) -> None:
    response = upload(manager_client, programme, csv_bytes([HEADER]))
    _refused_by_task(manager_client, response, "no participants under it")


def test_a_file_over_10_mb_is_refused(manager_client: Client, programme: Programme) -> None:
    content = csv_bytes([HEADER]) + b"x" * (10 * 1024 * 1024)
    _refused(upload(manager_client, programme, content), "the limit is 10 MB")


def test_a_file_over_50000_rows_is_refused(manager_client: Client, programme: Programme) -> None:
    content = b"email,role\n" + b"a@b.co,mentee\n" * (reading.MAX_ROWS + 1)
    response = upload(manager_client, programme, content)
    _refused_by_task(manager_client, response, "more than 50,000 rows")


def test_exactly_50000_rows_are_accepted(manager_client: Client, programme: Programme) -> None:
    content = b"email,role\n" + b"a@b.co,mentee\n" * reading.MAX_ROWS
    assert uploaded(manager_client, programme, content).total_rows == reading.MAX_ROWS


def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_header(
    manager_client: Client, programme: Programme
) -> None:
    content = b"\xef\xbb\xbf" + csv_bytes([HEADER, person(1, **{"First name": "Zoë"})])
    participant_import = uploaded(manager_client, programme, content)
    assert participant_import.encoding == "utf-8-sig"
    assert participant_import.header[0] == "Email"
    assert participant_import.mapping["email"] == 0


def test_utf8_without_bom_keeps_its_accents(manager_client: Client, programme: Programme) -> None:
    content = csv_bytes([HEADER, person(1, **{"First name": "Zoë", "Last name": "Łukasz"})])
    assert not content.startswith(b"\xef\xbb\xbf")
    participant_import = uploaded(manager_client, programme, content)
    assert participant_import.encoding == "utf-8"
    assert import_selectors.table_preview(participant_import)[0][1:3] == ["Zoë", "Łukasz"]


def test_latin1_is_read_and_recorded(manager_client: Client, programme: Programme) -> None:
    content = csv_bytes([HEADER, person(1, **{"First name": "Zoë"})], encoding="latin-1")
    participant_import = uploaded(manager_client, programme, content)
    assert participant_import.encoding == "latin-1"
    assert import_selectors.table_preview(participant_import)[0][1] == "Zoë"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_the_delimiter_is_sniffed(
    manager_client: Client, programme: Programme, delimiter: str
) -> None:
    content = csv_bytes([HEADER, person(1, Skills="python, leadership")], delimiter=delimiter)
    participant_import = uploaded(manager_client, programme, content)
    assert participant_import.header == HEADER
    assert import_selectors.table_preview(participant_import)[0][7] == "python, leadership"


def test_an_xlsx_workbook_is_read_with_numbers_as_text(
    manager_client: Client, programme: Programme
) -> None:
    row: list[object] = list(person(1))
    row[8], row[9] = 3, 12.0  # numbers as a spreadsheet stores them
    participant_import = uploaded(
        manager_client, programme, xlsx_bytes([HEADER, row, [None] * 10]), name="people.xlsx"
    )
    assert participant_import.file_kind == "xlsx"
    assert participant_import.total_rows == 1  # the blank row is not a participant
    assert import_selectors.table_preview(participant_import)[0][8:10] == ["3", "12"]


def test_a_workbook_named_csv_is_read_as_a_workbook(
    manager_client: Client, programme: Programme
) -> None:
    content = xlsx_bytes([HEADER, person(1)])
    assert uploaded(manager_client, programme, content, name="people.csv").file_kind == "xlsx"


def test_the_upload_form_requires_a_file_and_a_mode(
    manager_client: Client, programme: Programme
) -> None:
    from tests.imports.helpers import url

    response = manager_client.post(url("import_upload", programme), {"mode": "sometimes"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Select a valid choice." in page
    assert ParticipantImport.objects.count() == 0


def test_a_sheet_with_thousands_of_columns_is_refused_with_the_limit_stated(
    manager_client: Client, programme: Programme
) -> None:
    wide = [f"c{i}" for i in range(16_000)]
    content = xlsx_bytes([["Email", *wide], *[[f"p{n}@example.org", *wide] for n in range(30)]])
    response = upload(manager_client, programme, content, name="wide.xlsx")
    _refused_by_task(
        manager_client,
        response,
        "Row 1 has 16,001 columns; an import takes at most 50,000 rows, 100 columns",
    )
    # Speed is measured in bench/, not here: the first row's width stops the read.


def test_a_csv_row_with_too_many_columns_is_refused(
    manager_client: Client, programme: Programme
) -> None:
    content = csv_bytes([HEADER, person(1), person(2) + ["x"] * 150])
    _refused_by_task(
        manager_client, upload(manager_client, programme, content), "Row 3 has 160 columns"
    )


def test_a_cell_over_5000_characters_is_refused_naming_it(
    manager_client: Client, programme: Programme
) -> None:
    content = xlsx_bytes([HEADER, person(1, **{"Job title": "x" * 6000})])
    _refused_by_task(
        manager_client,
        upload(manager_client, programme, content, name="long.xlsx"),
        "The cell in row 2, column E holds 6,000 characters; an import takes at most",
    )


def test_a_small_workbook_holding_a_huge_cell_is_refused_before_it_is_loaded(
    manager_client: Client, programme: Programme
) -> None:
    # A real workbook plus a shared-strings part holding one 33 MB string.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, person(1)]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        huge = "y" * (33 * 1024 * 1024)
        bomb.writestr("xl/sharedStrings.xml", f"<sst><si><t>{huge}</t></si></sst>")
    content = out.getvalue()
    assert len(content) < 1024 * 1024  # it compresses to almost nothing
    _refused_by_task(
        manager_client,
        upload(manager_client, programme, content, name="bomb.xlsx"),
        "holds more text than an import can take (at most 50,000 rows, 100 columns",
    )


def test_a_csv_cell_past_the_csv_modules_own_cap_is_refused_with_our_limit(
    manager_client: Client, programme: Programme
) -> None:
    content = csv_bytes([HEADER, person(1)]) + b'new2@example.org,"' + b"y" * 200_000
    _refused_by_task(
        manager_client,
        upload(manager_client, programme, content),
        "holds more than 5,000 characters; an import takes at most 50,000 rows",
    )
