"""Janus for group-call browser tests: the gateway started by the test inside the
loopback-only namespace, the web server told where it is, and a probe of how many remote
feeds a page decodes.

Janus skips loopback interfaces when it gathers candidates, and a loopback-only
namespace has nothing else, so (as ../shared/specs/browser-tests.md measured) Janus runs
with LD_PRELOAD of a tiny getifaddrs() wrapper, built here with gcc, that clears
IFF_LOOPBACK on `lo`. Tests that use these fixtures are marked `webrtc`: scripts/test.sh
runs them inside `unshare -n`. Test modules import the fixtures by name.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, expect

from openmentor.organisations.models import Membership
from tests.conftest import client_for
from tests.processes import free_port, stop, wait_until_up, web_server

ROOT = Path(__file__).resolve().parents[2]

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
int getifaddrs(struct ifaddrs **ifap) {
  int (*real)(struct ifaddrs **) = dlsym(RTLD_NEXT, "getifaddrs");
  int rc = real(ifap);
  if (rc == 0)
    for (struct ifaddrs *i = *ifap; i; i = i->ifa_next)
      if (i->ifa_name && strcmp(i->ifa_name, "lo") == 0) i->ifa_flags &= ~IFF_LOOPBACK;
  return rc;
}
"""


@pytest.fixture(scope="module")
def janus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if {name for _, name in socket.if_nameindex()} != {"lo"}:
        pytest.skip("WebRTC tests run in a loopback-only namespace (scripts/test.sh: unshare -n)")
    if not shutil.which("janus") or not shutil.which("gcc"):
        pytest.skip("needs Debian's janus and gcc (scripts/ensure-janus.sh installs janus)")
    folder = tmp_path_factory.mktemp("janus")
    (folder / "shim.c").write_text(SHIM)
    shim = folder / "shim.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", str(shim), str(folder / "shim.c"), "-ldl"], check=True
    )
    config = folder / "etc"
    shutil.copytree("/etc/janus", config)
    main = (config / "janus.jcfg").read_text()
    main = main.replace("nat: {", 'nat: {\n\tice_enforce_list = "lo"\n\tignore_mdns = true\n', 1)
    main = re.sub(r"(?m)^\s*ice_ignore_list\s*=.*$", "", main)
    (config / "janus.jcfg").write_text(main)
    port = free_port()
    (config / "janus.transport.http.jcfg").write_text(
        "general: {\n"
        '\tjson = "indented"\n\tbase_path = "/janus"\n\thttp = true\n'
        f'\tport = {port}\n\tip = "127.0.0.1"\n\thttps = false\n}}\n'
        "admin: {\n\tadmin_http = false\n}\n"
        "cors: {\n}\n"
    )
    for unused in ("websockets", "mqtt", "nanomsg", "pfunix", "rabbitmq"):
        (config / f"janus.transport.{unused}.jcfg").unlink(missing_ok=True)
    log = folder / "janus.log"
    process = subprocess.Popen(
        ["janus", "-F", str(config), "-C", str(config / "janus.jcfg")],
        env={**os.environ, "LD_PRELOAD": str(shim)},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/janus"
    wait_until_up(url + "/info", process, log, "Janus")
    yield url
    stop(process, log, "Janus")


@pytest.fixture(scope="module")
def group_server(
    janus_url: str,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The web server under test, told where Janus is (VIDEO_JANUS_URLS)."""
    with django_db_blocker.unblock():
        db_name = str(connection.settings_dict["NAME"])
    log = tmp_path_factory.mktemp("group-server") / "uvicorn.log"
    with web_server(db_name, log, VIDEO_JANUS_URLS=janus_url) as url:
        yield url


def feeds_decoding(page: Page) -> int:
    """Remote video feeds the page is decoding frames of (Janus subscribers)."""
    return int(
        page.evaluate(
            """async () => {
              const call = window.openmentorJanus;
              if (!call) return 0;
              let decoding = 0;
              for (const entry of call.subscribers.values()) {
                const pc = entry.handle && entry.handle.webrtcStuff && entry.handle.webrtcStuff.pc;
                if (!pc) continue;
                let frames = 0;
                (await pc.getStats()).forEach((s) => {
                  if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
                });
                if (frames > 0) decoding += 1;
              }
              return decoding;
            }"""
        )
    )


def signed_in(browser: Browser, server: str, member: Membership) -> tuple[BrowserContext, Page]:
    """A browser context signed in as `member`, and a page in it."""
    context = browser.new_context(base_url=server)
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server}])
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error))
    return context, page


def join_from_lobby(page: Page) -> None:
    """On a group call's lobby: its checks pass (the media check through Janus, the
    group call's path) and the person joins."""
    expect(page.locator("#check-signalling")).to_have_attribute("data-state", "ok", timeout=10_000)
    expect(page.locator("#check-media")).to_have_attribute("data-state", "ok", timeout=15_000)
    expect(page.locator("#check-media")).to_contain_text("through the group-call server")
    page.get_by_role("button", name="Join the call").click()
