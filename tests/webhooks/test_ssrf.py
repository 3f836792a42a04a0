"""In production settings, webhook targets are https on public addresses only, checked
when an owner enters one and again, on the resolved address, at every attempt."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from openmentor.core import outbound
from openmentor.webhooks.models import WebhookDelivery
from openmentor.webhooks.services import webhook_delivery_attempt, webhook_endpoint_create
from tests.conftest import Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_targets")]


@pytest.fixture
def production_targets() -> Any:
    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=False):
        yield


def _create(tenant: Tenant, url: str) -> Any:
    return webhook_endpoint_create(
        actor=tenant.owner, url=url, description="", event_types=["mentorship.started"]
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/", "must use https://"),
        ("ftp://hooks.example.org/", "must start with https://"),
        ("https://user:pw@hooks.example.org/", "user name or password"),
        ("https://localhost/hook", "Local host names"),
        ("https://intranet.local/hook", "Local host names"),
        ("https://127.0.0.1/hook", "127.0.0.1 is a loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://172.16.0.9/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::1]/hook", "::1 is a loopback"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://0.0.0.0/hook", "loopback"),
        ("https://100.64.0.1/hook", "private"),
        ("https://hooks.example.org:99999/", "invalid port"),
    ],
)
def test_targets_that_can_be_told_at_once_are_refused(
    tenant: Tenant, url: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _create(tenant, url)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"]
)
def test_a_host_that_resolves_to_a_private_address_is_refused_at_delivery(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    """The DNS name looks harmless (and may have resolved elsewhere when it was entered):
    the attempt checks what it resolves to now, and never connects."""
    endpoint = _create(tenant, "https://hooks.example.org/openmentor")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(family, socket.SOCK_STREAM, 6, "", (address, port))],
    )
    connections: list[Any] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a))
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_ssrf", event_type="mentorship.started", payload={}
    )
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert connections == []
    attempt = delivery.attempt_log.get()
    assert attempt.error.startswith("Refused: hooks.example.org resolves to")
    assert delivery.status == WebhookDelivery.Status.RETRYING


def test_one_private_answer_among_public_ones_is_enough_to_refuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ],
    )
    with pytest.raises(outbound.TargetRefused):
        outbound.resolve("https://hooks.example.org/")


def test_the_connection_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No second DNS lookup between the check and the connection (DNS rebinding)."""
    answers = iter(["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))
        ],
    )
    connected: list[tuple[str, int]] = []

    def refuse(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        connected.append(address)
        raise ConnectionRefusedError("test: no traffic leaves this machine")

    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(OSError):
        outbound.post("https://hooks.example.org/x", body=b"{}", headers={})
    assert connected == [("93.184.216.34", 443)]


def test_a_name_that_does_not_resolve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror("no such name")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(outbound.TargetRefused, match="does not resolve"):
        outbound.resolve("https://nowhere.example.org/")


def test_public_https_targets_are_accepted(tenant: Tenant) -> None:
    endpoint = _create(tenant, "https://hooks.example.org/openmentor?team=hr")
    assert endpoint.url == "https://hooks.example.org/openmentor?team=hr"
    assert endpoint.secret.startswith("whsec_")
