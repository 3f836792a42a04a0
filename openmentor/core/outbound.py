"""HTTP requests to addresses an organisation gave us (webhooks, chat incoming webhooks,
its identity provider).

Such a URL is someone else's choice, so it must not reach our own network (SSRF). In
production settings (`OUTBOUND_ALLOW_PRIVATE_TARGETS` off) the URL must be https, and
every address its host resolves to must be a public one: no loopback, link-local, private,
shared, multicast, reserved or unspecified range (IPv4 and IPv6, IPv4-mapped addresses
unwrapped). The check is made on the resolved address, and the connection is then made to
that same address (with the host name kept for TLS and the Host header), so a DNS answer
that changes between the check and the request cannot slip past it. Redirects are not
followed.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

MAX_URL_LENGTH = 2000
RESPONSE_EXCERPT = 1000


class TargetRefused(Exception):
    """The URL may not be called: its message says why, for the person who entered it."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the vetted IP the connection goes to


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body_excerpt: str
    duration_ms: int


def _allow_private() -> bool:
    return bool(settings.OUTBOUND_ALLOW_PRIVATE_TARGETS)


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def url_check(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL we may call, before any DNS: refuses what is
    never allowed (not http(s), credentials in it, no host, https required)."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"Keep the address under {MAX_URL_LENGTH} characters.")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http"):
        raise TargetRefused("The address must start with https://.")
    if parts.scheme == "http" and not _allow_private():
        raise TargetRefused("The address must use https://.")
    if parts.username or parts.password:
        raise TargetRefused("The address must not contain a user name or password.")
    host = parts.hostname
    if not host:
        raise TargetRefused("The address has no host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused("The address has an invalid port.") from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path


def resolve(url: str) -> Target:
    """The URL with the address it will be called at, or TargetRefused."""
    scheme, host, port, path = url_check(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host name {host} does not resolve.") from error
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise TargetRefused(f"The host name {host} does not resolve.")
    if not _allow_private():
        refused = [a for a in addresses if not address_is_public(a)]
        if refused:
            raise TargetRefused(
                f"{host} resolves to {refused[0]}, a loopback, link-local or private "
                "address; only public addresses may be called."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float = 10.0
) -> OutboundResponse:
    """POSTs `body` to `url` after the checks above; raises TargetRefused or OSError
    (refused, reset, timed out, TLS) — the caller records either as a failed attempt."""
    target = resolve(url)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout)
        if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout)
    )
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": "OpenMentor-Webhooks/1", **headers},
        )
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
    except http.client.HTTPException as error:
        raise OSError(f"Bad HTTP answer: {error!r}") from error
    finally:
        connection.close()
    return OutboundResponse(
        status=response.status,
        body_excerpt=excerpt,
        duration_ms=int((time.monotonic() - started) * 1000),
    )


# --- the same rules for libraries that speak HTTP through `requests` -------------------


class RefusedRequest(requests.ConnectionError):
    """A request the rules above refused; its message says why. A ConnectionError, so a
    library that handles failed connections (allauth does) handles this one too."""


class _VettedAdapter(HTTPAdapter):
    """Checks every request's URL as `resolve` does (redirects included: each hop comes
    through here) and connects to the vetted address, keeping the host name for TLS and
    the Host header, so a DNS answer that changes after the check cannot slip past it."""

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        try:
            target = resolve(request.url or "")
        except TargetRefused as error:
            raise RefusedRequest(str(error), request=request) from error
        default_port = 443 if target.scheme == "https" else 80
        request.headers["Host"] = (
            target.host if target.port == default_port else f"{target.host}:{target.port}"
        )
        request.vetted_target = target  # type: ignore[attr-defined]
        return super().send(request, *args, **kwargs)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        target: Target | None = getattr(request, "vetted_target", None)
        if target is not None:
            host_params["host"] = target.address
            if target.scheme == "https":
                pool_kwargs["server_hostname"] = target.host
                pool_kwargs["assert_hostname"] = target.host
        return host_params, pool_kwargs


def vetted_session(*, timeout: float = 10.0) -> requests.Session:
    """A `requests` session held to this module's rules, for libraries that fetch URLs an
    organisation configured (an identity provider's discovery document and the endpoints
    it names). Proxies from the environment are ignored: the vetted address is the one
    connected to."""
    session = requests.Session()
    session.trust_env = False
    adapter = _VettedAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.request = functools.partial(session.request, timeout=timeout)  # type: ignore[method-assign]
    return session
