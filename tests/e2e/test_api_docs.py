"""The API docs page renders in a browser from our own static files, under our content
security policy, with nothing loaded from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_page_renders_without_a_cdn(browser: Browser, server: dict[str, Any]) -> None:
    page = browser.new_context(base_url=server["url"]).new_page()
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="OpenMentor API")).to_be_visible()
    expect(page.get_by_text("/api/v1/participants", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert all(url.startswith(server["url"]) for url in requested), requested
    assert not [p for p in problems if "Content Security Policy" in p], problems
