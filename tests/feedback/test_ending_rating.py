"""The optional rating on the ending form: saved with the ending, or nothing at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmentor.feedback import services
from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant, client_for
from tests.feedback.helpers import end_url
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def test_the_ending_form_asks_how_useful_it_was(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    html = client_for(tenant.participant).get(end_url(mentorship)).content.decode()
    assert "<legend>How useful was this mentorship for you?</legend>" in html
    assert "1 — Not at all" in html and "5 — Very" in html
    assert "Your partner never sees it." in html


def test_ending_with_a_rating(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    response = client_for(tenant.participant).post(
        end_url(mentorship), {"reason": "goals_met", "rating": "5"}
    )
    assert response.status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    rating = MentorshipRating.objects.get()
    assert (rating.rating, rating.moment, rating.author) == (5, "ending", tenant.participant.user)


def test_ending_without_a_rating(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    response = client_for(tenant.participant).post(end_url(mentorship), {"reason": "schedule"})
    assert response.status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED and MentorshipRating.objects.count() == 0


@pytest.mark.parametrize("rating", ["0", "6", "useful", "-1", "2.5"])
def test_a_bad_rating_ends_nothing(tenant: Tenant, rating: str) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    response = client_for(tenant.participant).post(
        end_url(mentorship), {"reason": "goals_met", "rating": rating, "reflection": "Kept words"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose a number from 1 (not at all) to 5 (very)." in html and "Kept words" in html
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ACTIVE
    assert MentorshipRating.objects.count() == 0


def test_service_refuses_outsiders_and_bad_moments(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    with pytest.raises(PermissionDenied):
        services.rating_submit(
            mentorship=mentorship, author=tenant.manager.user, rating=3, moment="checkin"
        )
    with pytest.raises(ValidationError):
        # Not ended yet: no ending rating.
        services.rating_submit(
            mentorship=mentorship, author=tenant.participant.user, rating=3, moment="ending"
        )
    with pytest.raises(ValidationError):
        services.rating_submit(
            mentorship=mentorship, author=tenant.participant.user, rating=3, moment="whenever"
        )
    for bad in (0, 6, True):
        with pytest.raises(ValidationError):
            services.rating_submit(
                mentorship=mentorship,
                author=tenant.participant.user,
                rating=bad,
                moment="checkin",
            )
    assert MentorshipRating.objects.count() == 0
