"""Server time of a programme's community page at 10,000 participants.

Builds a throwaway SQLite database (or uses DATABASE_URL if set): one programme with N
active participants, each with a profile of a few skills; two thirds opted in to the
directory, one in five shares milestones (one milestone each), and twenty upcoming events.
Then renders the page as a participant (first page, a deep page, a skill search, a name
search) through Django's full stack in-process; prints the median server time and the
number of queries of each, and ends with one RESULT line.

    .venv/bin/python bench/community.py [--participants 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
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

SKILLS = ["Python", "Go", "Public speaking", "Leadership", "Design", "Data", "Sales", "Café"]


def _generate(n: int, rng: random.Random) -> tuple[object, object]:
    from django.utils import timezone

    from openmentor.community.models import CommunityOptIn
    from openmentor.events.models import ProgrammeEvent
    from openmentor.mentorships.models import Activity, Mentorship
    from openmentor.organisations.models import Organisation
    from openmentor.people.models import Profile
    from openmentor.programmes.models import Enrolment, Programme

    organisation = Organisation.objects.create(
        name="Bench Ltd", slug=f"bench-{secrets.token_hex(4)}"
    )
    programme = Programme.objects.create(
        organisation=organisation, name="Bench", slug="bench", status="running", skills=SKILLS
    )
    users = _people.participants(organisation, n, rng)
    Profile.objects.bulk_create(
        [
            Profile(
                organisation=organisation,
                user=u,
                job_title=rng.choice(["Engineer", "Analyst", "Designer"]),
                skills_offered=rng.sample(SKILLS, 2),
                skills_wanted=rng.sample(SKILLS, 1),
                bio="A few words about me. " * rng.randrange(1, 30),
            )
            for u in users
        ],
        batch_size=2000,
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(programme=programme, user=u, role="mentor" if i % 2 else "mentee")
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    CommunityOptIn.objects.bulk_create(
        [
            CommunityOptIn(
                organisation=organisation, user=u, listed=i % 3 != 0, share_milestones=i % 5 == 0
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    pairs = Mentorship.objects.bulk_create(
        [
            Mentorship(programme=programme, mentor=users[i + 1], mentee=users[i], status="active")
            for i in range(0, n - 1, 2)
        ],
        batch_size=2000,
    )
    Activity.objects.bulk_create(
        [
            Activity(
                programme=programme,
                mentorship=m,
                kind="milestone",
                occurred_at=now - dt.timedelta(minutes=i),
                key=f"milestone:{m.pk}:first_meeting",
                data={"label": "First meeting"},
            )
            for i, m in enumerate(pairs)
        ],
        batch_size=2000,
    )
    ProgrammeEvent.objects.bulk_create(
        [
            ProgrammeEvent(
                programme=programme,
                title=f"Event {i}",
                starts_at=now + dt.timedelta(days=i + 1),
                ends_at=now + dt.timedelta(days=i + 1, hours=1),
                venue="external",
                external_url="https://meet.example/x",
            )
            for i in range(20)
        ]
    )
    return organisation, users[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    _people.django_on_a_scratch_database(ALLOWED_HOSTS="testserver")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation, viewer = _generate(args.participants, random.Random(11))
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    client = Client()
    client.force_login(viewer)  # type: ignore[arg-type]
    base = f"/o/{organisation.slug}/programmes/bench/community/"  # type: ignore[attr-defined]
    cases = {
        "first_page": base,
        "deep_page": base + f"?page={max(1, args.participants // 40)}",
        "skill": base + "?skill=Public+speaking",
        "name": base + "?q=Person00421",
    }
    figures: dict[str, tuple[float, int]] = {}
    for name, url in cases.items():
        samples: list[float] = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                status = client.get(url).status_code
                samples.append((time.perf_counter() - t0) * 1000)
            assert status == 200, (url, status)
        figures[name] = (statistics.median(samples), len(captured.captured_queries))
        print(f"{name:11} {figures[name][0]:7.1f} ms  {figures[name][1]} queries  {url}")
    print(
        f"RESULT participants={args.participants} "
        + " ".join(f"{k}_ms={ms:.1f}" for k, (ms, _) in figures.items())
        + f" max_queries={max(q for _, q in figures.values())}"
    )


if __name__ == "__main__":
    main()
