"""Building import files and driving the import pages in tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from openmentor.people.models import ParticipantImport
from openmentor.programmes.models import Programme

HEADER = [
    "Email",
    "First name",
    "Last name",
    "Role",
    "Job title",
    "Timezone",
    "Languages",
    "Skills",
    "Capacity",
    "Seniority",
]


def csv_bytes(
    rows: Sequence[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def person(n: int, role: str = "mentee", **overrides: str) -> list[str]:
    values = {
        "Email": f"new{n}@example.org",
        "First name": f"First{n}",
        "Last name": f"Last{n}",
        "Role": role,
        "Job title": "Analyst",
        "Timezone": "Europe/London",
        "Languages": "en, fr",
        "Skills": "python; leadership",
        "Capacity": "2",
        "Seniority": "5",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


def url(name: str, programme: Programme, *args: Any) -> str:
    return reverse(name, args=[programme.organisation.slug, programme.slug, *args])


def tasks_run_after(request: Callable[[], Any]) -> Any:
    """Makes a request, then runs the tasks it queued on commit (inline, with the
    immediate backend of the tests), as a worker would right after it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return request()


def upload(
    client: Client,
    programme: Programme,
    content: bytes,
    *,
    name: str = "people.csv",
    mode: str = ParticipantImport.Mode.ALL_OR_NOTHING,
) -> Any:
    """Uploads a file; the task that reads it runs right after the request."""
    return tasks_run_after(
        lambda: client.post(
            url("import_upload", programme),
            {"file": SimpleUploadedFile(name, content), "mode": mode},
        )
    )


def uploaded(
    client: Client, programme: Programme, content: bytes, **kwargs: Any
) -> ParticipantImport:
    response = upload(client, programme, content, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ParticipantImport.objects.get(programme=programme)


def check(client: Client, participant_import: ParticipantImport, **mapping: str) -> Any:
    data = {key: str(index) for key, index in participant_import.mapping.items()}
    data.update(mapping)
    return tasks_run_after(
        lambda: client.post(
            url("import_detail", participant_import.programme, participant_import.pk),
            {"action": "check", **data},
        )
    )
