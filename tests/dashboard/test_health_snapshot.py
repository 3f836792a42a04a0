"""The dashboard reads relationship health from the snapshot the scheduler refreshes, and
assesses the pairs itself when that snapshot is missing or stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openmentor.core.scheduler import scheduler_tick
from openmentor.dashboard.models import HealthSnapshot
from openmentor.dashboard.services import health_snapshot_refresh
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant, client_for
from tests.dashboard.test_programme_dashboard import dashboard_url, seeded

pytestmark = pytest.mark.django_db

LIVE = {"At risk": 2, "Inactive": 0, "Steady": 2, "Too early to tell": 0, "Thriving": 1}


def health_of(page: Any) -> dict[str, int]:
    return dict(page.context["report"].table("health").rows)


def test_the_snapshot_gives_the_live_figures_and_the_at_risk_pairs(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    client = client_for(scenario.manager)
    live = client.get(dashboard_url(scenario.programme))
    assert health_of(live) == LIVE and "As assessed at" not in live.content.decode()
    assert health_snapshot_refresh(programme=scenario.programme, now=timezone.now()) == 5
    page = client.get(dashboard_url(scenario.programme))
    assert health_of(page) == LIVE
    html = page.content.decode()
    assert "As assessed at" in html
    names = {(r.mentor_name, r.mentee_name) for r in page.context["report"].at_risk}
    pairs = figures["pairs"]
    assert names == {(pairs[i].mentor.name, pairs[i].mentee.name) for i in (3, 4)}
    assert all(r.reasons and r.action for r in page.context["report"].at_risk)
    assert pairs[3].mentee.name in html


def test_a_pair_ended_after_the_snapshot_drops_out(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    health_snapshot_refresh(programme=scenario.programme, now=timezone.now())
    Mentorship.objects.filter(pk=figures["pairs"][3].pk).update(
        status=Mentorship.Status.ENDED, ended_at=timezone.now()
    )
    page = client_for(scenario.manager).get(dashboard_url(scenario.programme))
    assert health_of(page)["At risk"] == 1 and len(page.context["report"].at_risk) == 1


def test_a_stale_snapshot_is_not_trusted(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    health_snapshot_refresh(programme=scenario.programme, now=timezone.now())
    # Someone met since, but no worker refreshed it for an hour: assessed live instead.
    HealthSnapshot.objects.update(
        state="thriving", assessed_at=timezone.now() - dt.timedelta(hours=1)
    )
    page = client_for(scenario.manager).get(dashboard_url(scenario.programme))
    assert health_of(page) == LIVE


def test_the_cohort_filter_applies_to_the_snapshot(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    # Pair 3's mentee enrolled in 2024-Q1: that cohort holds one pair, at risk.
    Enrolment.objects.filter(pk=scenario.mentees[3].pk).update(
        created_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    )
    health_snapshot_refresh(programme=scenario.programme, now=timezone.now())
    page = client_for(scenario.manager).get(dashboard_url(scenario.programme, cohort="2024-Q1"))
    assert health_of(page) == {**dict.fromkeys(LIVE, 0), "At risk": 1}
    assert page.context["report"].table("health").note.startswith("As assessed at")


def test_the_scheduler_refreshes_it_every_ten_minutes(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    at = timezone.now().replace(minute=20, second=0, microsecond=0)
    scheduler_tick(now=at + dt.timedelta(minutes=1))  # not a tenth minute: nothing
    assert not HealthSnapshot.objects.exists()
    scheduler_tick(now=at)  # the immediate task backend runs the refresh at once
    assert HealthSnapshot.objects.filter(programme=scenario.programme).count() == 5
    assert set(HealthSnapshot.objects.values_list("assessed_at", flat=True)) == {at}
