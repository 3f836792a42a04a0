"""The programme community page in the browser: a participant opts in to the directory,
and another finds them by skill (and not by a skill they do not have)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import client_for, make_tenant
from tests.factories import make_member, make_profile, make_programme


def _page_for(browser: Browser, url: str, member: Membership) -> Page:
    context = browser.new_context(base_url=url)
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])
    return context.new_page()


@pytest.mark.django_db(transaction=True)
def test_a_participant_opts_in_and_is_found_by_skill(
    browser: Browser, server: dict[str, Any]
) -> None:
    tenant = make_tenant("Acme")
    programme = make_programme(
        tenant.organisation,
        name="Spring cohort",
        status=Programme.Status.RUNNING,
        skills=["Python", "Public speaking"],
    )
    ada = make_member(
        tenant.organisation, Role.PARTICIPANT, user__first_name="Ada", user__last_name="Lovelace"
    )
    grace = make_member(tenant.organisation, Role.PARTICIPANT)
    make_profile(
        tenant.organisation,
        ada.user,
        job_title="Data analyst",
        skills_offered=["Python"],
        bio="I like engines that compute.",
    )
    for member, role in ((ada, "mentor"), (grace, "mentee")):
        Enrolment.objects.create(programme=programme, user=member.user, role=role)
    path = f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/community/"

    # Ada is not listed until she chooses it.
    page = _page_for(browser, server["url"], ada)
    page.goto(f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/")
    page.get_by_role("link", name="Community").click()
    directory = page.get_by_role("region", name="Directory")
    expect(directory.get_by_text("Nobody listed.")).to_be_visible()
    opt_in = page.get_by_label("List me in the directory of my programmes")
    expect(opt_in).not_to_be_checked()
    opt_in.check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your community choices are saved.")).to_be_visible()
    expect(page.get_by_label("List me in the directory of my programmes")).to_be_checked()

    # Grace searches the directory by skill.
    other = _page_for(browser, server["url"], grace)
    other.goto(path)
    people = other.get_by_role("list", name="People")
    expect(people.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    other.get_by_label("Skill").select_option("Public speaking")
    other.get_by_role("button", name="Search").click()
    expect(other.get_by_text("Nobody listed matches your search.")).to_be_visible()
    other.get_by_label("Skill").select_option("Python")
    other.get_by_role("button", name="Search").click()
    card = other.get_by_role("list", name="People").get_by_role("listitem")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Ada Lovelace")
    expect(card).to_contain_text("Mentor · Data analyst")
    expect(card).to_contain_text("Offers: Python")
    expect(card).to_contain_text("I like engines that compute.")
