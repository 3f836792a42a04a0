"""Relationship health of 10,000 mentorships with 200,000 events in the activity record.

Builds a throwaway SQLite database (or uses DATABASE_URL if set), one programme with N
mentorships (pairs of 100 × 100 people) and M activity rows spread over the last 300
days (meetings held and missed, messages, shared and unshared ratings, pairing-fit
answers), then computes every mentorship's health (`tracking.selectors.programme_health`)
and prints the median wall and CPU time (the CPU figure is the one to compare on a busy
machine) and the number of queries.

    .venv/bin/python bench/health.py [--mentorships 10000] [--events 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
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
    parser.add_argument("--mentorships", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    _people.django_on_a_scratch_database()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from openmentor.accounts.models import User
    from openmentor.mentorships.models import Activity, Mentorship
    from openmentor.organisations.models import Organisation
    from openmentor.programmes.models import Programme
    from openmentor.tracking.selectors import programme_health

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    rng = random.Random(14)
    now = timezone.now()
    started = time.perf_counter()
    # A fresh slug each run (not from the seeded generator): DATABASE_URL may be reused.
    organisation = Organisation.objects.create(
        name="Bench Ltd", slug=f"bench-{secrets.token_hex(5)}"
    )
    programme = Programme.objects.create(
        organisation=organisation, name="Bench", slug="bench", status="running"
    )
    side = max(2, int(args.mentorships**0.5) + 1)
    people = User.objects.bulk_create(
        [
            User(email=f"p{n}@{organisation.slug}.example", display_name=f"Person {n}")
            for n in range(side * 2)
        ]
    )
    mentors, mentees = people[:side], people[side:]
    pairs = [(a, b) for a in mentors for b in mentees][: args.mentorships]
    mentorships = Mentorship.objects.bulk_create(
        [
            Mentorship(
                programme=programme,
                mentor=a,
                mentee=b,
                status="active",
                started_at=now - dt.timedelta(days=rng.randrange(20, 300)),
                agreed_cadence_weeks=rng.choice([1, 2, 2, 4]),
            )
            for a, b in pairs
        ],
        batch_size=2000,
    )
    kinds = (
        ["meeting_held"] * 5
        + ["meeting_missed"]
        + ["message_sent"] * 10
        + [
            "feedback_given",
            "checkin_answered",
        ]
    )
    batch: list[Activity] = []
    for n in range(args.events):
        m = mentorships[n % len(mentorships)]
        kind = rng.choice(kinds)
        data: dict[str, object] = {}
        if kind == "feedback_given":
            data = {
                "moment": "meeting",
                **({"rating": rng.randint(1, 5)} if rng.random() < 0.5 else {}),
            }
        elif kind == "checkin_answered":
            data = {"survey": "pairing_fit", "fit": rng.choice(["yes", "yes", "partly", "no"])}
        batch.append(
            Activity(
                programme=programme,
                mentorship=m,
                kind=kind,
                actor_id=rng.choice([m.mentor_id, m.mentee_id]),
                occurred_at=now - dt.timedelta(minutes=rng.randrange(0, 300 * 24 * 60)),
                key=f"bench:{organisation.slug}:{n}",
                data=data,
            )
        )
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    if batch:
        Activity.objects.bulk_create(batch)
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)

    times, cpu_times, queries = [], [], 0
    result = None
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as captured:
            begin, begin_cpu = time.perf_counter(), time.process_time()
            result = programme_health(programme=programme, now=now)
            times.append(time.perf_counter() - begin)
            cpu_times.append(time.process_time() - begin_cpu)
        queries = max(queries, len(captured.captured_queries))
    assert result is not None and len(result.rows) == len(mentorships)
    print("states:", ", ".join(f"{label} {count}" for _, label, count in result.summary))
    events = Activity.objects.filter(programme=programme).count()
    print(
        f"RESULT mentorships={len(mentorships)} events={events} "
        f"health_s={statistics.median(times):.3f} "
        f"health_cpu_s={statistics.median(cpu_times):.3f} max_queries={queries} "
        f"load_1min={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
