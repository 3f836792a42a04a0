from __future__ import annotations

from typing import cast

import pytest
from django.urls import NoReverseMatch, reverse
from pytest_django.fixtures import Settings

from openmentor.programmes.models import Programme
from tests.conftest import Tenant
from tests.factories import ProgrammeFactory


@pytest.fixture(autouse=True)
def join_url_available(settings: Settings) -> None:
    """Falls back to a stand-in join URL if the real join flow is not registered yet."""
    try:
        reverse("programme_join", kwargs={"token": "x"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.promotion.urls"


@pytest.fixture
def programme(tenant: Tenant) -> Programme:
    return cast(
        Programme,
        ProgrammeFactory(
            organisation=tenant.organisation, status=Programme.Status.ENROLLING, name="Pathways"
        ),
    )
