"""Helpers for the manager-run matching tests."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from openmentor.matching.models import MatchingRun
from openmentor.programmes.models import Programme
from tests.conftest import client_for
from tests.scenarios import EnrollingProgramme


def url(name: str, programme: Programme, *args: Any) -> str:
    return reverse(name, args=[programme.organisation.slug, programme.slug, *args])


def manager_client(scenario: EnrollingProgramme) -> Client:
    return client_for(scenario.manager)


def run_matching(client: Client, programme: Programme, capture: Any, **data: str) -> MatchingRun:
    """Clicks "Run matching"; the task runs on commit with the immediate backend."""
    with capture(execute=True):
        response = client.post(url("matching_run_start", programme), data)
    assert response.status_code == 302, response
    return MatchingRun.objects.filter(programme=programme).order_by("-pk").first()  # type: ignore[return-value]
