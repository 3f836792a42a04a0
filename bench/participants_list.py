"""Server time of the manager's participants list at 10,000 participants.

Builds a throwaway SQLite database (or uses DATABASE_URL if set), generates an
organisation with one programme and N participants with profiles, then renders the list
(first page, a middle page, a search and a combined filter) through Django's full stack
in-process and prints the median server time and the number of queries of each.

    .venv/bin/python bench/participants_list.py [--participants 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    _people.django_on_a_scratch_database(ALLOWED_HOSTS="testserver")
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openmentor.accounts.models import User
    from openmentor.organisations.models import Membership, Organisation, Role
    from openmentor.people.models import Profile
    from openmentor.programmes.models import Enrolment, Programme

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    started = time.perf_counter()
    organisation = Organisation.objects.create(
        name="Bench Ltd", slug=f"bench-{rng.randrange(10**9)}"
    )
    manager = User.objects.create_user(email=f"manager@{organisation.slug}.example", password=None)
    Membership.objects.create(organisation=organisation, user=manager, role=Role.MANAGER)
    programme = Programme.objects.create(
        organisation=organisation, name="Bench programme", slug="bench", status="enrolling"
    )
    n = args.participants
    users = _people.participants(organisation, n, rng)
    Profile.objects.bulk_create(
        [
            Profile(
                organisation=organisation,
                user=u,
                job_title=rng.choice(["Engineer", "Analyst", "Designer"]),
                department=rng.choice(["Sales", "Product", "Engineering"]),
                completeness=rng.choice([40, 80, 100]),
            )
            for u in users
        ],
        batch_size=2000,
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                programme=programme,
                user=u,
                role=Enrolment.Role.MENTOR if i % 4 == 0 else Enrolment.Role.MENTEE,
                status=Enrolment.Status.PENDING if i % 10 == 0 else Enrolment.Status.ACTIVE,
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    print(f"generated {n} participants in {time.perf_counter() - started:.1f} s", flush=True)

    client = Client()
    client.force_login(manager)
    base = f"/o/{organisation.slug}/programmes/{programme.slug}/participants/"
    cases = {
        "first_page": base,
        "middle_page": base + f"?page={max(1, n // 100)}",
        "search": base + "?q=person0421",
        "filtered": base + "?role=mentee&status=active&completeness=complete&matched=no",
    }
    figures: dict[str, tuple[float, int]] = {}
    for name, url in cases.items():
        timings = []
        queries = 0
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured.captured_queries)
        figures[name] = (statistics.median(timings), queries)
        print(
            f"{name:12} median {figures[name][0]:7.1f} ms   {queries} queries   ({url})", flush=True
        )

    worst = max(ms for ms, _ in figures.values())
    most_queries = max(q for _, q in figures.values())
    # The targets: under 300 ms of server time, a bounded number of queries.
    if worst > 300 or most_queries > 12:
        print(f"TARGET MISSED: worst {worst:.1f} ms (300 allowed), {most_queries} queries (12)")
        status = 1
    else:
        status = 0
    print(
        f"RESULT participants={n} "
        + " ".join(f"{k}_ms={v[0]:.1f}" for k, v in figures.items())
        + f" worst_ms={worst:.1f} max_queries={most_queries}"
    )
    sys.exit(status)


if __name__ == "__main__":
    main()
