"""URLs for the feedback tests (the pairs come from tests.scenarios.active_mentorship)."""

from __future__ import annotations

from django.urls import reverse

from openmentor.mentorships.models import Mentorship

SECRET = "my-partner-talks-too-much-7fq"


def checkin_url(mentorship: Mentorship) -> str:
    return reverse("feedback_checkin", args=[mentorship.programme.organisation.slug, mentorship.pk])


def end_url(mentorship: Mentorship) -> str:
    return reverse("mentorship_end", args=[mentorship.programme.organisation.slug, mentorship.pk])


def detail_url(mentorship: Mentorship) -> str:
    return reverse(
        "mentorship_detail", args=[mentorship.programme.organisation.slug, mentorship.pk]
    )
