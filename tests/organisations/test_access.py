"""The tenancy decorator's side effects: what it writes to the session, and when."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import Tenant, make_tenant
from tests.factories import MembershipFactory


def test_organisation_pages_write_the_session_only_when_the_organisation_changes(
    tenant: Tenant,
) -> None:
    client = Client()
    client.force_login(tenant.manager.user)
    other = make_tenant("Globex")
    MembershipFactory(organisation=other.organisation, user=tenant.manager.user)
    here = reverse("organisation_dashboard", kwargs={"slug": tenant.organisation.slug})
    there = reverse("organisation_dashboard", kwargs={"slug": other.organisation.slug})

    first = client.get(here)
    assert first.status_code == 200 and "sessionid" in first.cookies
    stored = Session.objects.get().session_data
    for _ in range(3):
        again = client.get(here)
        assert again.status_code == 200
        assert "sessionid" not in again.cookies, "no new cookie when nothing changed"
    assert Session.objects.get().session_data == stored, "no session write either"

    switched = client.get(there)
    assert switched.status_code == 200 and "sessionid" in switched.cookies
    assert Session.objects.get().session_data != stored
