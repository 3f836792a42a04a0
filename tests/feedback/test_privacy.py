"""A rating and its comment reach only their author: never the partner, never a manager."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from openmentor.feedback.models import MentorshipRating
from tests.conftest import Tenant, client_for
from tests.feedback.helpers import SECRET, checkin_url, detail_url, end_url
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def _pages(tenant: Tenant, mentorship_pk: int, programme_slug: str) -> list[str]:
    slug = tenant.organisation.slug
    return [
        reverse("organisation_dashboard", args=[slug]),
        reverse("mentorship_detail", args=[slug, mentorship_pk]),
        reverse("feedback_checkin", args=[slug, mentorship_pk]),
        reverse("mentorship_end", args=[slug, mentorship_pk]),
        reverse("mentorship_list", args=[slug, programme_slug]),
        reverse("matching_outcomes", args=[slug, programme_slug]),
        reverse("self_identification_report", args=[slug]),
        reverse("profile_edit", args=[slug]),
    ]


def _checked_radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="rating"[^>]*checked', html)


def test_partner_and_managers_never_see_a_rating_or_comment(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    author = client_for(tenant.participant)
    assert author.post(checkin_url(mentorship), {"rating": "2", "comment": SECRET}).status_code == (
        302
    )
    # The author sees their own answer back.
    own = author.get(checkin_url(mentorship)).content.decode()
    assert SECRET in own and len(_checked_radios(own)) == 1

    mentor = mentorship.programme.organisation.memberships.get(user=mentorship.mentor)
    viewers: list[Client] = [
        client_for(mentor),
        client_for(tenant.manager),
        client_for(tenant.owner),
    ]
    for client in viewers:
        for path in _pages(tenant, mentorship.pk, mentorship.programme.slug):
            response = client.get(path)
            html = response.content.decode()
            assert SECRET not in html, path
            assert not _checked_radios(html), path
            assert "/ 5" not in html, path  # no mean rating from a single pair


def test_an_ending_rating_stays_with_its_author(tenant: Tenant) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant, weeks_old=4)
    client_for(tenant.participant).post(end_url(mentorship), {"reason": "chemistry", "rating": "1"})
    assert MentorshipRating.objects.filter(moment="ending").count() == 1
    mentor = mentorship.programme.organisation.memberships.get(user=mentorship.mentor)
    for client in (client_for(mentor), client_for(tenant.manager)):
        html = client.get(detail_url(mentorship)).content.decode()
        assert "How useful" not in html
        assert "1 — Not at all" not in html
