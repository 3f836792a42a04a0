from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Membership, Organisation, Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.scenarios import active_mentorship


@dataclass
class Pair:
    """The Tenant's participant (mentee) and a mentor in an active mentorship."""

    tenant: Tenant
    mentorship: Mentorship
    mentor: Membership
    mentee: Membership


def new_participant(organisation: Organisation) -> Membership:
    """A new participant member (typed: factory-boy's factories are not)."""
    return cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))


def make_pair(tenant: Tenant, mentee: Membership | None = None) -> Pair:
    mentee = mentee or tenant.participant
    mentorship = active_mentorship(tenant.organisation, mentee=mentee)
    mentor = Membership.objects.get(organisation=tenant.organisation, user=mentorship.mentor)
    return Pair(tenant=tenant, mentorship=mentorship, mentor=mentor, mentee=mentee)


@pytest.fixture
def pair(tenant: Tenant) -> Pair:
    return make_pair(tenant)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Uploaded files go to a folder of the test's own, checked for leftovers."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    yield root


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]
