from __future__ import annotations

from pathlib import Path

import pytest

from openmentor.programmes.models import Programme
from tests.conftest import Tenant
from tests.factories import ProgrammeFactory
from tests.scenarios import SKILLS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> None:
    # Uploaded files go to a throwaway folder, not to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


@pytest.fixture
def programme(tenant: Tenant) -> Programme:
    return ProgrammeFactory.create(
        organisation=tenant.organisation,
        slug="spring",
        status=Programme.Status.ENROLLING,
        skills=SKILLS,
    )
