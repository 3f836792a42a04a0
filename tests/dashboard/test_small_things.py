"""Small things a newcomer noticed: lists that repeat, fields that do not apply."""

from __future__ import annotations

import pytest

from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for
from tests.factories import ProgrammeFactory
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def test_programmes_you_can_join_leaves_out_the_ones_you_are_in(tenant: Tenant) -> None:
    mine = ProgrammeFactory(
        organisation=tenant.organisation, name="Mine", status=Programme.Status.ENROLLING
    )
    Enrolment.objects.create(programme=mine, user=tenant.participant.user, role="mentee")
    ProgrammeFactory(
        organisation=tenant.organisation, name="Another", status=Programme.Status.ENROLLING
    )
    body = client_for(tenant.participant).get(f"/o/{tenant.organisation.slug}/programmes/")
    text = body.content.decode()
    joinable = text[text.index("Programmes you can join") :]
    assert "Another" in joinable and "Mine" not in joinable
    assert "Mine" in text[: text.index("Programmes you can join")]


def test_a_mentees_profile_does_not_ask_how_many_mentees_they_take(tenant: Tenant) -> None:
    pair = active_mentorship(tenant.organisation, mentee=tenant.participant)
    url = f"/o/{tenant.organisation.slug}/profile/"
    mentee_page = client_for(tenant.participant).get(url).content.decode()
    assert "How many mentees you can take at once" not in mentee_page
    from openmentor.organisations.models import Membership

    mentor = Membership.objects.get(organisation=tenant.organisation, user=pair.mentor)
    assert "How many mentees you can take at once" in client_for(mentor).get(url).content.decode()
