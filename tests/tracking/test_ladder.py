"""The nudge ladder, step by step, on the immediate task backend (tasks run in-process)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from openmentor.mentorships.models import Activity, Mentorship
from openmentor.notifications.models import Notification
from openmentor.notifications.services import preference_set
from openmentor.people.models import Profile
from openmentor.tracking.models import ClosureWarning, Nudge, TrackingSettings
from openmentor.tracking.selectors import ladder_due
from openmentor.tracking.services.ladder import ladder_apply
from openmentor.tracking.tasks import ladder_sweep
from tests.conftest import Tenant, client_for
from tests.scenarios import active_mentorship
from tests.tracking.helpers import held, started

START = dt.datetime(2031, 3, 3, 12, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return START + dt.timedelta(days=n)


@pytest.fixture
def quiet(tenant: Tenant) -> Mentorship:
    m = active_mentorship(tenant.organisation, mentee=tenant.participant)
    started(m, START)
    held(m, START)
    return m


_capture: list[Any] = []


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks: Any) -> None:
    # E-mails leave on commit; the test's transaction never commits, so run them here.
    _capture[:] = [django_capture_on_commit_callbacks]


def sweep(at: dt.datetime) -> None:
    with _capture[0](execute=True):
        ladder_sweep.enqueue(at=at.isoformat())


def test_each_step_comes_once_at_its_threshold(quiet: Mentorship, tenant: Tenant) -> None:
    sweep(day(20))
    assert not Nudge.objects.exists()
    sweep(day(21))
    sweep(day(21.5))  # again: nothing new
    assert Nudge.objects.filter(step=1).count() == 2
    assert {n.user_id for n in Nudge.objects.all()} == set(quiet.member_ids())
    first = [m for m in mail.outbox if "Time to catch up" in m.subject]
    assert len(first) == 2
    assert first[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first[0].extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/t/propose/" in first[0].body
    sweep(day(42))
    managers = Nudge.objects.filter(audience=Nudge.Audience.MANAGER)
    assert set(managers.values_list("user_id", flat=True)) == {
        tenant.manager.user_id,
        tenant.owner.user_id,
    }
    assert Notification.objects.filter(user=tenant.manager.user, kind="alert.quiet").count() == 1
    sweep(day(70))
    sweep(day(71))
    assert sorted(Nudge.objects.filter(audience="member").values_list("step", flat=True)) == [
        1,
        1,
        2,
        2,
        3,
        3,
    ]
    assert Activity.objects.filter(mentorship=quiet, kind=Activity.Kind.NUDGED).count() == 6


def test_applying_the_same_step_twice_tells_nobody_twice(quiet: Mentorship) -> None:
    (action,) = ladder_due(now=day(21))
    assert ladder_apply(action=action, now=day(21)) == 2
    assert ladder_apply(action=action, now=day(21)) == 0
    assert Notification.objects.filter(kind="nudge.step1").count() == 2


def test_a_meeting_between_sweep_and_step_cancels_the_step(quiet: Mentorship) -> None:
    (action,) = ladder_due(now=day(21))
    held(quiet, day(20.9))
    assert ladder_apply(action=action, now=day(21)) == 0
    assert not Nudge.objects.exists()


def test_a_person_in_two_quiet_pairs_gets_one_nudge_in_three_days(
    quiet: Mentorship, tenant: Tenant
) -> None:
    other = active_mentorship(tenant.organisation, mentee=tenant.participant)
    started(other, START + dt.timedelta(days=1))
    held(other, START + dt.timedelta(days=1))
    sweep(day(21))
    sweep(day(22))
    mine = Nudge.objects.filter(user=tenant.participant.user)
    assert mine.count() == 1, "rate-limited"
    sweep(day(24.1))
    assert mine.count() == 2, "sent once the gap has passed"


def test_nobody_nudges_the_pair_of_a_mentor_who_is_away(quiet: Mentorship) -> None:
    Profile.objects.filter(user=quiet.mentor).update(away_until=day(30).date())
    sweep(day(21))
    assert not Nudge.objects.exists()
    sweep(day(31))
    assert Nudge.objects.count() == 2


def test_a_booked_meeting_or_a_pause_stops_the_ladder(quiet: Mentorship) -> None:
    from tests.factories import MeetingFactory

    MeetingFactory(mentorship=quiet, starts_at=day(25), status="accepted")
    sweep(day(21))
    assert not Nudge.objects.exists()
    Mentorship.objects.filter(pk=quiet.pk).update(status="paused")
    sweep(day(26))
    assert not Nudge.objects.exists()


def test_e_mail_follows_the_persons_preference(quiet: Mentorship, tenant: Tenant) -> None:
    preference_set(
        organisation_id=tenant.organisation.pk,
        user_id=quiet.mentee_id,
        category="nudges",
        email="off",
    )
    sweep(day(21))
    assert [m.to for m in mail.outbox] == [[quiet.mentor.email]]
    # In the app all the same.
    assert Notification.objects.filter(user=quiet.mentee, kind="nudge.step1").exists()


def test_programme_thresholds_are_used(quiet: Mentorship) -> None:
    TrackingSettings.objects.create(
        programme=quiet.programme,
        first_nudge_factor=1,
        second_nudge_factor=2,
        third_nudge_factor=4,
        close_after_days=0,
    )
    sweep(day(14))
    assert Nudge.objects.filter(step=1).count() == 2
    sweep(day(200))
    assert not ClosureWarning.objects.exists(), "0 means never close"


def _keep_link(to: str) -> str:
    for message in mail.outbox:
        if message.to == [to] and "will close" in message.subject:
            found = re.search(r"/t/keep-open/[^\s]+/", message.body)
            assert found
            return found.group(0)
    raise AssertionError("no warning e-mail")


def test_warned_then_closed_unless_kept_open(quiet: Mentorship, tenant: Tenant) -> None:
    sweep(day(83))
    warning = ClosureWarning.objects.get()
    assert warning.closes_at == day(90)
    sweep(day(89.9))
    quiet.refresh_from_db()
    assert quiet.status == "active"
    sweep(day(90))
    quiet.refresh_from_db()
    assert quiet.status == "ended" and quiet.end_reason == "inactive"
    assert quiet.ended_by is None
    page = Client().post(_keep_link(quiet.mentee.email))
    assert "already closed" in page.content.decode()


def test_a_mail_scanner_fetching_the_keep_open_link_changes_nothing(quiet: Mentorship) -> None:
    sweep(day(83))
    page = Client().get(_keep_link(quiet.mentor.email))
    assert page.status_code == 200
    assert "data-one-click" in page.content.decode() and "Keep it open" in page.content.decode()
    assert not Activity.objects.filter(mentorship=quiet, kind=Activity.Kind.KEPT_OPEN).exists()


def test_keeping_open_works_once_and_restarts_the_ladder(quiet: Mentorship) -> None:
    sweep(day(83))
    link = _keep_link(quiet.mentor.email)
    with_freeze = Client().post(link)
    assert with_freeze.status_code == 200
    assert "stays open" in with_freeze.content.decode()
    replay = Client().get(link)
    assert "already kept open" in replay.content.decode()
    partner = Client().post(_keep_link(quiet.mentee.email))
    assert "already kept open" in partner.content.decode()
    assert Activity.objects.filter(mentorship=quiet, kind=Activity.Kind.KEPT_OPEN).count() == 1
    sweep(day(91))
    quiet.refresh_from_db()
    assert quiet.status == "active"


def test_bad_or_altered_links_are_refused(quiet: Mentorship, tenant: Tenant) -> None:
    sweep(day(83))
    link = _keep_link(quiet.mentor.email)
    token = link.split("/")[-2]
    altered = reverse("closure_keep_open", args=[token[:-3] + "abc"])
    page = Client().get(altered)
    assert page.status_code == 400
    assert "not valid" in page.content.decode()
    assert Client().get(reverse("closure_keep_open", args=["nonsense"])).status_code == 400
    assert ClosureWarning.objects.get().cancelled_at is None


def test_the_propose_link_is_for_its_owner_only(quiet: Mentorship, tenant: Tenant) -> None:
    sweep(day(21))
    message = next(m for m in mail.outbox if m.to == [quiet.mentee.email])
    found = re.search(r"/t/propose/[^\s]+/", message.body)
    assert found
    link = found.group(0)
    assert Client().get(link).status_code == 302  # to the login page
    assert client_for(tenant.manager).get(link).status_code == 403
    owner = client_for(tenant.participant)
    page = owner.get(link)
    assert page.status_code == 302
    assert page["Location"] == reverse("meeting_propose", args=[tenant.organisation.slug, quiet.pk])
    again = owner.get(link, follow=True)
    assert "used this link before" in again.content.decode()
