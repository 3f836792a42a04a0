"""The SAML half of the integrations issue's browser test: an owner uploads the metadata
of an identity provider this test runs on loopback (its key and certificate generated
here, tests/sso/saml_idp.py); a new person at the organisation's domain starts single
sign-on, the provider answers with a signed assertion in a form the person submits, and
they land in the organisation with the role the owner chose."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, expect

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Role
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from tests.sso import saml_idp


@pytest.fixture
def saml_provider(server: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A SAML identity provider on loopback: GET /saml/sso with the SP's AuthnRequest
    shows "Continue as Lin Chen", a form that POSTs the signed response to the ACS."""
    idp = saml_idp.make_idp()
    slug = "acme"
    sp = server["url"]
    requests_seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/saml/sso":
                self.send_error(404)
                return
            request_id = saml_idp.authn_request_id(self.path)
            requests_seen.append(request_id)
            relay = parse_qs(parts.query).get("RelayState", [""])[0]
            body = saml_idp.signed_response(
                idp,
                acs_url=f"{sp}/accounts/saml/{slug}/acs/",
                audience=f"{sp}/accounts/saml/{slug}/metadata/",
                in_response_to=request_id,
                email="lin@acme.test",
                given="Lin",
                family="Chen",
            )
            page = (
                '<!doctype html><html lang="en"><head><title>Acme sign-in</title></head><body>'
                "<h1>Acme SAML provider</h1>"
                f'<form method="post" action="{sp}/accounts/saml/{slug}/acs/">'
                f'<input type="hidden" name="SAMLResponse" value="{body}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(relay)}">'
                "<button>Continue as Lin Chen</button></form></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "idp": idp,
            "slug": slug,
            "sso_url": f"http://127.0.0.1:{httpd.server_address[1]}/saml/sso",
            "requests": requests_seen,
        }
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.django_db(transaction=True)
def test_saml_sign_in_through_a_local_identity_provider(
    browser: Browser, server: dict[str, Any], saml_provider: dict[str, Any], tmp_path: Any
) -> None:
    base = server["url"]
    organisation = OrganisationFactory(name="Acme Mentoring", slug=saml_provider["slug"])
    owner = MembershipFactory(
        organisation=organisation, role=Role.OWNER, user=UserFactory(email="olivia@acme.test")
    )
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(saml_provider["idp"].metadata(sso_url=saml_provider["sso_url"]))

    # The owner uploads the provider's metadata and claims the domain.
    page = browser.new_context(base_url=base).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(owner.user.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/o/{organisation.slug}/integrations/sso/")
    saml = page.get_by_role("region", name="SAML 2.0")
    saml.get_by_label("Or upload the metadata file").set_input_files(str(metadata))
    saml.get_by_label("New people join as").select_option(label="Participant")
    saml.get_by_role("button", name="Save SAML").click()
    expect(page.get_by_text(saml_idp.ENTITY_ID)).to_be_visible()
    domains = page.get_by_role("region", name="E-mail domains")
    domains.get_by_role("textbox", name="Domain").fill("acme.test")
    domains.get_by_role("button", name="Add domain").click()
    expect(page.get_by_text("Domain added.")).to_be_visible()

    # A newcomer signs in through the provider and lands in the organisation.
    newcomer = browser.new_context(base_url=base).new_page()
    newcomer.goto("/accounts/login/")
    newcomer.get_by_role("link", name="Sign in with single sign-on").click()
    newcomer.get_by_label("Work e-mail address").fill("lin@acme.test")
    newcomer.get_by_role("button", name="Continue").click()
    confirm = newcomer.get_by_role("button", name="Continue")
    if confirm.count():  # allauth's confirmation step before leaving for the provider
        confirm.click()
    expect(newcomer.get_by_role("heading", name="Acme SAML provider")).to_be_visible()
    assert len(saml_provider["requests"]) == 1  # a signed AuthnRequest reached it
    newcomer.get_by_role("button", name="Continue as Lin Chen").click()
    expect(newcomer).to_have_url(re.compile(rf"{re.escape(base)}/o/acme/$"))
    expect(newcomer.get_by_role("heading", name="Welcome, Lin Chen")).to_be_visible()
    person = User.objects.get(email="lin@acme.test")
    assert (person.first_name, person.last_name) == ("Lin", "Chen")
    assert Membership.objects.get(organisation=organisation, user=person).role == Role.PARTICIPANT
