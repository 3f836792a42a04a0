"""A programme's status governs every action, not only enrolment and settings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from openmentor.matching.services import runs as matching_runs
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services.lifecycle import mentorship_create
from openmentor.programmes.models import Campaign, Programme
from openmentor.programmes.promotion.services import campaign_send
from openmentor.programmes.selectors import programme_refusal
from tests.conftest import Tenant
from tests.factories import CampaignFactory
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "evergreen", "allowed"),
    [
        ("draft", False, {"import"}),
        ("enrolling", False, {"import", "promote", "match"}),
        ("matching", False, {"import", "match"}),
        ("running", False, {"import", "match"}),
        ("running", True, {"import", "promote", "match"}),
        ("closed", False, set()),
    ],
)
def test_what_each_status_allows(
    tenant: Tenant, status: str, evergreen: bool, allowed: set[str]
) -> None:
    programme = Programme(name="P", status=status, evergreen=evergreen)
    assert {
        a for a in ("import", "promote", "match") if programme_refusal(programme, a) is None
    } == allowed


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_no_pairing_or_matching_in_a_draft_or_closed_programme(tenant: Tenant, status: str) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    Programme.objects.filter(pk=scenario.programme.pk).update(status=status)
    scenario.programme.refresh_from_db()
    with pytest.raises(ValidationError, match="matching is possible while"):
        mentorship_create(
            programme=scenario.programme,
            mentor=scenario.mentors[0].user,
            mentee=scenario.mentees[0].user,
            created_by=scenario.manager.user,
            source="manager",
        )
    with pytest.raises(ValidationError, match="matching is possible while"):
        matching_runs.matching_run_start(programme=scenario.programme, actor=scenario.manager)
    assert not Mentorship.objects.exists()


def test_a_closed_programme_cannot_be_promoted(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    campaign = CampaignFactory(
        programme=scenario.programme,
        subject="Join",
        body_markdown="Please",
        audience=Campaign.Audience.PASTED,
        pasted_emails="x@example.org",
        link_token="t1",
    )
    Programme.objects.filter(pk=scenario.programme.pk).update(status="closed")
    campaign.programme.refresh_from_db()
    with pytest.raises(ValidationError, match="not taking enrolments"):
        campaign_send(campaign=campaign, actor=scenario.manager)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and not campaign.deliveries.exists()


def test_nothing_is_imported_into_a_closed_programme(tenant: Tenant) -> None:
    from django.core.files.base import ContentFile

    from openmentor.people.models import ParticipantImport
    from openmentor.programmes.imports.services import participant_import_start

    scenario = enrolling_programme(tenant.organisation, mentors=0, mentees=0)
    Programme.objects.filter(pk=scenario.programme.pk).update(status="closed")
    scenario.programme.refresh_from_db()
    participant_import = ParticipantImport.objects.create(
        organisation=tenant.organisation,
        programme=scenario.programme,
        file=ContentFile(b"email,role\n", name="p.csv"),
        original_name="p.csv",
        file_kind="csv",
        status=ParticipantImport.Status.CHECKED,
    )
    with pytest.raises(ValidationError, match="can no longer be imported"):
        participant_import_start(participant_import=participant_import, actor=scenario.manager.user)
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.CHECKED
