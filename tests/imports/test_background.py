"""A spreadsheet is never parsed in the web request: the upload stores it and a task
reads it (the dry run too), while the page shows how far it got."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client, TestCase

from openmentor.core import leases
from openmentor.people.models import ParticipantImport
from openmentor.programmes.imports import reading, validation, xlsx
from openmentor.programmes.models import Programme
from tests.core.test_leases import dead_worker_here
from tests.imports.helpers import HEADER, check, csv_bytes, person, upload, uploaded, url
from tests.imports.workbooks import huge_cell_workbook, wide_workbook

pytestmark = pytest.mark.django_db

LIMITS = "an import takes at most 50,000 rows, 100 columns and 5,000 characters in a cell"
MB = 1024 * 1024


@pytest.fixture
def parser_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each call of the functions that read a file's rows."""
    calls: list[str] = []

    def spy(module: Any, name: str) -> None:
        real = getattr(module, name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, recorded)

    spy(reading, "table_open")
    spy(xlsx, "sheet_rows")
    spy(validation, "table_open")
    return calls


def _post_without_tasks(request: Callable[[], Any]) -> tuple[Any, list[Callable[[], Any]], int]:
    """The response, the tasks it queued (not run), and the request's peak of memory
    allocated by Python (tracemalloc), in bytes."""
    tracemalloc.start()
    try:
        with TestCase.captureOnCommitCallbacks(execute=False) as queued:
            response = request()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, list(queued), peak


def _upload_request(client: Client, programme: Programme, content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    def request() -> Any:
        return client.post(
            url("import_upload", programme),
            {"file": SimpleUploadedFile(name, content), "mode": "all_or_nothing"},
        )

    return request


def _warm_up(client: Client, programme: Programme) -> None:
    """One small upload first, so that the measured one does not count the modules and
    templates a first request loads."""
    _post_without_tasks(_upload_request(client, programme, csv_bytes([HEADER]), "warm.csv"))
    ParticipantImport.objects.all().delete()


def test_the_wide_workbook_is_stored_at_once_and_refused_by_the_task_with_the_limit(
    manager_client: Client,
    programme: Programme,
    parser_calls: list[str],
    django_assert_max_num_queries: Any,
) -> None:
    _warm_up(manager_client, programme)
    content = wide_workbook()  # 16,000 cells a row, 800 rows: 0.4 MB, 190 MB unpacked
    response, queued, peak = _post_without_tasks(
        _upload_request(manager_client, programme, content, "wide.xlsx")
    )
    assert response.status_code == 302
    assert parser_calls == [], "the upload request parsed the file"
    assert peak < 8 * MB  # the file itself is 0.4 MB; unpacked it would be 190 MB
    participant_import = ParticipantImport.objects.get()
    assert participant_import.status == ParticipantImport.Status.READING
    page = manager_client.get(response["Location"]).text
    assert "Reading wide.xlsx" in page
    progress = url("import_progress", programme, participant_import.pk)
    assert f'hx-get="{progress}"' in page  # the page polls until the task is done
    with django_assert_max_num_queries(8):
        poll = manager_client.get(progress, headers={"HX-Request": "true"})
    assert "Reading wide.xlsx" in poll.text and "HX-Refresh" not in poll

    assert len(queued) == 1
    queued[0]()  # the worker runs the read task
    assert parser_calls == ["table_open", "sheet_rows"]
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.REFUSED
    assert participant_import.error == (
        f"Row 1 has 16,000 columns; {LIMITS}. Remove the extra columns, or split the file."
    )
    # The poll sees the change and reloads the page, which shows why and stops polling.
    assert manager_client.get(progress, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = manager_client.get(response["Location"]).text
    assert "Row 1 has 16,000 columns" in page and "hx-get" not in page


def test_a_workbook_with_one_huge_cell_is_refused_by_the_task_without_holding_it(
    manager_client: Client, programme: Programme, parser_calls: list[str]
) -> None:
    _warm_up(manager_client, programme)
    characters = 48 * MB
    content = huge_cell_workbook(characters)
    assert len(content) < 200 * 1024  # it compresses to almost nothing
    response, queued, request_peak = _post_without_tasks(
        _upload_request(manager_client, programme, content, "cell.xlsx")
    )
    assert response.status_code == 302
    assert parser_calls == []
    assert request_peak < 4 * MB

    tracemalloc.start()
    try:
        queued[0]()
        task_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The cell is counted as it streams by, never held: a small part of its 48 MB.
    assert task_peak < 8 * MB, task_peak
    participant_import = ParticipantImport.objects.get()
    assert participant_import.status == ParticipantImport.Status.REFUSED
    assert participant_import.error == (
        f"The cell in row 2, column B holds {characters:,} characters; {LIMITS}."
    )


def test_reading_stops_at_the_end_of_the_first_row_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io
    import zipfile

    content = wide_workbook(columns=16_000, rows=200)
    archive = zipfile.ZipFile(io.BytesIO(content))
    sheet_size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    read = 0
    real_open = archive.open

    def counting_open(name: str, *args: Any, **kwargs: Any) -> Any:
        stream = real_open(name, *args, **kwargs)
        if not name.endswith("sheet1.xml"):
            return stream
        real_read = stream.read

        def counted(size: int = -1) -> bytes:
            nonlocal read
            chunk: bytes = real_read(size)
            read += len(chunk)
            return chunk

        stream.read = counted  # type: ignore[method-assign]
        return stream

    monkeypatch.setattr(archive, "open", counting_open)
    rows: Iterator[tuple[int, list[str]]] = xlsx.sheet_rows(
        archive, max_columns=100, max_chars=5000
    )
    with pytest.raises(xlsx.RowTooWide) as error:
        next(rows)
    assert (error.value.row, error.value.width) == (1, 16_000)
    # One row is 240 KB of the sheet's 48 MB: reading stopped within a chunk of its end.
    assert read < 240_000 + 2 * xlsx.CHUNK < sheet_size / 100


def test_the_dry_run_runs_in_a_task_while_the_page_says_so(
    manager_client: Client, programme: Programme, parser_calls: list[str]
) -> None:
    participant_import = uploaded(
        manager_client, programme, csv_bytes([HEADER, person(1), person(2, Email="x")])
    )
    parser_calls.clear()
    # The mapping page shows the preview stored by the read task: it reads no file.
    page = manager_client.get(url("import_detail", programme, participant_import.pk)).text
    assert "<td>new1@example.org</td>" in page
    assert "people.csv: 2 rows read." in page
    data = {key: str(index) for key, index in participant_import.mapping.items()}
    response, queued, _ = _post_without_tasks(
        lambda: manager_client.post(
            url("import_detail", programme, participant_import.pk), {"action": "check", **data}
        )
    )
    assert response.status_code == 302
    assert parser_calls == [], "the dry run read the file in the request"
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.CHECKING
    page = manager_client.get(response["Location"]).text
    assert "Checking 2 rows against the programme" in page
    assert "Check the rows (dry run)" not in page  # no second dry run meanwhile
    again = manager_client.post(
        url("import_detail", programme, participant_import.pk), {"action": "check", **data}
    )
    assert again.status_code == 400
    assert "Checking the rows: wait until it has finished." in again.text

    queued[0]()
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.CHECKED
    assert participant_import.rejected_count == 1
    assert (
        "1 rows can be imported; 1 have problems." in manager_client.get(response["Location"]).text
    )


def test_the_mapping_cannot_be_sent_while_the_file_is_being_read(
    manager_client: Client, programme: Programme
) -> None:
    response, _, _ = _post_without_tasks(
        _upload_request(manager_client, programme, csv_bytes([HEADER, person(1)]), "p.csv")
    )
    participant_import = ParticipantImport.objects.get()
    answer = check(manager_client, participant_import, email="0", role="3")
    assert answer.status_code == 400
    assert "Reading the file: wait until it has finished." in answer.text
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.READING
    start = manager_client.post(response["Location"], {"action": "start"})
    assert start.status_code == 400
    assert "Check the rows (dry run) before importing." in start.text


def test_a_read_whose_worker_died_is_refused_and_a_dry_run_handed_back(
    manager_client: Client, programme: Programme
) -> None:
    _post_without_tasks(
        _upload_request(manager_client, programme, csv_bytes([HEADER, person(1)]), "p.csv")
    )
    reading_import = ParticipantImport.objects.get()
    ParticipantImport.objects.filter(pk=reading_import.pk).update(worker_id=dead_worker_here())
    checked = uploaded_second(manager_client, programme)
    ParticipantImport.objects.filter(pk=checked.pk).update(
        status=ParticipantImport.Status.CHECKING, worker_id=dead_worker_here()
    )

    assert leases.reclaim() == {"participant_import": 2}
    reading_import.refresh_from_db()
    assert reading_import.status == ParticipantImport.Status.REFUSED
    assert reading_import.worker_id == ""
    assert "The worker reading this file stopped" in reading_import.error
    checked.refresh_from_db()
    assert checked.status == ParticipantImport.Status.UPLOADED
    assert "Run the dry run again." in checked.error
    # The dry run can be run again, now to the end.
    assert check(manager_client, checked).status_code == 302
    checked.refresh_from_db()
    assert checked.status == ParticipantImport.Status.CHECKED


def uploaded_second(client: Client, programme: Programme) -> ParticipantImport:
    response = upload(client, programme, csv_bytes([HEADER, person(2)]))
    assert response.status_code == 302
    return ParticipantImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
