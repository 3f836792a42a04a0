"""Imports belong to one programme of one organisation, and only to its managers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openmentor.organisations.models import Role
from openmentor.people.models import ParticipantImport
from openmentor.programmes.models import Programme
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory, ProgrammeFactory
from tests.imports.helpers import HEADER, check, csv_bytes, person, uploaded, url

pytestmark = pytest.mark.django_db

IMPORT_PAGES = ("import_detail", "import_progress", "import_report")


def test_an_import_of_another_programme_is_404_through_this_one(
    manager_client: Client, programme: Programme, tenant: Tenant
) -> None:
    participant_import = uploaded(manager_client, programme, csv_bytes([HEADER, person(1)]))
    other = ProgrammeFactory.create(organisation=tenant.organisation)
    for name in IMPORT_PAGES:
        path = url(name, other, participant_import.pk)
        assert manager_client.get(path).status_code == 404
        assert manager_client.post(path, {"action": "check"}).status_code == 404


def test_an_import_of_another_organisation_is_404(
    manager_client: Client, programme: Programme, other_tenant: Tenant
) -> None:
    theirs = ProgrammeFactory.create(organisation=other_tenant.organisation, slug="spring")
    their_import = uploaded(
        client_for(other_tenant.manager), theirs, csv_bytes([HEADER, person(1)])
    )
    for name in IMPORT_PAGES:
        # Our organisation's URL, with our programme's slug, naming their import.
        path = url(name, programme, their_import.pk)
        assert manager_client.get(path).status_code == 404
        assert manager_client.post(path, {"action": "start"}).status_code == 404
    their_import.refresh_from_db()
    assert their_import.status == ParticipantImport.Status.UPLOADED


def test_participants_get_403_everywhere(
    participant_client: Client, manager_client: Client, programme: Programme
) -> None:
    participant_import = uploaded(manager_client, programme, csv_bytes([HEADER, person(1)]))
    paths = [url(name, programme, participant_import.pk) for name in IMPORT_PAGES]
    paths += [
        url(name, programme) for name in ("import_list", "import_upload", "participant_export")
    ]
    for path in paths:
        assert participant_client.get(path).status_code == 403
        assert participant_client.post(path, {"action": "check"}).status_code == 403


def test_owners_and_managers_may_import(owner_client: Client, programme: Programme) -> None:
    participant_import = uploaded(owner_client, programme, csv_bytes([HEADER, person(1)]))
    assert check(owner_client, participant_import).status_code == 302


def test_the_import_list_takes_a_bounded_number_of_queries(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    for n in range(25):
        uploader = MembershipFactory.create(
            organisation=tenant.organisation, role=Role.MANAGER
        ).user
        ParticipantImport.objects.create(
            organisation=tenant.organisation,
            programme=programme,
            uploaded_by=uploader,
            original_name=f"file-{n}.csv",
            file_kind="csv",
            header=["email"],
            total_rows=n,
        )
    other = ProgrammeFactory.create(organisation=tenant.organisation)
    ParticipantImport.objects.create(
        organisation=tenant.organisation,
        programme=other,
        original_name="elsewhere.csv",
        file_kind="csv",
        header=["email"],
    )
    with django_assert_max_num_queries(10):
        response = manager_client.get(url("import_list", programme))
    page = response.content.decode()
    assert page.count("file-") == 25
    assert "elsewhere.csv" not in page
    assert reverse("import_upload", args=[tenant.organisation.slug, programme.slug]) in page
