"""Servers the tests start as real processes: uvicorn on a free port against the test database.

One way to start and stop it for every test that needs a live server (the browser tests,
the two-server signalling test), so that they all bound the server's shutdown the same way. uvicorn waits for open connections on SIGTERM; with
`--timeout-graceful-shutdown` (as scripts/run.sh runs it) it cancels what is left after
a few seconds. A server that still does not exit is a defect worth seeing, so the stop
dumps its threads' stacks into its log (the test settings register faulthandler on
SIGUSR1) before killing it and failing with that log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRACEFUL_SHUTDOWN_S = 5
# Beyond uvicorn's own bound: the interpreter's exit (thread pools joined) on a busy machine.
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, name: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{name} did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes], log: Path, name: str) -> None:
    """SIGTERM, then wait; a process that hangs has its stacks dumped, is killed, and fails."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
        return
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)
        time.sleep(1)
        process.kill()
        process.wait()
    raise AssertionError(
        f"{name} did not stop within {STOP_TIMEOUT_S} s of SIGTERM; its log:\n"
        + log.read_text()[-20000:]
    )


@contextmanager
def web_server(db_name: str, log: Path, **extra_env: str) -> Iterator[str]:
    """Runs the platform's ASGI app under uvicorn; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openmentor.config.settings.test",
        "OPENMENTOR_TEST_SERVER_DB": db_name,
        "SITE_URL": url,
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    command = [sys.executable, "-m", "uvicorn", "openmentor.config.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_S)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(url + "/accounts/login/", process, log, "uvicorn")
        yield url
    finally:
        stop(process, log, "uvicorn")
