from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_landing_page_promises_only_what_exists() -> None:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", Client().get("/").content.decode()))
    if not apps.is_installed("openmentor.video"):
        # Until the built-in video calls exist, the page does not promise them.
        assert "video" not in text.lower()
    else:
        # They exist (the call rooms of openmentor.video), so the page says so.
        assert "video calls built in" in text
    for feature in ("matching", "timezones", "calendar", "messages", "reports"):
        assert feature in text
