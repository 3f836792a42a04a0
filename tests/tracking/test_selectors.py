"""Health of a programme's mentorships, read from the activity record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships.activity import activity_record
from openmentor.mentorships.models import Activity
from openmentor.tracking.health import State
from openmentor.tracking.selectors import programme_health
from tests.conftest import Tenant, client_for
from tests.scenarios import active_mentorship
from tests.tracking.helpers import held, started


def test_the_selector_reads_the_record_and_puts_the_quiet_pair_first(tenant: Tenant) -> None:
    now = timezone.now()
    steady = active_mentorship(tenant.organisation)
    programme = steady.programme
    quiet = active_mentorship(tenant.organisation, programme=programme)
    for m in (steady, quiet):
        started(m, now - dt.timedelta(weeks=12))
    for days in (2, 16, 30):
        held(steady, now - dt.timedelta(days=days))
    held(quiet, now - dt.timedelta(weeks=6))
    result = programme_health(programme=programme, now=now)
    assert [r.mentorship.pk for r in result.rows] == [quiet.pk, steady.pk]
    assert result.rows[0].health.state == State.AT_RISK
    assert result.rows[0].health.reasons[0] == "no meeting for 6 weeks, expected every 2"
    assert result.rows[1].health.state == State.THRIVING
    assert result.counts == {"at_risk": 1, "thriving": 1}


def test_only_shared_ratings_count_toward_health(tenant: Tenant) -> None:
    now = timezone.now()
    m = active_mentorship(tenant.organisation)
    started(m, now - dt.timedelta(weeks=8))
    for days in (3, 17):
        held(m, now - dt.timedelta(days=days))
    for n, shared in enumerate((False, False)):
        activity_record(
            mentorship=m,
            kind=Activity.Kind.FEEDBACK_GIVEN,
            key=f"t:{n}",
            actor=m.mentee,
            at=now - dt.timedelta(days=n + 1),
            data={"moment": "meeting", **({"rating": 1} if shared else {})},
        )
    assert programme_health(programme=m.programme, now=now).rows[0].health.state == (State.THRIVING)
    for n in (5, 6):
        activity_record(
            mentorship=m,
            kind=Activity.Kind.FEEDBACK_GIVEN,
            key=f"t:{n}",
            actor=m.mentee,
            at=now - dt.timedelta(hours=n),
            data={"moment": "meeting", "rating": 2},
        )
    health = programme_health(programme=m.programme, now=now).rows[0].health
    assert health.reasons == ("mentee rated the last two meetings 2/5",)


def test_the_manager_page_lists_at_risk_first_in_bounded_queries(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    first = active_mentorship(tenant.organisation)
    programme = first.programme
    pairs = [first] + [
        active_mentorship(tenant.organisation, programme=programme) for _ in range(11)
    ]
    for n, m in enumerate(pairs):
        started(m, now - dt.timedelta(weeks=10))
        held(m, now - dt.timedelta(weeks=6 if n % 3 == 0 else 1))
    client = client_for(tenant.manager)
    url = reverse("programme_health", args=[tenant.organisation.slug, programme.slug])
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("At risk") < text.index("All open mentorships")
    assert "no meeting for 6 weeks, expected every 2" in text
    assert "Send the pair a nudge" in text


def test_participants_and_other_organisations_cannot_see_health(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    m = active_mentorship(tenant.organisation, mentee=tenant.participant)
    url = reverse("programme_health", args=[tenant.organisation.slug, m.programme.slug])
    assert client_for(tenant.participant).get(url).status_code == 403
    assert client_for(other_tenant.manager).get(url).status_code == 404
    other = reverse("programme_health", args=[other_tenant.organisation.slug, m.programme.slug])
    assert client_for(other_tenant.manager).get(other).status_code == 404
    assert Client().get(url).status_code == 302


def test_activities_are_recorded_once_by_the_services(tenant: Tenant) -> None:
    from openmentor.feedback.services import rating_submit

    m = active_mentorship(tenant.organisation, weeks_old=4)
    rating_submit(mentorship=m, author=m.mentee, rating=4, moment=MentorshipRating.Moment.CHECKIN)
    rating_submit(mentorship=m, author=m.mentee, rating=5, moment=MentorshipRating.Moment.CHECKIN)
    given = Activity.objects.filter(mentorship=m, kind=Activity.Kind.FEEDBACK_GIVEN)
    assert given.count() == 1
    assert "rating" not in given.get().data  # a check-in rating is never in the record
    again = held(m, now := timezone.now(), key="same")
    assert again is not None
    assert held(m, now, key="same") is None
