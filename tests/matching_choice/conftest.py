"""A programme in mentee-choice mode, built with the shared scenario helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase

from openmentor.accounts.models import User
from openmentor.matching.models import MatchingSettings
from openmentor.matching.problem import settings_for
from openmentor.programmes.models import Programme
from tests.conftest import Tenant
from tests.scenarios import EnrollingProgramme, enrolling_programme, profile_of


def choice_programme(
    tenant: Tenant,
    *,
    mentors: int = 3,
    mentees: int = 3,
    max_open_requests: int = 2,
    response_days: int = 3,
    recommendations_shown: int = 5,
    capacity: int = 2,
    **programme_fields: Any,
) -> EnrollingProgramme:
    """Mentors and mentees who all fit each other (same language, overlapping hours)."""
    programme_fields.setdefault("matching_mode", Programme.MatchingMode.MENTEE_CHOICE)
    scenario = enrolling_programme(
        tenant.organisation, mentors=mentors, mentees=mentees, **programme_fields
    )
    for enrolment in scenario.mentors:
        profile = profile_of(enrolment)
        profile.mentor_capacity = capacity
        profile.save()
    MatchingSettings.objects.filter(pk=settings_for(scenario.programme).pk).update(
        max_open_requests=max_open_requests,
        response_days=response_days,
        recommendations_shown=recommendations_shown,
    )
    return scenario


def mentors_of(scenario: EnrollingProgramme) -> list[User]:
    return [e.user for e in scenario.mentors]


def mentees_of(scenario: EnrollingProgramme) -> list[User]:
    return [e.user for e in scenario.mentees]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def committed() -> Any:
    """Runs the on-commit callbacks (the e-mails) of what happens inside, as a real
    commit would; tests run inside a transaction that never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def sent_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def cohort(tenant: Tenant) -> EnrollingProgramme:
    return choice_programme(tenant)


@pytest.fixture
def make_choice(tenant: Tenant) -> Callable[..., EnrollingProgramme]:
    def make(**kwargs: Any) -> EnrollingProgramme:
        return choice_programme(tenant, **kwargs)

    return make
