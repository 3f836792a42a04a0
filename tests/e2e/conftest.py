"""Browser tests: Playwright drives Debian's Chromium against a real uvicorn server.

See ../shared/specs/browser-tests.md for why it is set up this way.
"""

from __future__ import annotations

import email
import os
import re
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.processes import web_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's Chromium is missing: run `make browser` (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Playwright's sync API runs an event loop in the test thread, so Django would refuse
# the (synchronous, safe) ORM calls that test bodies and fixtures make. This conftest is
# only imported when browser tests are collected; `make test` runs them in a pytest run of
# their own so that the rest of the suite keeps Django's check.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Outbox:
    """The e-mails the server under test sent, read from the file backend's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[Message]:
        found: list[Message] = []
        for path in sorted(self.folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    found.append(email.message_from_string(chunk.strip()))
        return found

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages() if address in (m["To"] or "")]

    def link_for(self, address: str, pattern: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.to(address)):
                body = _text_of(message)
                match = re.search(r"https?://\S*" + pattern + r"\S*", body)
                if match:
                    return match.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {address} with a link matching {pattern!r}")

    def clear(self) -> None:
        for path in self.folder.glob("*.log"):
            path.unlink()


def _text_of(message: Message) -> str:
    if message.is_multipart():
        return "\n".join(_text_of(part) for part in message.get_payload())  # type: ignore[arg-type, union-attr]
    payload = message.get_payload(decode=True)
    return payload.decode(errors="replace") if isinstance(payload, bytes) else str(payload)


@pytest.fixture(scope="session")
def asgi_server(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Runs uvicorn on a free port against the test database; yields its URL and outbox."""
    mail_dir = tmp_path_factory.mktemp("outbox")
    with django_db_blocker.unblock():
        db_name = str(connection.settings_dict["NAME"])
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    with web_server(db_name, log, OPENMENTOR_EMAIL_DIR=str(mail_dir)) as url:
        yield {"url": url, "outbox": Outbox(mail_dir)}


@pytest.fixture
def server(asgi_server: dict[str, Any], transactional_db: None) -> dict[str, Any]:
    asgi_server["outbox"].clear()
    return asgi_server


# The Janus gateway and a web server pointed at it, for the group-call tests (janus.py).
from tests.e2e.janus import group_server, janus_url  # noqa: E402, F401
