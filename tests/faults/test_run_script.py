"""scripts/run.sh as an operator runs it with DEBUG off: pages load, and a dead process
(worker or web worker) does not take the site down."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.processes import ROOT, alive, free_port, http_get, wait_for, web_worker_processes


@dataclass
class RunningSite:
    base: str
    run_dir: Path
    log: Path
    process: subprocess.Popen[bytes]

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    var = tmp_path_factory.mktemp("run-sh")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="openmentor.config.settings.base",
        DEBUG="0",
        SECRET_KEY="run-sh-test-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        OPENMENTOR_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'site.sqlite3'}",
        SEED_DEMO="0",
        PORT=str(port),
        WEB_WORKERS="2",
        PY=str(ROOT / ".venv" / "bin" / "python"),
    )
    log = var / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = RunningSite(f"http://127.0.0.1:{port}", var / "run", log, process)
    try:
        wait_for(
            lambda: http_get(running.base + "/accounts/login/")[0] == 200,
            timeout=180,
            what="run.sh to serve the login page",
        )
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_with_debug_off_pages_and_their_static_files_load(site: RunningSite) -> None:
    status, body = http_get(site.base + "/accounts/login/")
    assert status == 200 and "<form" in body
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', body)
    assert stylesheets, "the page names its stylesheet"
    # Hashed names come from the manifest that collectstatic wrote.
    assert all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in stylesheets)
    assert http_get(site.base + stylesheets[0])[0] == 200
    assert http_get(site.base + "/")[0] == 200


def test_a_killed_worker_is_restarted_and_the_site_keeps_serving(site: RunningSite) -> None:
    first = site.pid("worker")
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: not alive(first), timeout=10, what="the worker to die")
    assert http_get(site.base + "/accounts/login/")[0] == 200
    wait_for(
        lambda: site.pid("worker") != first and alive(site.pid("worker")),
        timeout=30,
        what="a new worker",
    )
    assert http_get(site.base + "/accounts/login/")[0] == 200
    assert re.search(rf"worker \(pid {first}\) exited with status \d+", site.log.read_text())


def test_a_killed_web_worker_process_is_replaced_and_the_site_keeps_answering(
    site: RunningSite,
) -> None:
    server = site.pid("web")
    processes = wait_for(
        lambda: len(web_worker_processes(server)) >= 2 and web_worker_processes(server),
        timeout=30,
        what="two web worker processes",
    )
    assert isinstance(processes, list)
    victim = processes[0]
    os.kill(victim, signal.SIGKILL)
    answers = [http_get(site.base + "/accounts/login/")[0] for _ in range(10)]
    assert answers == [200] * 10
    wait_for(
        lambda: (
            victim not in web_worker_processes(server) and len(web_worker_processes(server)) >= 2
        ),
        timeout=60,
        what="the web server to replace its worker process",
    )
    assert http_get(site.base + "/accounts/login/")[0] == 200
