"""Signalling under load: N rooms of two on one uvicorn process.

Builds a throwaway SQLite database (or uses DATABASE_URL if set) with N active
mentorships and a session per person, starts one uvicorn process on a free port, opens
2·N websocket clients at once, and in every room measures one join-to-answer round:
from the second person's `join` to the first person receiving the answer to their
offer (join → peer.joined → offer → answer, four hops through the server). Every
socket stays open until all rounds are done, so N rooms are live at the same time.

    .venv/bin/python bench/video_signalling.py [--rooms 500] [--rate 50] [--layer redis]

Second members arrive at `--rate` joins per second across all rooms (people do not all
press Join in the same millisecond); `--rate 0` starts every round at once, the worst
case, where rounds queue behind each other's database writes.

Ends with `RESULT rooms=… round_median_ms=… round_p95_ms=… errors=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n" + "a=x\r\n" * 60  # about a real offer's size


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build(rooms: int) -> list[tuple[int, tuple[int, str], tuple[int, str]]]:
    """N pairs with their standing rooms; returns (room, (user, session)) × 2 per room."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from openmentor.accounts.models import User
    from openmentor.mentorships.models import Mentorship
    from openmentor.organisations.models import Membership, Organisation, Role
    from openmentor.programmes.models import Programme
    from openmentor.video.models import Room

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench Ltd", slug=f"bench-{time.time_ns()}")
    programme = Programme.objects.create(
        organisation=organisation, name="Bench", slug="bench", status="running"
    )
    users = User.objects.bulk_create(
        [
            User(email=f"u{i}@{organisation.slug}.example", first_name=f"U{i}", password="!")
            for i in range(2 * rooms)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(organisation=organisation, user=u, role=Role.PARTICIPANT) for u in users]
    )
    now = timezone.now()
    mentorships = Mentorship.objects.bulk_create(
        [
            Mentorship(
                programme=programme,
                mentor=users[2 * i],
                mentee=users[2 * i + 1],
                status=Mentorship.Status.ACTIVE,
                started_at=now,
            )
            for i in range(rooms)
        ]
    )
    created = Room.objects.bulk_create(
        [
            Room(organisation=organisation, kind=Room.Kind.MENTORSHIP, mentorship=m)
            for m in mentorships
        ]
    )
    sessions: dict[int, str] = {}
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.pk] = str(store.session_key)
    return [
        (
            room.pk,
            (users[2 * i].pk, sessions[users[2 * i].pk]),
            (users[2 * i + 1].pk, sessions[users[2 * i + 1].pk]),
        )
        for i, room in enumerate(created)
    ]


async def one_room(
    host: str,
    room: int,
    first: tuple[int, str],
    second: tuple[int, str],
    all_open: asyncio.Event,
    done: asyncio.Event,
    rounds: list[float],
    errors: list[str],
    ready: list[int],
    delay_s: float,
) -> None:
    from websockets.asyncio.client import connect

    async def opened(session: str) -> Any:
        return await connect(
            f"ws://{host}/ws/calls/{room}/",
            additional_headers={"Cookie": f"sessionid={session}"},
            origin=f"http://{host}",  # type: ignore[arg-type]
            open_timeout=60,
        )

    async def until(ws: Any, kind: str) -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            if frame["type"] == "error":
                raise RuntimeError(frame["error"])
            if frame["type"] == kind:
                return frame

    a = b = None
    try:
        a = await opened(first[1])
        b = await opened(second[1])
        await a.send(json.dumps({"type": "join", "client": "a"}))
        await until(a, "joined")
        ready.append(room)
        await all_open.wait()
        await asyncio.sleep(delay_s)
        started = time.perf_counter()
        await b.send(json.dumps({"type": "join", "client": "b"}))
        await until(a, "peer.joined")
        await a.send(json.dumps({"type": "offer", "to": second[0], "sdp": SDP, "gen": 1}))
        await until(b, "offer")
        await b.send(json.dumps({"type": "answer", "to": first[0], "sdp": SDP, "gen": 1}))
        await until(a, "answer")
        rounds.append((time.perf_counter() - started) * 1000)
        await done.wait()  # every room stays live until all are measured
    except Exception as error:  # noqa: BLE001 - counted and reported, never hidden
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        for ws in (a, b):
            if ws is not None:
                await ws.close()


async def run(host: str, plan: list[Any], rate: float) -> tuple[list[float], list[str], float]:
    rounds: list[float] = []
    errors: list[str] = []
    ready: list[int] = []
    all_open = asyncio.Event()
    done = asyncio.Event()
    tasks = []
    # People arrive in waves of 50 rooms, then every round starts at once.
    for start in range(0, len(plan), 50):
        for offset, (room, a, b) in enumerate(plan[start : start + 50], start=start):
            delay = offset / rate if rate > 0 else 0.0
            tasks.append(
                asyncio.create_task(
                    one_room(host, room, a, b, all_open, done, rounds, errors, ready, delay)
                )
            )
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + 300
    while len(ready) + len(errors) < len(plan) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(f"{len(ready)} rooms open with their first member in the call", flush=True)
    started = time.perf_counter()
    all_open.set()
    while len(rounds) + len(errors) < len(plan) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    wall = time.perf_counter() - started
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return rounds, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=500)
    parser.add_argument("--layer", choices=["redis", "memory"], default="redis")
    parser.add_argument(
        "--rate",
        type=float,
        default=50,
        help="second members joining per second across all rooms (0: all at the same instant)",
    )
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="om-bench-video-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["OPENMENTOR_VAR_DIR"] = workdir
    # As in production: DEBUG off (DEBUG on keeps every query's SQL and costs about a
    # third of the database thread's time under load).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "video-bench-" + "k" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmentor.config.settings.base"
    redis = None
    if not os.environ.get("REDIS_URL") and shutil.which("redis-server") and args.layer == "redis":
        # The production channel layer, on a Redis of the bench's own. (The in-memory
        # layer, for development, sweeps every channel on every message: its cost grows
        # with the number of sockets, and at 1,000 sockets it dominates.)
        redis_port = _free_port()
        redis = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(redis_port),
                "--dir",
                workdir,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    # Keep database connections between signalling frames (docs/video.md recommends it
    # for the web processes that serve calls): opening one per frame costs ~10x.
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    import django

    django.setup()
    started = time.perf_counter()
    plan = build(args.rooms)
    print(f"built {args.rooms} rooms in {time.perf_counter() - started:.1f} s", flush=True)

    port = _free_port()
    host = f"127.0.0.1:{port}"
    log = open(Path(workdir) / "uvicorn.log", "w+")  # noqa: SIM115
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
            "--backlog",
            "4096",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://{host}/healthz", timeout=2)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break  # it answers (health may report the missing static files: no matter)
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit("uvicorn did not start:\n" + log.read()) from None
                time.sleep(0.2)
        rounds, errors, wall = asyncio.run(run(host, plan, args.rate))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if redis is not None:
            redis.terminate()
    for error in sorted(set(errors))[:5]:
        print("error:", error)
    if rounds:
        rounds.sort()
        median = statistics.median(rounds)
        p95 = rounds[min(len(rounds) - 1, int(len(rounds) * 0.95))]
    else:
        median = p95 = float("nan")
    arrivals = f"{args.rate:g} joins/s" if args.rate > 0 else "all joins at once"
    print(
        f"{len(rounds)} rounds in {wall:.1f} s ({arrivals}) with {2 * args.rooms} sockets open; "
        f"channel layer {'redis' if os.environ.get('REDIS_URL') else 'in-memory'}, "
        f"database {os.environ['DATABASE_URL'].split(':')[0]}, "
        f"DB_CONN_MAX_AGE={os.environ['DB_CONN_MAX_AGE']}"
    )
    print(
        f"RESULT rooms={args.rooms} round_median_ms={median:.1f} round_p95_ms={p95:.1f} "
        f"errors={len(errors)}"
    )


if __name__ == "__main__":
    main()
