"""The programme dashboard of 10,000 participants, 5,000 mentorships and 100,000 meetings.

Builds a throwaway SQLite database (or uses DATABASE_URL if set): one programme with
N participants (half mentors, half mentees, all enrolled), one mentorship per mentee pair
(N / 2), M meetings held or missed (calls and self-reported) over the last 300 days and
closing surveys with NPS, then opens the dashboard as its manager (server time: the view
and its template, through Django's test client) and downloads each table as CSV and XLSX (and the page as PDF). The health snapshot is
refreshed first, as the worker does every ten minutes; its time is reported apart.

    .venv/bin/python bench/reports.py [--participants 10000] [--meetings 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _people  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    _people.django_on_a_scratch_database(ALLOWED_HOSTS="testserver")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from openmentor.accounts.models import User
    from openmentor.dashboard.programme_report import Filters, programme_report
    from openmentor.feedback.models import Checkin
    from openmentor.mentorships.models import Activity, Mentorship
    from openmentor.organisations.models import Membership, Organisation, Role
    from openmentor.programmes.models import Enrolment, Programme

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    rng = random.Random(15)
    now = timezone.now()
    started = time.perf_counter()
    organisation = Organisation.objects.create(
        name="Bench Ltd", slug=f"bench-{rng.randrange(10**9)}"
    )
    programme = Programme.objects.create(
        organisation=organisation, name="Bench", slug="bench", status="running"
    )
    manager = User.objects.create(email=f"manager@{organisation.slug}.example")
    Membership.objects.create(organisation=organisation, user=manager, role=Role.MANAGER)
    half = args.participants // 2
    people = User.objects.bulk_create(
        [
            User(email=f"p{n}@{organisation.slug}.example", display_name=f"Person {n}")
            for n in range(2 * half)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(organisation=organisation, user=u, role=Role.PARTICIPANT) for u in people],
        batch_size=2000,
    )
    mentors, mentees = people[:half], people[half:]
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                programme=programme,
                user=u,
                role="mentor" if i < half else "mentee",
                source=rng.choice(["invitation", "link", "import"]),
                matched_at=now - dt.timedelta(days=rng.randrange(1, 300)),
            )
            for i, u in enumerate(people)
        ],
        batch_size=2000,
    )
    statuses = [rng.choice(["active"] * 8 + ["ended", "paused"]) for _ in mentors]
    mentorships = Mentorship.objects.bulk_create(
        [
            Mentorship(
                programme=programme,
                mentor=a,
                mentee=b,
                status=status,
                started_at=now - dt.timedelta(days=rng.randrange(200, 300)),
                ended_at=(
                    now - dt.timedelta(days=rng.randrange(1, 100)) if status == "ended" else None
                ),
                end_reason=(
                    rng.choice(["goals_met", "schedule", "chemistry", "other"])
                    if status == "ended"
                    else ""
                ),
                agreed_cadence_weeks=rng.choice([1, 2, 2, 4]),
            )
            for a, b, status in zip(mentors, mentees, statuses, strict=True)
        ],
        batch_size=2000,
    )
    batch: list[Activity] = []
    for n in range(args.meetings):
        m = mentorships[n % len(mentorships)]
        held = rng.random() < 0.9
        batch.append(
            Activity(
                programme=programme,
                mentorship=m,
                kind="meeting_held" if held else "meeting_missed",
                occurred_at=now - dt.timedelta(minutes=rng.randrange(0, 300 * 24 * 60)),
                key=f"bench:{n}",
                data={"source": rng.choice(["call", "call", "logged", "reported"])},
            )
        )
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    if batch:
        Activity.objects.bulk_create(batch)
    Checkin.objects.bulk_create(
        [
            Checkin(
                mentorship=m,
                author=m.mentee,
                survey="closing",
                opened_at=m.ended_at or now,
                answered_at=m.ended_at or now,
                nps=rng.randint(0, 10),
                rating=rng.randint(1, 5),
            )
            for m in mentorships
            if m.status == "ended"
        ]
    )
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)

    # The worker refreshes the health snapshot every ten minutes; the dashboard reads it.
    from openmentor.dashboard.services import health_snapshot_refresh

    begin = time.perf_counter()
    health_snapshot_refresh(programme=programme, now=timezone.now())
    refresh_ms = 1000 * (time.perf_counter() - begin)

    client = Client()
    client.force_login(manager)
    url = reverse("programme_dashboard", args=[organisation.slug, programme.slug])
    times, queries = [], 0
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - begin)
        assert response.status_code == 200, response.status_code
        queries = max(queries, len(captured.captured_queries))
    filters = Filters(start=(now - dt.timedelta(weeks=26)).date(), end=now.date())
    report = programme_report(programme=programme, filters=filters)
    exports = []
    for fmt in ("csv", "xlsx"):
        spent = 0.0
        for table in report.tables:
            path = reverse(
                "programme_dashboard_export",
                args=[organisation.slug, programme.slug, table.key, fmt],
            )
            begin = time.perf_counter()
            got = client.get(path)
            spent = max(spent, time.perf_counter() - begin)
            assert got.status_code == 200, (table.key, got.status_code)
        exports.append(f"export_{fmt}_max_ms={1000 * spent:.0f}")
    pdf = reverse(
        "programme_dashboard_export", args=[organisation.slug, programme.slug, "dashboard", "pdf"]
    )
    begin = time.perf_counter()
    got = client.get(pdf)
    exports.append(f"export_pdf_ms={1000 * (time.perf_counter() - begin):.0f}")
    assert got.status_code == 200, got.status_code
    print(f"funnel: {report.table('funnel').rows}")
    print(
        f"RESULT participants={len(people)} mentorships={len(mentorships)} "
        f"meetings={args.meetings} dashboard_ms={1000 * statistics.median(times):.0f} "
        f"max_queries={queries} " + " ".join(exports) + f" health_refresh_ms={refresh_ms:.0f}"
    )


if __name__ == "__main__":
    main()
