"""The dry run: every bad row is listed with its row number and why."""

from __future__ import annotations

import pytest
from django.test import Client

from openmentor.people.models import ParticipantImport
from openmentor.programmes.imports import reading, validation
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import EnrolmentFactory, UserFactory
from tests.imports.helpers import HEADER, check, csv_bytes, person, uploaded, url

pytestmark = pytest.mark.django_db


def _dry_run(programme: Programme, rows: list[list[str]]) -> list[tuple[int, str]]:
    """(row number, reason) of each refused row."""
    data = csv_bytes([HEADER, *rows])
    summary = reading.table_summary(data)
    result = validation.rows_check(
        data=data,
        header=summary.header,
        mapping=reading.mapping_guess(summary.header),
        programme=programme,
    )
    import csv
    import io

    records = list(csv.reader(io.StringIO(result.report)))[1:]
    assert result.rejected_count == len(records)
    return [(int(record[0]), record[-1]) for record in records]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"Email": "not-an-address"}, "Invalid e-mail address “not-an-address”"),
        ({"Email": "a@b@example.org"}, "Invalid e-mail address"),
        ({"Email": ""}, "Missing e-mail address"),
        ({"Role": "boss"}, "Role must be mentor or mentee, not “boss”"),
        ({"Role": ""}, "Missing role"),
        ({"Timezone": "Mars/Olympus"}, "Unknown timezone “Mars/Olympus”"),
        (
            {"Skills": "python, juggling"},
            "Unknown skill “juggling” (not in this programme's skills)",
        ),
        ({"Languages": "en, klingon"}, "Unknown language “klingon”"),
        ({"Capacity": "many"}, "Mentor capacity must be a whole number from 0 to 20, not “many”"),
        ({"Capacity": "21"}, "Mentor capacity must be a whole number from 0 to 20"),
        ({"Capacity": "-1"}, "Mentor capacity must be a whole number"),
        ({"Seniority": "2.5"}, "Seniority must be a whole number of years from 0 to 80"),
        ({"Seniority": "99"}, "Seniority must be a whole number of years"),
        ({"Job title": "x" * 151}, "Job title is longer than 150 characters"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else None,
)
def test_each_bad_row_is_reported_with_its_row_number(
    programme: Programme, overrides: dict[str, str], reason: str
) -> None:
    rejected = _dry_run(programme, [person(1), person(2, **overrides), person(3)])
    assert len(rejected) == 1
    number, text = rejected[0]
    assert number == 3  # the header is row 1
    assert reason in text


def test_values_are_matched_whatever_their_case(programme: Programme) -> None:
    row = person(
        1, Role="Mentor", Timezone="europe/london", Languages="English; FR", Skills="PYTHON"
    )
    assert _dry_run(programme, [row]) == []


def test_a_row_with_several_problems_lists_them_all(programme: Programme) -> None:
    [(number, text)] = _dry_run(programme, [person(1, Email="", Role="x", Capacity="lots")])
    assert number == 2
    assert "Missing e-mail address" in text and "Role must be" in text and "capacity" in text


def test_duplicates_in_the_file_are_refused_but_one_person_may_have_both_roles(
    programme: Programme,
) -> None:
    rows = [
        person(1, "mentor"),
        person(1, "mentee"),
        person(1, "mentor", Email="NEW1@example.org"),
    ]
    assert _dry_run(programme, rows) == [(4, "Duplicate of row 2 (same e-mail address and role)")]


def test_someone_already_enrolled_in_that_role_is_refused(programme: Programme) -> None:
    from tests.factories import MembershipFactory, ProgrammeFactory

    user = UserFactory.create(email="ann@example.org")
    MembershipFactory.create(organisation=programme.organisation, user=user)
    EnrolmentFactory.create(programme=programme, user=user, role=Enrolment.Role.MENTOR)
    other_programme_user = UserFactory.create(email="bob@example.org")
    MembershipFactory.create(organisation=programme.organisation, user=other_programme_user)
    EnrolmentFactory.create(
        programme=ProgrammeFactory.create(organisation=programme.organisation),
        user=other_programme_user,
        role=Enrolment.Role.MENTOR,
    )
    rows = [
        person(1, "mentor", Email="Ann@Example.org"),
        person(2, "mentee", Email="ann@example.org"),  # another role: fine
        person(3, "mentor", Email="bob@example.org"),  # in another programme here: fine
    ]
    assert _dry_run(programme, rows) == [(2, "Already enrolled in this programme as a mentor")]


def test_the_dry_run_page_lists_the_bad_rows_and_writes_nothing(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = uploaded(
        manager_client,
        programme,
        csv_bytes([HEADER, person(1), person(2, Email="nope"), person(3, Timezone="Nowhere")]),
    )
    response = check(manager_client, participant_import)
    assert response.status_code == 302
    page = manager_client.get(response["Location"]).content.decode()
    assert "1 rows can be imported; 2 have problems." in page
    assert "Invalid e-mail address “nope”" in page
    assert "Unknown timezone “Nowhere”" in page
    assert "all rows or nothing" in page
    assert "Import 1 participants" not in page  # all or nothing: nothing can start
    assert Enrolment.objects.count() == 0
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.CHECKED


def test_the_report_has_the_original_columns_and_the_reason(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = uploaded(
        manager_client,
        programme,
        csv_bytes([HEADER, person(1), person(2, Email="nope", **{"Job title": "=1+2"})]),
    )
    check(manager_client, participant_import)
    response = manager_client.get(url("import_report", programme, participant_import.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    import csv
    import io

    records = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert records[0] == ["Row", *HEADER, "Reason"]
    assert records[1][0] == "3"
    assert records[1][1] == "nope"
    assert records[1][5] == "'=1+2"  # a formula in the file stays inert in the report
    assert records[1][-1] == "Invalid e-mail address “nope”"


def test_an_account_outside_the_organisation_is_not_pulled_in(programme: Programme) -> None:
    """Someone else's account joins only by accepting an invitation, never by an import."""
    from openmentor.organisations.models import Membership

    outsider = UserFactory.create(email="ceo@globex.example")
    rows = [person(1, "mentee", Email="CEO@globex.example"), person(2, "mentee")]
    [(number, reason)] = _dry_run(programme, rows)
    assert number == 2 and "already has an OpenMentor account outside your organisation" in reason
    assert not Membership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize("name", ["Ann\nMarie", "Bob\rSmith", "Tab\tName"])
def test_names_must_be_on_one_line(programme: Programme, name: str) -> None:
    assert _dry_run(programme, [person(1, **{"First name": name})]) == [
        (2, "First name must be on one line")
    ]
