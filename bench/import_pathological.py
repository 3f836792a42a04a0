"""Benchmark the crafted workbooks of the abuse probe against the import, on a throwaway
SQLite database.

    python bench/import_pathological.py [--columns 16000] [--rows 800] [--cell-mb 150]

Two workbooks: one row of 16,000 cells repeated 800 times (0.4 MB zipped, 190 MB
unpacked), and one person whose cell holds 150 MB of text (about 150 KB zipped). Each is
posted to the upload page through Django's test client (the request stores the file and
queues the read task; nothing is parsed), then the read task's function runs here as a
worker would run it. Times and peaks of Python memory (tracemalloc) are taken for both
steps; for comparison, openpyxl's read-only loading of the huge cell (what the upload
request did before the read moved to a task) is measured too. Ends with one ``RESULT``
line: upload_ms and parse_s are the wide workbook's.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


def measured(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """The step's value, its seconds and its peak of Python memory in MB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        value = step()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    return value, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=16_000)
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--cell-mb", type=int, default=150)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="openmentor-bench-abuse-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmentor.config.settings.base"
    os.environ["DEBUG"] = "1"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["OPENMENTOR_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.MEDIA_ROOT = workdir / "media"
    call_command("migrate", verbosity=0)
    connection.force_debug_cursor = False

    from openmentor.accounts.models import User
    from openmentor.organisations.models import Membership, Organisation, Role
    from openmentor.people.models import ParticipantImport
    from openmentor.programmes.imports import services as importing
    from openmentor.programmes.models import Programme
    from tests.imports.workbooks import huge_cell_workbook, wide_workbook

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    manager = User.objects.create_user(email="manager@bench.example.org")
    Membership.objects.create(organisation=organisation, user=manager, role=Role.MANAGER)
    programme = Programme.objects.create(
        organisation=organisation, name="Bench", slug="bench", status=Programme.Status.ENROLLING
    )
    client = Client()
    client.force_login(manager)
    upload_url = reverse("import_upload", args=[organisation.slug, programme.slug])

    def post(name: str, content: bytes) -> ParticipantImport:
        response = client.post(
            upload_url, {"file": SimpleUploadedFile(name, content), "mode": "all_or_nothing"}
        )
        assert response.status_code == 302, response.content[:500]
        return ParticipantImport.objects.order_by("-pk").first()  # type: ignore[return-value]

    post("warm-up.csv", b"email,role\na@b.org,mentee\n")  # first-request imports

    results: dict[str, float] = {}
    for key, name, content in (
        ("wide", "wide.xlsx", wide_workbook(args.columns, args.rows)),
        ("cell", "cell.xlsx", huge_cell_workbook(args.cell_mb * MB)),
    ):
        participant_import, upload_s, upload_peak = measured(lambda: post(name, content))  # noqa: B023
        assert participant_import.status == ParticipantImport.Status.READING
        _, parse_s, parse_peak = measured(
            lambda: importing.participant_import_read(import_id=participant_import.pk)  # noqa: B023
        )
        participant_import.refresh_from_db()
        assert participant_import.status == ParticipantImport.Status.REFUSED
        print(f"{name}: {len(content) / 1024:,.0f} KB")
        print(f"  upload request: {upload_s * 1000:7.1f} ms, peak {upload_peak:6.1f} MB")
        print(f"  read task:      {parse_s:7.2f} s,  peak {parse_peak:6.1f} MB")
        print(f"  refused: {participant_import.error}")
        results[f"{key}_upload_ms"] = upload_s * 1000
        results[f"{key}_parse_s"] = parse_s
        results[f"{key}_parse_peak_mb"] = parse_peak

    from openpyxl import load_workbook

    cell = huge_cell_workbook(args.cell_mb * MB)

    def openpyxl_first_rows() -> None:
        workbook = load_workbook(io.BytesIO(cell), read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        next(rows)
        next(rows)
        workbook.close()

    _, before_s, before_peak = measured(openpyxl_first_rows)
    print(f"openpyxl, the huge cell: {before_s:.2f} s, peak {before_peak:.1f} MB")
    print(
        f"RESULT upload_ms={results['wide_upload_ms']:.1f} parse_s={results['wide_parse_s']:.2f} "
        f"parse_peak_mb={results['wide_parse_peak_mb']:.1f} "
        f"cell_upload_ms={results['cell_upload_ms']:.1f} "
        f"cell_parse_s={results['cell_parse_s']:.2f} "
        f"cell_parse_peak_mb={results['cell_parse_peak_mb']:.1f} "
        f"openpyxl_cell_peak_mb={before_peak:.0f}"
    )


if __name__ == "__main__":
    main()
