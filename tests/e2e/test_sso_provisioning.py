"""Done-when of the integrations issue, in a browser.

An owner configures OpenID Connect against a real provider this test starts in a second
process (django-oauth-toolkit, tests/e2e/idp/); a new person signs in through it and lands
in the organisation with the configured role; then the organisation's HR system
deprovisions them over SCIM, which ends their mentorship, and their partner is told.
(The SAML round trip in a browser, with a locally generated IdP certificate, is
tests/e2e/test_sso_saml.py.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import Browser, expect

from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.models import Membership, Role
from openmentor.scim.services import scim_token_create
from tests.e2e.conftest import ROOT
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.processes import free_port, stop
from tests.scenarios import active_mentorship


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[dict[str, Any]]:
    port = free_port()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.idp.settings",
        "IDP_DB": str(tmp_path / "idp.sqlite3"),
        "IDP_RSA_KEY": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    }
    env.pop("DATABASE_URL", None)
    yield {"port": port, "env": env, "url": f"http://127.0.0.1:{port}"}


def _start_idp(idp: dict[str, Any], redirect_uri: str, log: Path) -> subprocess.Popen[bytes]:
    subprocess.run(
        [sys.executable, "-m", "tests.e2e.idp.prepare", redirect_uri],
        cwd=ROOT,
        env=idp["env"],
        check=True,
    )
    out = open(log, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "runserver",
            f"127.0.0.1:{idp['port']}",
            "--noreload",
            "--nothreading",
        ],
        cwd=ROOT,
        env=idp["env"],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(idp["url"] + "/o/.well-known/openid-configuration", timeout=2)  # noqa: S310
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the identity provider did not start:\n" + log.read_text()
                ) from None
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_oidc_sign_in_lands_in_the_organisation_and_scim_deactivation_tells_the_partner(
    browser: Browser, server: dict[str, Any], idp: dict[str, Any], tmp_path: Path
) -> None:
    base = server["url"]
    organisation = OrganisationFactory(name="Acme Mentoring", slug="acme")
    owner = MembershipFactory(
        organisation=organisation, role=Role.OWNER, user=UserFactory(email="olivia@acme.test")
    )
    redirect_uri = f"{base}/accounts/oidc/om-acme/login/callback/"
    process = _start_idp(idp, redirect_uri, tmp_path / "idp.log")
    try:
        # The owner configures the provider and the domain in the interface.
        page = browser.new_context(base_url=base).new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(owner.user.email)
        page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Integrations").click()
        page.get_by_role("navigation", name="Integrations").get_by_role(
            "link", name="Single sign-on"
        ).click()
        expect(page.get_by_text(redirect_uri)).to_be_visible()
        oidc = page.get_by_role("region", name=re.compile("OpenID Connect"))
        oidc.get_by_label("Issuer URL").fill(idp["url"] + "/o")
        oidc.get_by_label("Client id").fill("openmentor-e2e")
        oidc.get_by_label("Client secret").fill("e2e-client-secret")
        oidc.get_by_label("New people join as").select_option(label="Programme manager")
        oidc.get_by_role("button", name="Save OpenID Connect").click()
        expect(page.get_by_text("OpenID Connect sign-on saved.")).to_be_visible()
        domains = page.get_by_role("region", name="E-mail domains")
        domains.get_by_role("textbox", name="Domain").fill("acme.test")
        domains.get_by_role("button", name="Add domain").click()
        expect(page.get_by_text("Domain added.")).to_be_visible()

        # A new person signs in through the provider.
        newcomer = browser.new_context(base_url=base).new_page()
        newcomer.goto("/accounts/login/")
        newcomer.get_by_role("link", name="Sign in with single sign-on").click()
        newcomer.get_by_label("Work e-mail address").fill("newbie@acme.test")
        newcomer.get_by_role("button", name="Continue").click()
        expect(newcomer.get_by_role("heading", name="Sign In Via Acme Mentoring")).to_be_visible()
        newcomer.get_by_role("button", name="Continue").click()  # allauth's confirmation step
        expect(newcomer.get_by_role("heading", name="Acme identity provider")).to_be_visible()
        newcomer.get_by_label("Username").fill("newbie")
        newcomer.get_by_label("Password").fill("idp-pass-42")
        newcomer.get_by_role("button", name="Sign in to Acme").click()
        expect(newcomer).to_have_url(re.compile(rf"{re.escape(base)}/o/acme/$"))
        expect(newcomer.get_by_role("heading", name="Acme Mentoring")).to_be_visible()
        person = User.objects.get(email="newbie@acme.test")
        assert person.first_name == "Nadia"
        assert Membership.objects.get(organisation=organisation, user=person).role == Role.MANAGER
    finally:
        stop(process, tmp_path / "idp.log", "the identity provider")

    # The HR system deprovisions them; their mentorship ends and the partner is told.
    mentorship = active_mentorship(organisation, mentee=Membership.objects.get(user=person))
    partner = mentorship.mentor
    _, secret = scim_token_create(actor=owner, name="HR", role="participant")
    request = urllib.request.Request(  # noqa: S310
        f"{base}/scim/v2/Users/{person.pk}",
        data=json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
            }
        ).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/scim+json"},
        method="PATCH",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert json.loads(response.read())["active"] is False
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    told = server["outbox"].link_for(partner.email, f"/o/acme/mentorships/{mentorship.pk}/")
    assert told
    partner_page = browser.new_context(base_url=base).new_page()
    partner_page.goto("/accounts/login/")
    partner_page.get_by_label("Email").fill(partner.email)
    partner_page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    partner_page.get_by_role("button", name="Log in").click()
    partner_page.goto(f"/o/acme/mentorships/{mentorship.pk}/")
    expect(partner_page.get_by_text("Ended", exact=False).first).to_be_visible()
