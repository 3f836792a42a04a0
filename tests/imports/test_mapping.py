"""The column mapping: guessed from the header, adjusted by the manager, checked."""

from __future__ import annotations

import pytest
from django.test import Client

from openmentor.people.models import ParticipantImport
from openmentor.programmes.imports import reading
from openmentor.programmes.models import Programme
from tests.imports.helpers import check, csv_bytes, uploaded, url

pytestmark = pytest.mark.django_db


def test_the_mapping_is_guessed_from_common_header_names() -> None:
    header = [
        "E-mail Address",
        "Given name",
        "Surname",
        "Mentor or mentee",
        "Job Title",
        "Dept",
        "Time zone",
        "Languages",
        "Topics",
        "Goals",
        "About me",
        "Max mentees",
        "Years of experience",
        "Notes",
    ]
    assert reading.mapping_guess(header) == {
        "email": 0,
        "first_name": 1,
        "last_name": 2,
        "role": 3,
        "job_title": 4,
        "department": 5,
        "timezone": 6,
        "languages": 7,
        "skills": 8,
        "goals": 9,
        "bio": 10,
        "capacity": 11,
        "seniority": 12,
    }


def _import(manager_client: Client, programme: Programme) -> ParticipantImport:
    return uploaded(
        manager_client,
        programme,
        csv_bytes([["Address", "Kind", "Name"], ["ann@example.org", "mentee", "Ann"]]),
    )


def test_the_page_shows_a_preview_and_a_labelled_select_per_field(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = _import(manager_client, programme)
    page = manager_client.get(
        url("import_detail", programme, participant_import.pk)
    ).content.decode()
    assert "<td>ann@example.org</td>" in page
    for field in reading.FIELDS:
        assert f'<label for="id_{field.key}">{field.label}' in page
    assert "Address (column A)" in page


def test_an_unmapped_email_or_role_is_refused_at_the_field(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = _import(manager_client, programme)
    response = check(manager_client, participant_import)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_email_error">Choose the column that holds the e-mail address.' in page
    assert 'id="id_role_error">Choose the column that holds the role (mentor or mentee).' in page
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.UPLOADED
    assert participant_import.mapping == {}


def test_two_fields_may_not_share_a_column(manager_client: Client, programme: Programme) -> None:
    participant_import = _import(manager_client, programme)
    response = check(
        manager_client, participant_import, email="0", role="1", first_name="2", last_name="2"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Name (column C) is already used for first name" in page
    # What the manager chose is kept.
    assert '<option value="2" selected>Name (column C)</option>' in page
    participant_import.refresh_from_db()
    assert participant_import.status == ParticipantImport.Status.UPLOADED


def test_a_column_that_does_not_exist_is_refused(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = _import(manager_client, programme)
    response = check(manager_client, participant_import, email="0", role="7")
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_a_valid_mapping_is_saved_and_the_dry_run_made(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = _import(manager_client, programme)
    response = check(manager_client, participant_import, email="0", role="1", first_name="2")
    assert response.status_code == 302
    participant_import.refresh_from_db()
    assert participant_import.mapping == {"email": 0, "first_name": 2, "role": 1}
    assert participant_import.status == ParticipantImport.Status.CHECKED
    assert participant_import.rejected_count == 0


def test_an_unknown_button_is_refused(manager_client: Client, programme: Programme) -> None:
    participant_import = _import(manager_client, programme)
    response = manager_client.post(
        url("import_detail", programme, participant_import.pk), {"action": "x"}
    )
    assert response.status_code == 400
