"""Helpers for the feedback tests: a pair old enough for a check-in, and their URLs."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant
from tests.scenarios import active_mentorship

SECRET = "my-partner-talks-too-much-7fq"


def running_pair(tenant: Tenant, *, weeks: int = 4) -> Mentorship:
    """An active mentorship the tenant's participant is the mentee of, `weeks` old."""
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    started = timezone.now() - dt.timedelta(weeks=weeks)
    Mentorship.objects.filter(pk=mentorship.pk).update(started_at=started, created_at=started)
    mentorship.refresh_from_db()
    return mentorship


def checkin_url(mentorship: Mentorship) -> str:
    return reverse("feedback_checkin", args=[mentorship.programme.organisation.slug, mentorship.pk])


def end_url(mentorship: Mentorship) -> str:
    return reverse("mentorship_end", args=[mentorship.programme.organisation.slug, mentorship.pk])


def detail_url(mentorship: Mentorship) -> str:
    return reverse(
        "mentorship_detail", args=[mentorship.programme.organisation.slug, mentorship.pk]
    )
