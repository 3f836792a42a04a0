from __future__ import annotations

from dataclasses import dataclass

import pytest

from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from tests.conftest import Tenant
from tests.scenarios import EnrollingProgramme, enrolling_programme


@dataclass
class Pair:
    scenario: EnrollingProgramme
    mentorship: Mentorship

    @property
    def mentor(self) -> User:
        return self.mentorship.mentor

    @property
    def mentee(self) -> User:
        return self.mentorship.mentee


@pytest.fixture
def cohort(tenant: Tenant) -> EnrollingProgramme:
    return enrolling_programme(tenant.organisation, mentors=2, mentees=3)


def propose(scenario: EnrollingProgramme, mentor: int = 0, mentee: int = 0) -> Mentorship:
    return mentorships_lifecycle.mentorship_create(
        programme=scenario.programme,
        mentor=scenario.mentors[mentor].user,
        mentee=scenario.mentees[mentee].user,
        created_by=scenario.manager.user,
        source=Mentorship.Source.MANAGER,
    )


def start(mentorship: Mentorship) -> Mentorship:
    for user in (mentorship.mentee, mentorship.mentor):
        mentorship = mentorships_lifecycle.mentorship_accept_agreement(
            mentorship=mentorship, user=user, hopes="To learn", confidentiality=True
        )
    return mentorship


@pytest.fixture
def pair(cohort: EnrollingProgramme) -> Pair:
    return Pair(scenario=cohort, mentorship=start(propose(cohort)))
