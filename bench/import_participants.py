"""Benchmark the participant import on a throwaway SQLite database.

    python bench/import_participants.py [--rows 10000] [--mode all_or_nothing|valid_only]

Generates a CSV (a tenth of its people already members with a profile, so both the create
and the update paths run), then times storing and reading the upload, the dry run and the
import, each task's function called directly. Targets: 10,000 rows in under 30 s and under
500 MB. Ends with one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SKILLS = ["python", "leadership", "public speaking", "negotiation", "data analysis"]
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]


def make_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Email", "First name", "Last name", "Role", "Job title", "Department", "Timezone",
         "Languages", "Skills", "Goals", "Bio", "Capacity", "Seniority"]
    )  # fmt: skip
    for n in range(rows):
        mentor = n % 4 == 0
        writer.writerow(
            [
                f"person{n}@bench.example.org",
                f"First{n}",
                f"Last{n}",
                "mentor" if mentor else "mentee",
                "Engineer",
                f"Department {n % 40}",
                ZONES[n % len(ZONES)],
                "en, fr" if n % 3 else "English",
                "; ".join(SKILLS[n % 5 : n % 5 + 2]),
                "" if mentor else "Grow into a team lead",
                "Led teams for ten years" if mentor else "",
                "3" if mentor else "",
                str(n % 30),
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--mode", default="all_or_nothing", choices=["all_or_nothing", "valid_only"]
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="openmentor-bench-import-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmentor.config.settings.base"
    os.environ["DEBUG"] = "1"
    os.environ["OPENMENTOR_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection, reset_queries

    call_command("migrate", verbosity=0)
    # DEBUG keeps every query in memory; this benchmark measures the import, not that.
    connection.force_debug_cursor = False

    from openmentor.accounts.models import User
    from openmentor.organisations.models import Membership, Organisation, Role
    from openmentor.people.models import ParticipantImport, Profile
    from openmentor.programmes.imports import reading
    from openmentor.programmes.imports import services as importing
    from openmentor.programmes.models import Enrolment, Programme

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    manager = User.objects.create_user(email="manager@bench.example.org")
    Membership.objects.create(organisation=organisation, user=manager, role=Role.MANAGER)
    programme = Programme.objects.create(
        organisation=organisation, name="Bench", slug="bench", skills=SKILLS
    )
    # A tenth of the file are people already here: their profiles get updated.
    existing = [
        User(email=f"person{n}@bench.example.org", password="!") for n in range(0, args.rows, 10)
    ]
    User.objects.bulk_create(existing, batch_size=500)
    existing_users = User.objects.filter(email__endswith="@bench.example.org").exclude(
        pk=manager.pk
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation=organisation, user=u, role=Role.PARTICIPANT)
            for u in existing_users
        ],
        batch_size=500,
    )
    Profile.objects.bulk_create(
        [Profile(organisation=organisation, user=u, bio="Already here") for u in existing_users],
        batch_size=500,
    )
    data = make_csv(args.rows)
    print(f"CSV: {args.rows} rows, {len(data) / 1024 / 1024:.1f} MB; mode {args.mode}")
    reset_queries()

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    # What the upload request does (store the file, queue the read), then the read
    # task and the dry-run task, their functions called here instead of by a worker.
    participant_import = importing.participant_import_create(
        programme=programme,
        uploaded_by=manager,
        original_name="bench.csv",
        upload=ContentFile(data),
        kind=reading.file_sniff(data[: reading.SNIFF_BYTES], len(data)),
        mode=args.mode,
    )
    importing.participant_import_read(import_id=participant_import.pk)
    participant_import.refresh_from_db()
    assert participant_import.total_rows == args.rows, participant_import.error
    t1 = time.perf_counter()
    importing.participant_import_check(
        participant_import=participant_import, mapping=participant_import.mapping
    )
    importing.participant_import_check_run(import_id=participant_import.pk)
    t2 = time.perf_counter()
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.CHECKED, participant_import.error
    assert participant_import.rejected_count == 0, participant_import.rejected_report[:2000]
    # What participant_import_start does, without queueing: the task function runs here.
    ParticipantImport.objects.filter(pk=participant_import.pk).update(
        status=ParticipantImport.Status.IMPORTING
    )
    importing.participant_import_run(import_id=participant_import.pk)
    t3 = time.perf_counter()

    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.DONE, participant_import.error
    enrolled = Enrolment.objects.filter(programme=programme).count()
    assert enrolled == args.rows, enrolled
    assert Profile.objects.filter(organisation=organisation).count() == args.rows
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    total = t3 - t0
    print(f"store + read:         {t1 - t0:6.2f} s")
    print(f"dry run:              {t2 - t1:6.2f} s")
    print(f"import task:          {t3 - t2:6.2f} s")
    print(f"total:                {total:6.2f} s  ({args.rows / total:,.0f} rows/s)")
    # On a shared machine wall time includes waiting for a core; CPU time does not.
    print(f"CPU time:             {time.process_time() - cpu0:6.2f} s")
    print(f"peak memory (RSS):    {peak_mb:6.1f} MB")
    print(
        f"RESULT import_rows={args.rows} import_s={total:.2f} "
        f"import_rows_per_s={args.rows / total:.0f} peak_mb={peak_mb:.0f}"
    )


if __name__ == "__main__":
    main()
