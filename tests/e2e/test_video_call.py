"""Two Chromium pages in a call: connect, decode each other's video, chat, survive a
network cut, offer audio only on a poor link; a stranger is refused; attendance counts.

Marked `webrtc`: scripts/test.sh runs these inside `unshare -n` (only loopback), as
../shared/specs/browser-tests.md explains; outside such a namespace they skip.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from openmentor.organisations.models import Membership
from openmentor.video import selectors, services
from openmentor.video.models import Presence
from tests.conftest import client_for, make_tenant
from tests.messaging.conftest import new_participant
from tests.scenarios import active_mentorship

pytestmark = [pytest.mark.webrtc, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _loopback_only() -> None:
    names = {name for _, name in socket.if_nameindex()}
    if names != {"lo"}:
        pytest.skip(
            "WebRTC tests must run in a loopback-only network namespace "
            "(scripts/test.sh uses `unshare -n`, which needs root); interfaces here: "
            + ", ".join(sorted(names))
        )


_contexts: list[BrowserContext] = []


@pytest.fixture(autouse=True)
def _close_pages() -> Any:
    # Pages left running would keep calling (and using the 2 cores) during the next test.
    yield
    while _contexts:
        _contexts.pop().close()


def open_as(browser: Browser, server: dict[str, Any], member: Membership, path: str) -> Page:
    context: BrowserContext = browser.new_context(base_url=server["url"])
    _contexts.append(context)
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server["url"]}]
    )
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error))
    page.goto(path)
    return page


def join(page: Page) -> None:
    expect(page.locator("#check-signalling")).to_have_attribute("data-state", "ok", timeout=10_000)
    page.get_by_role("button", name="Join the call").click()


def frames_decoded(page: Page) -> int:
    return int(
        page.evaluate(
            """async () => {
              let frames = 0;
              for (const peer of window.openmentorCall.peers.values()) {
                const report = await peer.pc.getStats();
                report.forEach((s) => {
                  if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
                });
              }
              return frames;
            }"""
        )
    )


def wait_for_frames(page: Page, more_than: int = 0, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = frames_decoded(page)
        if frames > more_than:
            return frames
        time.sleep(0.1)
    raise AssertionError(f"no new video frames decoded (still {more_than})")


def remote_video_size(page: Page) -> tuple[int, int]:
    width, height = page.evaluate(
        "() => { const v = document.querySelector('[data-peer] video'); "
        "return [v.videoWidth, v.videoHeight]; }"
    )
    return int(width), int(height)


def wait_for_remote_size(
    page: Page, wanted: Callable[[tuple[int, int]], bool], timeout: float = 15
) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    size = remote_video_size(page)
    while not wanted(size):
        if time.monotonic() > deadline:
            raise AssertionError(f"the partner's video stayed at {size}")
        time.sleep(0.1)
        size = remote_video_size(page)
    return size


def time_to_connected_s(page: Page) -> float:
    value = page.evaluate(
        "() => { const s = window.openmentorCall; "
        "return s.connectedAt === null ? null : (s.connectedAt - s.joinClickedAt) / 1000; }"
    )
    assert value is not None
    return float(value)


def pair_in_call(browser: Browser, server: dict[str, Any]) -> tuple[Any, Page, Page, str]:
    tenant = make_tenant("Acme")
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    mentor = Membership.objects.get(organisation=tenant.organisation, user=mentorship.mentor)
    path = f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/call/"
    a = open_as(browser, server, mentor, path)
    b = open_as(browser, server, tenant.participant, path)
    join(a)
    join(b)
    for page in (a, b):
        expect(page.locator("#call-status")).to_have_attribute(
            "data-state", "connected", timeout=15_000
        )
    return mentorship, a, b, path


def test_two_pages_connect_see_each_other_chat_and_attendance_is_recorded(
    browser: Browser, server: dict[str, Any]
) -> None:
    mentorship, a, b, _ = pair_in_call(browser, server)
    for page in (a, b):
        wait_for_frames(page)
    times = [time_to_connected_s(a), time_to_connected_s(b)]
    print(
        f"\nvideo: time to connected (join click to connected) median {statistics.median(times):.2f} s"
    )
    # Chat beside the video reaches the other page and is kept with the room.
    a.get_by_label("Message", exact=True).fill("Can you see my screen?")
    a.get_by_role("button", name="Send").click()
    expect(b.locator("#chat-log").get_by_text("Can you see my screen?")).to_be_visible()
    # Sharing the screen replaces the camera in what the partner receives, and back.
    camera_size = remote_video_size(b)
    a.get_by_role("button", name="Share screen").click()
    expect(a.get_by_role("button", name="Stop sharing")).to_have_attribute("aria-pressed", "true")
    screen_size = wait_for_remote_size(b, lambda size: size != camera_size)
    a.get_by_role("button", name="Stop sharing").click()
    wait_for_remote_size(b, lambda size: size == camera_size)
    print(f"video: partner saw the camera at {camera_size}, the shared screen at {screen_size}")
    # The quality panel reads real statistics.
    expect(b.locator("#quality")).not_to_have_attribute("data-band", "unknown", timeout=10_000)
    # Heartbeats every 5 s confirm media: wait for two, then leave.
    time.sleep(6)
    a.get_by_role("button", name="Leave call").click()
    expect(b.locator("#call-status")).to_contain_text("left the call")
    room = services.room_for_mentorship(mentorship=mentorship)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        seconds = selectors.attended_seconds(room=room)
        # The partner is still in the call: their time counts up to their last heartbeat
        # (every 5 s), so wait for one after the first few seconds of media.
        if len(seconds) == 2 and all(s >= 4 for s in seconds.values()):
            break
        time.sleep(0.3)
    assert set(seconds) == {mentorship.mentor_id, mentorship.mentee_id}
    rows = [
        (
            p.user_id,
            *(
                f"{t:%H:%M:%S.%f}" if t else None
                for t in (p.joined_at, p.media_since, p.confirmed_until, p.left_at)
            ),
        )
        for p in Presence.objects.filter(room=room)
    ]
    assert all(s >= 4 for s in seconds.values()), (seconds, rows)
    assert Presence.objects.get(room=room, user_id=mentorship.mentor_id).left_at is not None


@contextmanager
def loopback_cut() -> Iterator[None]:
    """Drops every packet on `lo` (a pfifo queue of length 0) until the block ends.

    Chromium's offline emulation (`context.set_offline`) only fails new requests: an
    open websocket and a running RTCPeerConnection carry on. To take the page really
    offline the test also cuts the (namespace's own) loopback link.
    """
    subprocess.run(["tc", "qdisc", "add", "dev", "lo", "root", "pfifo", "limit", "0"], check=True)
    try:
        yield
    finally:
        subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"], check=True)


def test_the_call_recovers_by_itself_after_five_seconds_offline(
    browser: Browser, server: dict[str, Any]
) -> None:
    _, a, b, _ = pair_in_call(browser, server)
    wait_for_frames(b)
    a.context.set_offline(True)
    with loopback_cut():
        # The pages say so while the network is down...
        cut = time.monotonic()
        expect(a.locator("#call-status")).to_have_attribute(
            "data-state", "reconnecting", timeout=4_500
        )
        expect(a.locator("#call-status")).to_contain_text("Reconnecting by itself")
        time.sleep(max(0.0, 5 - (time.monotonic() - cut)))
    a.context.set_offline(False)
    back = time.monotonic()
    # ...and recover by themselves: connected again, new frames on both, no click.
    for page in (a, b):
        expect(page.locator("#call-status")).to_have_attribute(
            "data-state", "connected", timeout=30_000
        )
    recovered_s = time.monotonic() - back
    for page in (a, b):
        before = frames_decoded(page)
        wait_for_frames(page, more_than=before, timeout=20)
    assert (
        a.evaluate("window.openmentorCall.restarts") + b.evaluate("window.openmentorCall.restarts")
        >= 1
    )
    print(f"\nvideo: recovered {recovered_s:.2f} s after the network returned")


def test_a_poor_link_offers_audio_only(browser: Browser, server: dict[str, Any]) -> None:
    _, a, b, _ = pair_in_call(browser, server)
    wait_for_frames(b)
    # Throttle the mentor's outgoing video to 30 kbit/s: the mentee's page sees it.
    a.evaluate(
        """async () => {
          for (const peer of window.openmentorCall.peers.values()) {
            for (const sender of peer.pc.getSenders()) {
              if (sender.track && sender.track.kind === 'video') {
                const params = sender.getParameters();
                params.encodings = [{...(params.encodings[0] || {}), maxBitrate: 30000}];
                await sender.setParameters(params);
              }
            }
          }
        }"""
    )
    offer = b.get_by_role("alert").filter(has_text="The connection is poor")
    expect(offer).to_be_visible(timeout=20_000)
    expect(b.locator("#quality")).to_have_attribute("data-band", "poor")
    expect(b.locator("#quality")).to_contain_text("low video bitrate")
    b.get_by_role("button", name="Switch to audio only").click()
    expect(b.get_by_role("button", name="Turn video back on")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The partner stops sending video too.
    expect(a.get_by_role("button", name="Turn video back on")).to_be_visible()


def test_a_stranger_is_refused(browser: Browser, server: dict[str, Any]) -> None:
    tenant = make_tenant("Acme")
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    stranger = new_participant(tenant.organisation)
    path = f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/call/"
    context = browser.new_context(base_url=server["url"])
    _contexts.append(context)
    session = client_for(stranger).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server["url"]}]
    )
    page = context.new_page()
    response = page.goto(path)
    assert response is not None and response.status == 404
    assert page.get_by_role("button", name="Join the call").count() == 0
    # Nor can the stranger's browser open the room's websocket.
    room = services.room_for_mentorship(mentorship=mentorship)
    code = page.evaluate(
        """(room) => new Promise((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/calls/${room}/`);
          ws.onclose = (event) => resolve(event.code);
        })""",
        room.pk,
    )
    assert code == 4403
