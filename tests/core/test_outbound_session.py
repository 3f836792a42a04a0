"""The `requests` session for URLs an organisation chose (its identity provider's
discovery document and the endpoints it names): each request is checked against the
outbound rules and sent to the address that was checked."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import override_settings

from openmentor.core import outbound

REAL_GETADDRINFO = socket.getaddrinfo


def _resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, str]) -> None:
    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in names:
            return REAL_GETADDRINFO(names[host], port, *args, **kwargs)
        if host in names.values():  # an address literal, as the pinned connection uses
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        raise socket.gaierror(f"unknown host {host}")

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def local_server() -> Any:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers["Host"])
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


@override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=True)
def test_the_request_goes_to_the_checked_address_with_the_host_name_kept(
    monkeypatch: pytest.MonkeyPatch, local_server: Any
) -> None:
    port, seen = local_server
    # Only the check resolves "idp.test"; the connection must use the address it found.
    _resolving(monkeypatch, {"idp.test": "127.0.0.1"})
    with outbound.vetted_session() as session:
        response = session.get(f"http://idp.test:{port}/.well-known/openid-configuration")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert seen == [f"idp.test:{port}"]


@override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://idp.test/token", "resolves to 10.0.0.5"),
        ("http://idp.test/token", "must use https"),
        ("https://user:pw@idp.test/", "user name or password"),
        ("https://nowhere.test/", "does not resolve"),
    ],
)
def test_a_private_or_malformed_target_is_refused_before_any_connection(
    monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    _resolving(monkeypatch, {"idp.test": "10.0.0.5"})
    connections: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a) or None)
    with outbound.vetted_session() as session, pytest.raises(outbound.RefusedRequest) as refused:
        session.get(url)
    assert said in str(refused.value)
    assert connections == []
