"""Export of a programme's participants, read back; formulas stay inert."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from openmentor.people.models import ParticipantImport, Profile
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.participants import exporting
from tests.conftest import Tenant
from tests.factories import EnrolmentFactory, ProfileFactory, UserFactory
from tests.imports.helpers import HEADER, check, csv_bytes, person, uploaded, url

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://evil")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR"]


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx(response: Any) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_prefixes_formula_starts(value: str) -> None:
    assert exporting.neutralise(value) == "'" + value
    assert exporting.neutralise("Plain =text") == "Plain =text"
    assert exporting.neutralise(-3) == -3


def test_formulas_imported_as_text_are_stored_verbatim_and_neutralised_on_export(
    manager_client: Client,
    programme: Programme,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    rows = [
        person(n, **{"Job title": value, "Last name": value}) for n, value in enumerate(DANGEROUS)
    ]
    participant_import = uploaded(
        manager_client,
        programme,
        csv_bytes([HEADER, *rows]),
        mode=ParticipantImport.Mode.VALID_ONLY,
    )
    check(manager_client, participant_import)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            url("import_detail", programme, participant_import.pk), {"action": "start"}
        )
    # Stored as the text that was typed (cells are trimmed of surrounding blanks).
    stored = set(Profile.objects.values_list("job_title", flat=True))
    assert stored == {value.strip() for value in DANGEROUS}

    export_url = url("participant_export", programme)
    records = _csv(manager_client.get(export_url + "?format=csv"))
    assert records[0] == list(exporting.COLUMNS)
    titles = {record[5] for record in records[1:]}
    assert titles == {exporting.neutralise(value.strip()) for value in DANGEROUS}
    assert all(title[0] not in "=+-@" for title in titles)

    sheet = _xlsx(manager_client.get(export_url + "?format=xlsx"))
    assert sheet[0] == list(exporting.COLUMNS)
    assert {row[5] for row in sheet[1:]} == titles
    assert {row[2] for row in sheet[1:]} == titles


def test_a_tab_or_carriage_return_at_the_start_is_neutralised(
    manager_client: Client, programme: Programme, tenant: Tenant
) -> None:
    user = UserFactory.create(email="tab@example.org", first_name="\t=cmd", last_name="\r=cmd")
    EnrolmentFactory.create(programme=programme, user=user)
    [row] = _csv(manager_client.get(url("participant_export", programme) + "?format=csv"))[1:]
    assert row[1:3] == ["'\t=cmd", "'\r=cmd"]
    [xrow] = _xlsx(manager_client.get(url("participant_export", programme) + "?format=xlsx"))[1:]
    # XML turns a carriage return into a line feed; the quote is what matters.
    assert xrow[1] == "'\t=cmd"
    assert xrow[2] in ("'\r=cmd", "'\n=cmd")


def test_the_export_lists_the_programme_participants_with_their_profiles(
    manager_client: Client, programme: Programme, tenant: Tenant
) -> None:
    mentor = UserFactory.create(email="mentor@example.org", first_name="Zoë", last_name="Ng")
    ProfileFactory.create(
        organisation=tenant.organisation,
        user=mentor,
        skills_offered=["python"],
        mentor_capacity=3,
        seniority_years=9,
        languages=["en", "fr"],
        bio="Ctrl\x01char",
    )
    EnrolmentFactory.create(programme=programme, user=mentor, role=Enrolment.Role.MENTOR)
    EnrolmentFactory.create(
        programme=programme, role=Enrolment.Role.MENTEE, status=Enrolment.Status.PENDING
    )
    EnrolmentFactory.create(role=Enrolment.Role.MENTEE)  # another programme: not exported
    response = manager_client.get(url("participant_export", programme) + "?format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="spring-participants.csv"'
    records = _csv(response)
    assert len(records) == 3
    by_email = {record[0]: dict(zip(records[0], record, strict=True)) for record in records[1:]}
    mentor_row = by_email["mentor@example.org"]
    assert mentor_row["Email"] == "mentor@example.org"
    assert mentor_row["First name"] == "Zoë"
    assert (mentor_row["Skills"], mentor_row["Capacity"], mentor_row["Seniority"]) == (
        "python",
        "3",
        "9",
    )
    assert mentor_row["Languages"] == "en, fr"
    assert [row["Status"] for row in by_email.values()] == ["Awaiting approval", "Active"]

    sheet = _xlsx(manager_client.get(url("participant_export", programme) + "?format=xlsx"))
    xmentor = dict(zip(sheet[0], sheet[2], strict=True))  # mentees first
    assert (xmentor["Capacity"], xmentor["Seniority"]) == (3, 9)  # numbers stay numbers
    assert xmentor["Bio"] == "Ctrlchar"  # XML cannot hold control characters


def test_an_export_can_be_imported_back(
    manager_client: Client, programme: Programme, tenant: Tenant
) -> None:
    from tests.factories import MembershipFactory

    user = UserFactory.create(email="ann@example.org")
    MembershipFactory.create(organisation=tenant.organisation, user=user)  # enrolled = member
    EnrolmentFactory.create(programme=programme, user=user, role=Enrolment.Role.MENTOR)
    content = manager_client.get(url("participant_export", programme) + "?format=xlsx").content
    other = Programme.objects.create(
        organisation=tenant.organisation, name="Autumn", slug="autumn", skills=[]
    )
    participant_import = uploaded(manager_client, other, content, name="export.xlsx")
    assert check(manager_client, participant_import).status_code == 302
    participant_import.refresh_from_db()
    assert participant_import.rejected_count == 0, participant_import.rejected_report


def test_an_unknown_format_is_refused(manager_client: Client, programme: Programme) -> None:
    response = manager_client.get(url("participant_export", programme) + "?format=xls")
    assert response.status_code == 400
    assert "choose csv or xlsx" in response.content.decode()


def test_the_export_takes_a_bounded_number_of_queries(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    for _ in range(40):
        enrolment = EnrolmentFactory.create(programme=programme)
        ProfileFactory.create(organisation=tenant.organisation, user=enrolment.user)
    for kind in ("csv", "xlsx"):
        with django_assert_max_num_queries(10):
            response = manager_client.get(url("participant_export", programme) + f"?format={kind}")
        assert response.status_code == 200
