"""Running an import: all rows or nothing versus valid rows only, atomicity, progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Role
from openmentor.people.models import ParticipantImport, Profile
from openmentor.programmes.imports import selectors as import_selectors
from openmentor.programmes.imports import services as importing
from openmentor.programmes.imports import validation
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant
from tests.factories import EnrolmentFactory, ProfileFactory, UserFactory
from tests.imports.helpers import HEADER, check, csv_bytes, person, uploaded, url

pytestmark = pytest.mark.django_db

VALID_ONLY = ParticipantImport.Mode.VALID_ONLY
ALL_OR_NOTHING = ParticipantImport.Mode.ALL_OR_NOTHING


def _checked(
    client: Client, programme: Programme, rows: list[list[str]], mode: str
) -> ParticipantImport:
    participant_import = uploaded(client, programme, csv_bytes([HEADER, *rows]), mode=mode)
    assert check(client, participant_import).status_code == 302
    participant_import.refresh_from_db()
    return participant_import


def _start(
    client: Client,
    participant_import: ParticipantImport,
    capture: Callable[..., Any],
) -> Any:
    with capture(execute=True):
        response = client.post(
            url("import_detail", participant_import.programme, participant_import.pk),
            {"action": "start"},
        )
    participant_import.refresh_from_db()
    return response


def _written(tenant: Tenant) -> dict[str, int]:
    return {
        "users": User.objects.filter(email__startswith="new").count(),
        "memberships": Membership.objects.filter(user__email__startswith="new").count(),
        "profiles": Profile.objects.filter(user__email__startswith="new").count(),
        "enrolments": Enrolment.objects.count(),
    }


NOTHING = {"users": 0, "memberships": 0, "profiles": 0, "enrolments": 0}


def test_valid_only_imports_the_good_rows_and_skips_the_rest(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    rows = [person(1, "mentor"), person(2), person(3, Email="broken"), person(4, Skills="knitting")]
    participant_import = _checked(manager_client, programme, rows, VALID_ONLY)
    response = _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert participant_import.status == ParticipantImport.Status.DONE
    assert (participant_import.created_count, participant_import.rejected_count) == (2, 2)
    assert participant_import.processed_rows == 4
    assert _written(tenant) == {"users": 2, "memberships": 2, "profiles": 2, "enrolments": 2}

    mentor = User.objects.get(email="new1@example.org")
    assert (mentor.first_name, mentor.last_name) == ("First1", "Last1")
    assert not mentor.has_usable_password()
    assert (
        Membership.objects.get(user=mentor, organisation=tenant.organisation).role
        == Role.PARTICIPANT
    )
    enrolment = Enrolment.objects.get(user=mentor)
    assert (enrolment.programme, enrolment.role) == (programme, Enrolment.Role.MENTOR)
    assert (enrolment.status, enrolment.source) == (
        Enrolment.Status.ACTIVE,
        Enrolment.Source.IMPORT,
    )
    profile = Profile.objects.get(user=mentor, organisation=tenant.organisation)
    assert profile.job_title == "Analyst"
    assert profile.timezone == "Europe/London"
    assert profile.languages == ["en", "fr"]
    assert profile.skills_offered == ["python", "leadership"]
    assert profile.skills_wanted == []
    assert (profile.mentor_capacity, profile.seniority_years) == (2, 5)
    assert 0 < profile.completeness < 100  # availability and bio are still missing
    mentee_profile = Profile.objects.get(user__email="new2@example.org")
    assert mentee_profile.skills_wanted == ["python", "leadership"]

    assert mail.outbox == []  # an import sends no e-mail
    page = manager_client.get(response["Location"]).content.decode()
    assert "Import finished: 2 participants enrolled, 2 rows skipped. No e-mail was sent." in page


def test_an_existing_person_is_found_by_email_whatever_its_case_and_updated(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    existing = tenant.participant.user
    ProfileFactory.create(
        organisation=tenant.organisation,
        user=existing,
        job_title="Old",
        bio="Kept",
        department="Sales",
    )
    manager = tenant.manager.user
    rows = [
        person(1, "mentor", Email=existing.email.upper(), **{"First name": "Changed"}),
        person(2, "mentee", Email=manager.email, Timezone=""),
    ]
    participant_import = _checked(manager_client, programme, rows, ALL_OR_NOTHING)
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert participant_import.status == ParticipantImport.Status.DONE, participant_import.error
    existing.refresh_from_db()
    assert existing.first_name != "Changed"  # a person's own name is theirs
    assert existing.has_usable_password()
    profile = Profile.objects.get(user=existing)
    assert (profile.job_title, profile.bio, profile.department) == ("Analyst", "Kept", "Sales")
    assert (profile.languages, profile.skills_offered) == (["en", "fr"], ["python", "leadership"])
    assert profile.timezone == "Europe/London"
    # The manager keeps their role; they are enrolled as a mentee all the same.
    assert (
        Membership.objects.get(user=manager, organisation=tenant.organisation).role == Role.MANAGER
    )
    assert Enrolment.objects.filter(user=manager, role=Enrolment.Role.MENTEE).exists()
    assert User.objects.filter(email__iexact=existing.email).count() == 1


def test_one_person_as_mentor_and_mentee_gets_one_profile_with_both_skills(
    manager_client: Client,
    programme: Programme,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    rows = [person(1, "mentor", Skills="python"), person(1, "mentee", Skills="negotiation")]
    participant_import = _checked(manager_client, programme, rows, ALL_OR_NOTHING)
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    profile = Profile.objects.get(user__email="new1@example.org")
    assert (profile.skills_offered, profile.skills_wanted) == (["python"], ["negotiation"])
    assert Enrolment.objects.filter(user__email="new1@example.org").count() == 2


def test_all_or_nothing_with_bad_rows_cannot_start_and_writes_nothing(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant_import = _checked(
        manager_client, programme, [person(1), person(2, Role="boss")], ALL_OR_NOTHING
    )
    response = _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "some rows have problems" in response.content.decode()
    assert participant_import.status == ParticipantImport.Status.CHECKED
    assert _written(tenant) == NOTHING


def test_all_or_nothing_writes_nothing_if_a_row_went_bad_after_the_dry_run(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant_import = _checked(manager_client, programme, [person(1), person(2)], ALL_OR_NOTHING)
    # Someone in the file enrols on their own between the dry run and the import.
    EnrolmentFactory.create(programme=programme, user=UserFactory.create(email="new2@example.org"))
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert participant_import.status == ParticipantImport.Status.FAILED
    assert "nothing was imported" in participant_import.error
    assert Enrolment.objects.count() == 1
    assert not User.objects.filter(email="new1@example.org").exists()


def _fail_at_row(monkeypatch: pytest.MonkeyPatch, row_number: int) -> None:
    """Makes the batch holding the given row fail at write time, as a database would."""
    write = importing._write_batch

    def failing(*, programme: Programme, rows: list[validation.ValidRow]) -> int:
        written = write(programme=programme, rows=rows)
        if any(row.number == row_number for row in rows):
            raise IntegrityError("simulated failure")
        return written

    monkeypatch.setattr(importing, "_write_batch", failing)
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)


def test_all_or_nothing_is_atomic_when_a_write_fails_midway(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant_import = _checked(
        manager_client, programme, [person(n) for n in range(1, 8)], ALL_OR_NOTHING
    )
    _fail_at_row(monkeypatch, row_number=6)  # the third batch of two
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert participant_import.status == ParticipantImport.Status.FAILED
    assert participant_import.error.startswith(
        "The import stopped with an error, so nothing was imported."
    )
    assert (participant_import.created_count, participant_import.processed_rows) == (0, 0)
    assert _written(tenant) == NOTHING
    assert tenant.organisation.memberships.count() == 3  # owner, manager, participant


def test_valid_only_keeps_the_batches_written_before_a_failure(
    manager_client: Client,
    programme: Programme,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant_import = _checked(
        manager_client, programme, [person(n) for n in range(1, 8)], VALID_ONLY
    )
    _fail_at_row(monkeypatch, row_number=6)
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert participant_import.status == ParticipantImport.Status.FAILED
    assert "after 4 participants" in participant_import.error
    assert participant_import.created_count == 4
    assert _written(tenant) == {"users": 4, "memberships": 4, "profiles": 4, "enrolments": 4}


def test_an_import_cannot_start_before_its_dry_run_or_twice(
    manager_client: Client,
    programme: Programme,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant_import = uploaded(manager_client, programme, csv_bytes([HEADER, person(1)]))
    response = _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "before importing" in response.content.decode()
    check(manager_client, participant_import)
    assert (
        _start(manager_client, participant_import, django_capture_on_commit_callbacks).status_code
        == 302
    )
    again = _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert Enrolment.objects.count() == 1
    # Nor can its mapping change once it has run.
    assert check(manager_client, participant_import).status_code == 400


def test_the_progress_fragment_shows_a_progress_bar_while_importing(
    manager_client: Client, programme: Programme
) -> None:
    participant_import = _checked(
        manager_client, programme, [person(n) for n in range(1, 5)], VALID_ONLY
    )
    ParticipantImport.objects.filter(pk=participant_import.pk).update(
        status=ParticipantImport.Status.IMPORTING, processed_rows=2
    )
    page = manager_client.get(
        url("import_detail", programme, participant_import.pk)
    ).content.decode()
    assert 'hx-trigger="every 1s"' in page
    fragment = manager_client.get(url("import_progress", programme, participant_import.pk))
    text = fragment.content.decode()
    assert '<progress id="import-progress-bar" max="4" value="2">50%</progress>' in text
    assert "Importing: 2 of 4 rows processed" in text
    assert '<label for="import-progress-bar">' in text


def test_polling_a_finished_import_reloads_the_page(
    manager_client: Client,
    programme: Programme,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    participant_import = _checked(manager_client, programme, [person(1)], VALID_ONLY)
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    response = manager_client.get(
        url("import_progress", programme, participant_import.pk), headers={"HX-Request": "true"}
    )
    assert response["HX-Refresh"] == "true"
    page = manager_client.get(
        url("import_detail", programme, participant_import.pk)
    ).content.decode()
    assert "hx-trigger" not in page


def test_an_import_over_several_batches_counts_every_row(
    manager_client: Client,
    programme: Programme,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr(importing, "BATCH_SIZE", 7)
    rows = [person(n, "mentor" if n % 3 else "mentee") for n in range(1, 51)]
    participant_import = _checked(manager_client, programme, rows, ALL_OR_NOTHING)
    _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert participant_import.status == ParticipantImport.Status.DONE
    assert participant_import.created_count == participant_import.processed_rows == 50
    assert Enrolment.objects.filter(source=Enrolment.Source.IMPORT).count() == 50


def test_an_all_or_nothing_import_shows_live_progress_before_it_commits(
    manager_client: Client,
    programme: Programme,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """The page's bar moves while the single transaction is still open (no Redis needed)."""
    from django.test import override_settings

    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    seen: list[int] = []
    write = importing._write_batch

    def watching(*, programme: Programme, rows: list[validation.ValidRow]) -> int:
        fresh = ParticipantImport.objects.get(pk=participant_import.pk)
        seen.append(import_selectors.import_progress(fresh))  # what the progress fragment reads
        return write(programme=programme, rows=rows)

    participant_import = _checked(
        manager_client, programme, [person(n) for n in range(1, 10)], ALL_OR_NOTHING
    )
    monkeypatch.setattr(importing, "_write_batch", watching)
    with override_settings(REDIS_URL=""):
        _start(manager_client, participant_import, django_capture_on_commit_callbacks)
    assert seen == [0, 3, 6]
    assert participant_import.status == ParticipantImport.Status.DONE
