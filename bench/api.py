"""The REST API listing 10,000 participants page by page over HTTP.

Builds a throwaway SQLite database (or uses DATABASE_URL if set) with an organisation of
N participants with profiles and an API token, starts uvicorn on a free loopback port
(DEBUG off, as in production), then walks /api/v1/participants with the token from the
first page to the last, following next_cursor, several times over one keep-alive
connection. Prints the latency of each page and the throughput.

    .venv/bin/python bench/api.py [--participants 10000] [--limit 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _people  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args, _ = parser.parse_known_args()

    workdir = tempfile.mkdtemp(prefix="om-bench-api-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["OPENMENTOR_VAR_DIR"] = workdir
    os.environ["DEBUG"] = "0"
    os.environ["SECRET_KEY"] = "bench-only-" + "x" * 40
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["API_RATE_LIMIT_PER_MINUTE"] = "1000000"
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmentor.config.settings.base"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from openmentor.accounts.models import User
    from openmentor.api.services import api_token_create
    from openmentor.organisations.models import Membership, Organisation, Role
    from openmentor.people.models import Profile

    print(f"database: {connection.vendor}; migrating…", flush=True)
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    organisation = Organisation.objects.create(
        name="Bench Ltd", slug=f"bench-{rng.randrange(10**9)}"
    )
    owner_user = User.objects.create_user(email=f"owner@{organisation.slug}.example", password=None)
    owner = Membership.objects.create(organisation=organisation, user=owner_user, role=Role.OWNER)
    n = args.participants
    users = _people.participants(organisation, n, rng)
    Profile.objects.bulk_create(
        [
            Profile(
                organisation=organisation,
                user=u,
                job_title=rng.choice(["Engineer", "Analyst", "Designer"]),
                department=rng.choice(["Sales", "Product", "Engineering"]),
            )
            for u in users
        ],
        batch_size=2000,
    )
    _, secret = api_token_create(
        actor=owner, name="bench", scopes=["participants:read"], expires_at=None
    )
    connection.close()

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "openmentor.config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {secret}", "Host": "127.0.0.1"}
        timings: list[float] = []
        started = time.perf_counter()
        for round_ in range(args.rounds):
            seen = 0
            cursor = None
            pages = 0
            while True:
                path = f"/api/v1/participants?limit={args.limit}"
                if cursor:
                    path += f"&cursor={cursor}"
                t0 = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status == 200, (response.status, body[:300])
                page = json.loads(body)
                seen += len(page["items"])
                pages += 1
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert seen == n + 1, (seen, n + 1)  # the participants and the owner
            print(f"round {round_ + 1}: {seen} people in {pages} pages", flush=True)
        elapsed = time.perf_counter() - started
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"{len(timings)} requests, median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(timings):.1f} ms",
        flush=True,
    )
    print(
        f"RESULT participants={n} page_size={args.limit} requests={len(timings)} "
        f"requests_per_s={len(timings) / elapsed:.1f} median_ms={statistics.median(timings):.1f} "
        f"p95_ms={p95:.1f}"
    )


if __name__ == "__main__":
    main()
