"""The check-in: members of a mentorship three weeks old rate it, privately."""

from __future__ import annotations

from typing import cast

import pytest

from openmentor.core.models import Event
from openmentor.feedback.models import MentorshipRating
from openmentor.organisations.models import Membership
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory
from tests.feedback.helpers import SECRET, checkin_url, detail_url
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def test_member_checks_in_with_a_rating_and_a_private_comment(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    client = client_for(tenant.participant)
    page = client.get(checkin_url(mentorship))
    html = page.content.decode()
    assert page.status_code == 200
    assert "How useful is this mentorship for you so far?" in html
    assert '<label class="inline" for="id_rating_0">1 — Not at all</label>' in html
    assert "5 — Very" in html and "A private comment (optional)" in html
    response = client.post(checkin_url(mentorship), {"rating": "4", "comment": SECRET})
    assert response.status_code == 302 and response["Location"] == detail_url(mentorship)
    rating = MentorshipRating.objects.get()
    assert (rating.rating, rating.moment, rating.comment) == (4, "checkin", SECRET)
    assert rating.author == tenant.participant.user
    # The event says feedback was given, never what it was.
    event = Event.objects.get(kind="feedback.given")
    assert event.data == {"mentorship": mentorship.pk, "moment": "checkin"}


def test_checking_in_again_changes_the_answer(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    client = client_for(tenant.participant)
    client.post(checkin_url(mentorship), {"rating": "2"})
    page = client.get(checkin_url(mentorship))
    assert 'value="2" id="id_rating_1" required checked' in page.content.decode()
    client.post(checkin_url(mentorship), {"rating": "5", "comment": "Better now"})
    rating = MentorshipRating.objects.get()
    assert (rating.rating, rating.comment) == (5, "Better now")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "0"}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "6"}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "very good"}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "3.5"}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({}, "Choose a number from 1 (not at all) to 5 (very)."),
        ({"rating": "3", "comment": "x" * 5001}, "Keep your comment under 5,000 characters."),
    ],
)
def test_bad_input_is_refused_at_the_field(
    tenant: Tenant, data: dict[str, str], message: str
) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    response = client_for(tenant.participant).post(checkin_url(mentorship), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'class="error"' in html
    assert (
        MentorshipRating.objects.count() == 0
        and not Event.objects.filter(kind="feedback.given").exists()
    )


def test_bad_input_keeps_what_was_typed(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    response = client_for(tenant.participant).post(
        checkin_url(mentorship), {"rating": "9", "comment": "Keep these words"}
    )
    assert response.status_code == 400 and "Keep these words" in response.content.decode()


def test_too_early_for_a_checkin(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=2)
    client = client_for(tenant.participant)
    page = client.get(checkin_url(mentorship))
    assert page.status_code == 200
    assert "The check-in opens three weeks after your mentorship started" in page.content.decode()
    assert "Save my check-in" not in page.content.decode()
    response = client.post(checkin_url(mentorship), {"rating": "4"})
    assert response.status_code == 400 and MentorshipRating.objects.count() == 0


def test_ended_mentorship_has_no_checkin(tenant: Tenant) -> None:
    from django.utils import timezone

    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    mentorship.status, mentorship.ended_at = "ended", timezone.now()
    mentorship.save()
    response = client_for(tenant.participant).post(checkin_url(mentorship), {"rating": "4"})
    assert response.status_code == 400 and "has ended" in response.content.decode()
    assert MentorshipRating.objects.count() == 0


def test_only_the_two_members_reach_the_checkin(tenant: Tenant, other_tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    stranger = cast(Membership, MembershipFactory(organisation=tenant.organisation))
    for membership in (tenant.manager, tenant.owner, stranger, other_tenant.owner):
        client = client_for(membership)
        assert client.get(checkin_url(mentorship)).status_code == 404
        assert client.post(checkin_url(mentorship), {"rating": "1"}).status_code == 404
    assert MentorshipRating.objects.count() == 0
    # The mentor is a member too.
    mentor = mentorship.programme.organisation.memberships.get(user=mentorship.mentor)
    assert client_for(mentor).get(checkin_url(mentorship)).status_code == 200
