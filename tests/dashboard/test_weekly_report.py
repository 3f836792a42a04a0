"""The weekly report e-mailed to the programme team: the week's figures and the pairs at
risk, once per person per week, never to someone who opted out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from openmentor.core.scheduler import scheduler_tick
from openmentor.dashboard.models import WeeklyReportSent
from openmentor.dashboard.weekly import weekly_reports_send
from openmentor.mentorships.models import Activity
from openmentor.notifications.services import preference_set
from openmentor.programmes.models import Programme
from tests.conftest import Tenant
from tests.dashboard.test_programme_dashboard import seeded

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(tenant: Tenant) -> dict[str, Any]:
    scenario, figures = seeded(tenant)
    # Monday 07:00, four days after the seed: one meeting in the last seven days.
    now = figures["now"] + dt.timedelta(days=4)
    Activity.objects.create(
        programme=scenario.programme,
        mentorship=figures["pairs"][1],
        kind=Activity.Kind.MEETING_HELD,
        occurred_at=now - dt.timedelta(days=2),
        key="held:this-week",
        data={"source": "call"},
    )
    return {"scenario": scenario, "pairs": figures["pairs"], "now": now}


def send(now: dt.datetime, capture: Any) -> int:
    with capture(execute=True):
        return weekly_reports_send(now=now)


def test_each_member_of_the_team_gets_the_week(
    tenant: Tenant, week: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert send(week["now"], django_capture_on_commit_callbacks) == 2  # the owner, the manager
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [tenant.owner.user.email, tenant.manager.user.email]
    )
    message = mail.outbox[0]
    body = message.body
    programme = week["scenario"].programme
    assert programme.name in body
    assert "1 meetings held, 0 missed (attendance 100 %)" in body
    assert "14 people signed up in all, 10 matched" in body
    pairs = week["pairs"]
    for at_risk in (pairs[3], pairs[4]):
        assert f"{at_risk.mentor.name} and {at_risk.mentee.name}" in body
    assert f"{pairs[0].mentee.name}" not in body.split("At risk:")[1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/dashboard/" in body and "Stop these e-mails" in body


def test_never_twice_in_one_week(
    tenant: Tenant, week: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    send(week["now"], django_capture_on_commit_callbacks)
    assert send(week["now"] + dt.timedelta(hours=3), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2 and WeeklyReportSent.objects.count() == 2
    # The next week, again.
    assert send(week["now"] + dt.timedelta(days=7), django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 4


def test_one_who_opted_out_gets_none(
    tenant: Tenant, week: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    preference_set(
        organisation_id=tenant.organisation.pk,
        user_id=tenant.manager.user.pk,
        category="reports",
        email="off",
    )
    assert send(week["now"], django_capture_on_commit_callbacks) == 1
    assert [m.to[0] for m in mail.outbox] == [tenant.owner.user.email]


def test_participants_and_closed_programmes_get_none(
    tenant: Tenant, week: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    Programme.objects.filter(organisation=tenant.organisation).update(
        status=Programme.Status.CLOSED
    )
    assert send(week["now"], django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_the_scheduler_sends_it_on_monday_morning(
    tenant: Tenant, week: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    monday = week["now"] - dt.timedelta(days=week["now"].weekday())
    seven = monday.replace(hour=7, minute=0, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler_tick(now=seven + dt.timedelta(minutes=1))
        assert not WeeklyReportSent.objects.exists()
        scheduler_tick(now=seven)
    reports = [m for m in mail.outbox if "your programmes' week" in m.subject]
    assert len(reports) == 2 and WeeklyReportSent.objects.count() == 2
