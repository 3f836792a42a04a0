"""Milestones: first and fifth meeting, the programme's halfway point; once each, told to
the pair and shown on their mentorship page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openmentor.mentorships.models import Activity
from openmentor.notifications.models import Notification
from openmentor.programmes.models import Programme
from openmentor.tracking.services.milestones import milestones_record
from tests.conftest import Tenant, client_for
from tests.scenarios import active_mentorship
from tests.tracking.helpers import held


def test_first_and_fifth_meeting_and_halfway_once_each(tenant: Tenant) -> None:
    now = timezone.now()
    m = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=10)
    held(m, now - dt.timedelta(weeks=9))
    assert milestones_record(now=now) == 1
    assert milestones_record(now=now) == 0
    mine = Notification.objects.get(user=m.mentee, kind="milestone.first_meeting")
    assert m.mentor.name in mine.text
    for weeks in (7, 5, 3, 1):
        held(m, now - dt.timedelta(weeks=weeks))
    assert milestones_record(now=now) == 1
    Programme.objects.filter(pk=m.programme_id).update(
        starts_on=(now - dt.timedelta(days=40)).date(), ends_on=(now + dt.timedelta(days=30)).date()
    )
    assert milestones_record(now=now) == 1
    names = list(
        Activity.objects.filter(mentorship=m, kind="milestone").values_list(
            "data__milestone", flat=True
        )
    )
    assert sorted(names) == ["fifth_meeting", "first_meeting", "halfway"]
    page = client_for(tenant.participant).get(
        reverse("mentorship_detail", args=[tenant.organisation.slug, m.pk])
    )
    text = page.content.decode()
    assert "Milestones" in text and "Fifth meeting" in text and "Halfway through" in text


def test_not_halfway_yet_records_nothing(tenant: Tenant) -> None:
    now = timezone.now()
    m = active_mentorship(tenant.organisation)
    Programme.objects.filter(pk=m.programme_id).update(
        starts_on=(now - dt.timedelta(days=10)).date(), ends_on=(now + dt.timedelta(days=60)).date()
    )
    assert milestones_record(now=now) == 0
