"""Load on the running platform: pages and messaging websockets under concurrent clients.

Starts OpenMentor as an operator would (migrate, collectstatic when DEBUG is off, demo
data, uvicorn) on a throwaway database, signs in the demo participant and manager, then
drives a bounded mix of participant and manager pages with N concurrent keep-alive
clients on loopback, and measures websocket send-to-echo with 20 sockets in one
conversation. Prints p50/p95/p99 and errors per page, and one RESULT line.

    .venv/bin/python bench/load.py [--clients 20] [--requests 1000] [--seconds 60] [--debug]

SQLite (the embedded set-up, one uvicorn process) unless DATABASE_URL and REDIS_URL are
set, in which case uvicorn runs 2 worker processes on PostgreSQL + Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

SETUP = r"""
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Programme

def session(email):
    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

mentorship = Mentorship.objects.filter(status="active").select_related("programme__organisation").first()
slug = mentorship.programme.organisation.slug
programme = Programme.objects.filter(organisation__slug=slug).order_by("pk").first()
print(json.dumps({
    "mentee": session(mentorship.mentee.email),
    "mentor": session(mentorship.mentor.email),
    "manager": session("manager@northwind.example"),
    "mentorship_id": mentorship.pk,
    "pages": {
        "participant home": ["mentee", reverse("organisation_dashboard", args=[slug])],
        "participant mentorship": ["mentee", reverse("mentorship_detail", args=[slug, mentorship.pk])],
        "participant conversation": ["mentee", reverse("conversation", args=[slug, mentorship.pk])],
        "manager dashboard": ["manager", reverse("organisation_dashboard", args=[slug])],
        "participants list": ["manager", reverse("participant_list", args=[slug, programme.slug])],
    },
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Status codes of the failed requests (0: no answer within 30 s, or the connection broke).
statuses: dict[int, int] = {}
# GETs sent again on a new connection because the server had closed an idle one.
reconnects = [0]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Connection:
    """One keep-alive HTTP/1.1 connection (enough HTTP for GETs of our own pages)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        # Like a browser's cookie jar: the session, and what the server sets (the CSRF
        # cookie), sent back on the next requests.
        self.cookies = {"sessionid": cookie}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        # A keep-alive connection that sat idle past the server's keep-alive timeout (5 s
        # for uvicorn) is closed by the server; a browser then sends the GET again on a
        # new connection, and so does this client. A failure on a new connection counts.
        reused = self.writer is not None
        try:
            return await self._get(path)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
            reconnects[0] += 1
            return await self._get(path)

    async def _get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {self._cookie_header()}\r\n"
            "Accept: text/html\r\n\r\n"
        )
        self.writer.write(request.encode())
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
            if name.strip().lower() == "set-cookie":
                pair = value.strip().split(";", 1)[0]
                key, _, cookie_value = pair.partition("=")
                self.cookies[key.strip()] = cookie_value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readline()).strip() or b"0", 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection") == "close":
            self.close()
        return status

    def _cookie_header(self) -> str:
        return "; ".join(f"{key}={value}" for key, value in self.cookies.items())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def pages_load(
    port: int, setup: dict[str, Any], clients: int, requests: int, seconds: float
) -> tuple[dict[str, list[float]], dict[str, int], float, int]:
    timings: dict[str, list[float]] = {name: [] for name in setup["pages"]}
    errors: dict[str, int] = dict.fromkeys(setup["pages"], 0)
    statuses.clear()
    names = list(setup["pages"])
    remaining = [requests]
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        rng = random.Random(number)
        connections = {who: Connection(port, setup[who]) for who in ("mentee", "manager")}
        while remaining[0] > 0 and time.monotonic() < deadline:
            remaining[0] -= 1
            name = rng.choice(names)
            who, path = setup["pages"][name]
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(connections[who].get(path), 30)
            except Exception:
                connections[who].close()
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            if status == 200:
                timings[name].append(elapsed)
            else:
                errors[name] += 1
                statuses[status] = statuses.get(status, 0) + 1
        for connection in connections.values():
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    wall = time.perf_counter() - started
    done = sum(len(v) for v in timings.values()) + sum(errors.values())
    return timings, errors, wall, done


async def websocket_echo(
    port: int, setup: dict[str, Any], sockets: int, messages: int
) -> list[float]:
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/mentorships/{setup['mentorship_id']}/messages/"
    opened = []
    for n in range(sockets):
        who = ("mentee", "mentor")[n % 2]
        connection = await websockets.connect(
            url,
            additional_headers={
                "Cookie": f"sessionid={setup[who]}",
                "Origin": f"http://127.0.0.1:{port}",
            },
        )
        opened.append(connection)
    echoes: list[float] = []
    try:
        for i in range(messages):
            sender = opened[i % sockets]
            body = f"load test {i} {time.time()}"
            started = time.perf_counter()
            await sender.send(json.dumps({"type": "message.send", "body": body}))
            while True:
                frame = json.loads(await asyncio.wait_for(sender.recv(), 10))
                if frame.get("body") == body:
                    break
            echoes.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.35)  # under the per-person limit (30 in 10 s)
    finally:
        for connection in opened:
            await connection.close()
    return echoes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sockets", type=int, default=20)
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--debug", action="store_true", help="run with DEBUG on")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="om-load-"))
    production = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openmentor.config.settings.base",
        "DEBUG": "1" if args.debug else "0",
        "SECRET_KEY": "load-bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "OPENMENTOR_VAR_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if not production:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'load.sqlite3'}"
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    if not args.debug:
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT
        )
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    setup = json.loads(
        subprocess.run(
            [PY, "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True, text=True
        ).stdout
    )
    workers = 2 if production else 1
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "uvicorn",
            "openmentor.config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)  # noqa: S310
                break
            except Exception:
                time.sleep(0.2)
        asyncio.run(pages_load(port, setup, 4, 40, 30))  # warm-up
        timings, errors, wall, done = asyncio.run(
            pages_load(port, setup, args.clients, args.requests, args.seconds)
        )
        echoes = asyncio.run(websocket_echo(port, setup, args.sockets, args.messages))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    backend = "postgres+redis" if production else "sqlite"
    print(
        f"{backend}, DEBUG {'on' if args.debug else 'off'}, {workers} uvicorn process(es), "
        f"{args.clients} clients, {done} requests in {wall:.1f} s"
    )
    print(f"{'page':28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    every: list[float] = []
    for name, values in timings.items():
        every += values
        print(
            f"{name:28} {len(values):5d} {percentile(values, 0.5):8.0f} "
            f"{percentile(values, 0.95):8.0f} {percentile(values, 0.99):8.0f} {errors[name]:6d}"
        )
    if reconnects[0]:
        print(
            f"GETs sent again on a new connection after an idle keep-alive one closed: {reconnects[0]}"
        )
    if statuses:
        print(f"failed requests by status (0: no answer or a broken connection): {statuses}")
    print(
        f"websocket send-to-echo, {args.sockets} sockets in one conversation: "
        f"median {statistics.median(echoes):.0f} ms, p95 {percentile(echoes, 0.95):.0f} ms "
        f"({len(echoes)} messages)"
    )
    print(
        f"RESULT backend={backend} debug={int(args.debug)} clients={args.clients} "
        f"p50_ms={percentile(every, 0.5):.0f} p95_ms={percentile(every, 0.95):.0f} "
        f"p99_ms={percentile(every, 0.99):.0f} errors={sum(errors.values())} "
        f"pages_per_s={done / wall:.1f} ws_echo_p50_ms={statistics.median(echoes):.0f}"
    )


if __name__ == "__main__":
    main()
