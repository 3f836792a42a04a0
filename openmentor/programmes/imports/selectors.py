"""Reads of a programme's imports, scoped to the organisation and the programme."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.http import Http404

from openmentor.core.progress import progress_get
from openmentor.people.models import ParticipantImport
from openmentor.programmes.models import Programme

# The manager sees this many problem rows on the page; the CSV report has all of them.
SHOWN_REJECTIONS = 500


def table_preview(participant_import: ParticipantImport) -> list[list[str]]:
    """The first rows, as wide as the header, for the mapping page: stored when the task
    read the file, so showing the page reads no file."""
    width = len(participant_import.header)
    return [
        ([str(cell) for cell in cells] + [""] * width)[:width]
        for cells in participant_import.preview or []
    ]


def file_bytes(participant_import: ParticipantImport) -> bytes:
    with participant_import.file.open("rb") as handle:
        return handle.read()


def rejected_rows(
    participant_import: ParticipantImport, limit: int = SHOWN_REJECTIONS
) -> list[tuple[str, str]]:
    """(row number, reason) of the first refused rows, read back from the stored report."""
    if not participant_import.rejected_report:
        return []
    reader = csv.reader(io.StringIO(participant_import.rejected_report))
    next(reader, None)
    out = []
    for record in reader:
        out.append((record[0], record[-1]))
        if len(out) == limit:
            break
    return out


def programme_imports(*, programme: Programme) -> QuerySet[ParticipantImport]:
    return (
        ParticipantImport.objects.filter(
            organisation_id=programme.organisation_id, programme=programme
        )
        .select_related("uploaded_by")
        .defer("rejected_report")
    )


def programme_import(*, programme: Programme, import_id: int) -> ParticipantImport:
    participant_import = (
        ParticipantImport.objects.filter(
            organisation_id=programme.organisation_id, programme=programme, pk=import_id
        )
        .select_related("programme", "uploaded_by")
        .first()
    )
    if participant_import is None:
        raise Http404("No such import")
    return participant_import


def progress_key(import_id: int) -> str:
    return f"participant-import-progress:{import_id}"


def import_progress(participant_import: ParticipantImport) -> int:
    """Rows processed so far.

    An all-or-nothing import writes in one transaction, so its saved count moves only at
    the end; openmentor.core.progress carries the live count meanwhile, across processes.
    """
    live = progress_get(progress_key(participant_import.pk))
    return min(participant_import.total_rows, max(participant_import.processed_rows, live))


def read_progress(participant_import: ParticipantImport) -> int:
    """Rows read so far by the task reading the file."""
    return progress_get(progress_key(participant_import.pk))
