"""A newcomer signs up, creates an organisation and brings in a programme manager."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from openmentor.organisations.models import Membership, Role

PASSWORD = "Blue-Harbour-Kite-42"


def sign_up(page: Page, server: dict[str, Any], address: str, name: str = "") -> None:
    page.get_by_label("Your name").fill(name or address.split("@")[0].title())
    page.get_by_label("Email").first.fill(address)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    link = server["outbox"].link_for(address, "/accounts/confirm-email/")
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()


@pytest.mark.django_db(transaction=True)
def test_sign_up_create_organisation_and_invite_a_manager(
    browser: Browser, server: dict[str, Any]
) -> None:
    base = server["url"]
    owner = browser.new_page(base_url=base)
    owner.goto("/")
    owner.get_by_role("link", name="Sign up").first.click()
    sign_up(owner, server, "founder@example.org")

    expect(owner.get_by_text("not part of an organisation yet")).to_be_visible()
    owner.get_by_role("link", name="Create an organisation").click()
    owner.get_by_role("button", name="Create organisation").click()  # empty: refused at the field
    expect(owner.get_by_text("This field is required.")).to_be_visible()
    owner.get_by_label("Organisation name").fill("Contoso Mentoring")
    owner.get_by_role("button", name="Create organisation").click()
    expect(owner.get_by_role("heading", name="Contoso Mentoring")).to_be_visible()
    expect(owner.get_by_text("Manager dashboard")).to_be_visible()

    owner.get_by_role("link", name="Invitations").click()
    owner.get_by_label("E-mail address").fill("pm@example.org")
    owner.get_by_label("Role").select_option(label="Programme manager")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_text("Invitation sent to pm@example.org.")).to_be_visible()
    expect(owner.get_by_role("cell", name="pm@example.org", exact=True)).to_be_visible()

    invitation_link = server["outbox"].link_for("pm@example.org", "/invitations/")
    invitee_context = browser.new_context(base_url=base)
    invitee = invitee_context.new_page()
    invitee.goto(invitation_link)
    expect(
        invitee.get_by_role("heading", name="You are invited to Contoso Mentoring")
    ).to_be_visible()
    invitee.get_by_role("main").get_by_role("link", name="Sign up").click()
    sign_up(invitee, server, "pm@example.org")
    # Verification logged them in and brought them back to the invitation.
    expect(invitee.get_by_role("heading", name="Join Contoso Mentoring")).to_be_visible()
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_text("Welcome to Contoso Mentoring")).to_be_visible()
    expect(invitee.get_by_text("Manager dashboard")).to_be_visible()
    expect(invitee.get_by_role("link", name="Members")).to_be_visible()
    assert Membership.objects.get(user__email="pm@example.org").role == Role.MANAGER

    # The link works once.
    invitee.goto(invitation_link)
    expect(invitee.get_by_text("already been used")).to_be_visible()
    invitee_context.close()


def _totp(secret: str, offset: int = 0) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


@pytest.mark.django_db(transaction=True)
def test_login_with_two_factor_authentication(browser: Browser, server: dict[str, Any]) -> None:
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import UserFactory

    user = UserFactory(email="careful@example.org")
    page = browser.new_page(base_url=server["url"])
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("button", name=re.compile(user.name)).or_(
        page.locator("summary")
    ).first.click()
    page.get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("link", name="Activate").first.click()
    # Turning on two-factor asks for the password again.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(_totp(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()

    page.locator("summary").first.click()
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    page.get_by_label("Code").fill(_totp(secret, offset=1))  # the next window; the first is used
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("not part of an organisation yet")).to_be_visible()
