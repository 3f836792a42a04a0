"""Bulk import of a programme's participants from CSV or XLSX.

Three steps, each a service here: `participant_import_create` keeps the uploaded file
once it is known to be a readable table; `participant_import_check` maps its columns
and runs the dry run (every row checked, nothing written); `participant_import_start`
queues `participant_import_run`, which checks the rows again (people may have enrolled
since the dry run) and writes them in batches with bulk operations. No e-mail is sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.events import EventKind, event_record
from openmentor.core.progress import progress_clear, progress_get, progress_set
from openmentor.organisations.models import Membership, Role
from openmentor.people.completeness import profile_completeness
from openmentor.people.models import ParticipantImport, Profile
from openmentor.programmes.imports.reading import (
    FIELD_LABELS,
    FIELDS,
    TableSummary,
    column_label,
    mapping_guess,
)
from openmentor.programmes.imports.selectors import file_bytes
from openmentor.programmes.imports.validation import CheckResult, ValidRow, rows_check
from openmentor.programmes.models import Enrolment, Programme

logger = logging.getLogger(__name__)

# Rows written per transaction in "valid rows only" mode, and per bulk statement. 500
# keeps every `IN (...)` list under SQLite's oldest parameter limit (999).
BATCH_SIZE = 500

ALL_OR_NOTHING = ParticipantImport.Mode.ALL_OR_NOTHING
VALID_ONLY = ParticipantImport.Mode.VALID_ONLY
# The mapping and the dry run may be redone until the import has run.
EDITABLE_STATUSES = frozenset(
    {
        ParticipantImport.Status.UPLOADED,
        ParticipantImport.Status.CHECKED,
        ParticipantImport.Status.FAILED,
    }
)

# --- Services ------------------------------------------------------------------------


def participant_import_create(
    *,
    programme: Programme,
    uploaded_by: User,
    original_name: str,
    data: bytes,
    summary: TableSummary,
    mode: str,
) -> ParticipantImport:
    """Keeps an upload already checked by `table_summary`, with a guessed column mapping."""
    if mode not in ParticipantImport.Mode.values:
        raise ValidationError({"mode": "Choose how to treat rows with problems."})
    participant_import = ParticipantImport(
        organisation_id=programme.organisation_id,
        programme=programme,
        uploaded_by=uploaded_by,
        original_name=original_name[:255],
        file_kind=summary.kind,
        encoding=summary.encoding,
        header=summary.header,
        mapping=mapping_guess(summary.header),
        mode=mode,
        total_rows=summary.total_rows,
    )
    # A random file name: the stored name says nothing about the people in it.
    participant_import.file.save(
        f"{uuid.uuid4().hex}.{summary.kind}", ContentFile(data), save=False
    )
    with transaction.atomic():
        participant_import.save()
    return participant_import


def mapping_clean(mapping: dict[str, int], header: Sequence[str]) -> dict[str, int]:
    """Raises ValidationError keyed by field for a missing required column or a reused one."""
    errors: dict[str, str] = {}
    used: dict[int, str] = {}
    clean: dict[str, int] = {}
    for import_field in FIELDS:
        index = mapping.get(import_field.key)
        if index is None:
            if import_field.required:
                errors[import_field.key] = (
                    f"Choose the column that holds the {import_field.label.lower()}."
                )
            continue
        if not 0 <= index < len(header):
            errors[import_field.key] = "Choose one of the file's columns."
            continue
        if index in used:
            errors[import_field.key] = (
                f"{column_label(header, index)} is already used for "
                f"{FIELD_LABELS[used[index]].lower()}; a column can hold one thing only."
            )
            continue
        used[index] = import_field.key
        clean[import_field.key] = index
    if errors:
        raise ValidationError(errors)
    return clean


def participant_import_check(
    *, participant_import: ParticipantImport, mapping: dict[str, int]
) -> CheckResult:
    """The dry run: saves the mapping and the rows' problems; writes no participant."""
    if participant_import.status not in EDITABLE_STATUSES:
        raise ValidationError("This import has already run; upload the file again to redo it.")
    mapping = mapping_clean(mapping, participant_import.header)
    result = rows_check(
        data=file_bytes(participant_import),
        header=participant_import.header,
        mapping=mapping,
        programme=participant_import.programme,
    )
    participant_import.mapping = mapping
    participant_import.status = ParticipantImport.Status.CHECKED
    participant_import.rejected_count = result.rejected_count
    participant_import.rejected_report = result.report
    participant_import.processed_rows = 0
    participant_import.created_count = 0
    participant_import.error = ""
    with transaction.atomic():
        participant_import.save()
    return result


def participant_import_start(*, participant_import: ParticipantImport, actor: User) -> None:
    """Queues the import after commit. Refused before a dry run, twice, or when the
    all-or-nothing dry run found problems."""
    from openmentor.programmes.imports.tasks import participant_import_run_task
    from openmentor.programmes.services.lifecycle import programme_require

    programme_require(participant_import.programme, "import")
    if participant_import.status != ParticipantImport.Status.CHECKED:
        raise ValidationError("Check the rows (dry run) before importing.")
    if participant_import.mode == ALL_OR_NOTHING and participant_import.rejected_count:
        raise ValidationError(
            "This import is all rows or nothing, and some rows have problems. Fix them in "
            "your file and upload it again, or upload it choosing to skip the rows with "
            "problems."
        )
    with transaction.atomic():
        # Compare-and-set, so a double click cannot queue the import twice.
        started = ParticipantImport.objects.filter(
            pk=participant_import.pk, status=ParticipantImport.Status.CHECKED
        ).update(status=ParticipantImport.Status.IMPORTING, processed_rows=0, error="")
        if not started:
            raise ValidationError("This import has already started.")
        pk = participant_import.pk
        transaction.on_commit(lambda: participant_import_run_task.enqueue(import_id=pk))
    participant_import.status = ParticipantImport.Status.IMPORTING
    participant_import.processed_rows = 0


def _progress_key(import_id: int) -> str:
    return f"participant-import-progress:{import_id}"


def import_progress(participant_import: ParticipantImport) -> int:
    """Rows processed so far.

    An all-or-nothing import writes in one transaction, so its saved count moves only at
    the end; openmentor.core.progress carries the live count meanwhile, across processes.
    """
    live = progress_get(_progress_key(participant_import.pk))
    return min(participant_import.total_rows, max(participant_import.processed_rows, live))


STUCK_MESSAGE = (
    "The worker running this import stopped before it finished (it may have been "
    "restarted). {written} Retry to run it again: rows already imported are not "
    "imported twice."
)


def _running_imports() -> list[tuple[int, str]]:
    return list(
        ParticipantImport.objects.filter(status=ParticipantImport.Status.IMPORTING)
        .exclude(worker_id="")
        .values_list("pk", "worker_id")
    )


def _import_give_up(import_id: int, worker_id: str) -> bool:
    """A dead worker's import: all or nothing rolled back with the worker's connection,
    so nothing of it is stored; valid-rows-only kept its committed batches."""
    from openmentor.core.leases import task_rows_fail

    participant_import = ParticipantImport.objects.filter(pk=import_id).first()
    if participant_import is None:
        return False
    if participant_import.mode == ALL_OR_NOTHING:
        written = "Nothing was imported."
        values: dict[str, Any] = {"processed_rows": 0, "created_count": 0}
    else:
        written = (
            f"{participant_import.created_count} participants were imported before it stopped."
        )
        values = {}
    with transaction.atomic():
        moved = ParticipantImport.objects.filter(
            pk=import_id, status=ParticipantImport.Status.IMPORTING, worker_id=worker_id
        ).update(
            status=ParticipantImport.Status.STUCK,
            error=STUCK_MESSAGE.format(written=written),
            **values,
        )
        if moved:
            task_rows_fail(
                "openmentor.programmes.imports.tasks.participant_import_run_task",
                "import_id",
                import_id,
                "worker stopped",
            )
    progress_clear(_progress_key(import_id))
    return bool(moved)


def participant_import_retry(*, participant_import: ParticipantImport, actor: User) -> None:
    """Queues a stuck import again (after commit); refused unless it is stuck."""
    from openmentor.programmes.imports.tasks import participant_import_run_task
    from openmentor.programmes.services.lifecycle import programme_require

    programme_require(participant_import.programme, "import")
    with transaction.atomic():
        retried = ParticipantImport.objects.filter(
            pk=participant_import.pk, status=ParticipantImport.Status.STUCK
        ).update(status=ParticipantImport.Status.IMPORTING, worker_id="", error="")
        if not retried:
            raise ValidationError("Only a stuck import can be retried.")
        pk = participant_import.pk
        transaction.on_commit(lambda: participant_import_run_task.enqueue(import_id=pk))
    participant_import.status = ParticipantImport.Status.IMPORTING
    participant_import.error = ""


def participant_import_run(*, import_id: int) -> None:
    """Runs a started import: checks the rows again and writes the valid ones in batches.

    All or nothing: one transaction, so any problem row or any failure leaves nothing.
    Valid rows only: each batch commits on its own with its progress; a failure stops the
    import there and keeps the batches already written.
    """
    participant_import = (
        ParticipantImport.objects.select_related("programme__organisation", "uploaded_by")
        .filter(pk=import_id)
        .first()
    )
    if (
        participant_import is None
        or participant_import.status != ParticipantImport.Status.IMPORTING
    ):
        return  # deleted, or already run by another worker
    # Claim it (committed at once, outside the long transaction below) so that, should
    # this worker die, the import is found and handed back (openmentor.core.leases).
    from openmentor.core.leases import current_worker_id, fault_test_pause

    me = current_worker_id()
    claimed = ParticipantImport.objects.filter(
        pk=import_id,
        status=ParticipantImport.Status.IMPORTING,
        worker_id="",
    ).update(worker_id=me)
    if not claimed:
        return
    participant_import.worker_id = me
    programme = participant_import.programme
    result = rows_check(
        data=file_bytes(participant_import),
        header=participant_import.header,
        mapping=participant_import.mapping,
        programme=programme,
    )
    participant_import.rejected_count = result.rejected_count
    participant_import.rejected_report = result.report
    if participant_import.mode == ALL_OR_NOTHING and result.rejected_count:
        _finish(
            participant_import,
            ParticipantImport.Status.FAILED,
            error=(
                f"{result.rejected_count} rows have problems (some may have changed since the "
                "dry run), so nothing was imported."
            ),
        )
        return
    done = result.rejected_count  # refused rows count as processed
    created = 0
    batches = [result.valid[i : i + BATCH_SIZE] for i in range(0, len(result.valid), BATCH_SIZE)]
    try:
        if participant_import.mode == ALL_OR_NOTHING:
            with transaction.atomic():
                for batch in batches:
                    created += _write_batch(programme=programme, rows=batch)
                    done += len(batch)
                    progress_set(_progress_key(import_id), done)
                    fault_test_pause()
                participant_import.processed_rows = done
                participant_import.created_count = created
                _finish(participant_import, ParticipantImport.Status.DONE)
        else:
            for batch in batches:
                with transaction.atomic():
                    created += _write_batch(programme=programme, rows=batch)
                    done += len(batch)
                    ParticipantImport.objects.filter(pk=import_id).update(
                        processed_rows=done, created_count=created
                    )
                fault_test_pause()
            participant_import.processed_rows = done
            participant_import.created_count = created
            _finish(participant_import, ParticipantImport.Status.DONE)
    except Exception as error:
        logger.exception("Participant import %s failed", import_id)
        if participant_import.mode == ALL_OR_NOTHING:
            participant_import.processed_rows = 0
            participant_import.created_count = 0
            message = "The import stopped with an error, so nothing was imported."
        else:
            participant_import.processed_rows = done
            participant_import.created_count = created
            message = (
                f"The import stopped with an error after {created} participants; "
                "the rows after them were not imported."
            )
        _finish(
            participant_import,
            ParticipantImport.Status.FAILED,
            error=f"{message} ({type(error).__name__})",
        )
    finally:
        progress_clear(_progress_key(import_id))


def _finish(participant_import: ParticipantImport, status: str, error: str = "") -> None:
    participant_import.status = status
    participant_import.error = error
    participant_import.finished_at = timezone.now()
    with transaction.atomic():
        participant_import.save(
            update_fields=[
                "status",
                "error",
                "finished_at",
                "processed_rows",
                "created_count",
                "rejected_count",
                "rejected_report",
            ]
        )
        if status == ParticipantImport.Status.DONE:
            event_record(
                organisation=participant_import.programme.organisation,
                actor=participant_import.uploaded_by,
                kind=EventKind.PARTICIPANTS_IMPORTED,
                data={
                    "programme_id": participant_import.programme_id,
                    "import_id": participant_import.pk,
                    "created": participant_import.created_count,
                    "rejected": participant_import.rejected_count,
                },
            )


_PROFILE_TEXT = ("job_title", "department", "goals", "bio", "timezone")
PROFILE_FIELDS = [
    *_PROFILE_TEXT,
    "languages",
    "skills_offered",
    "skills_wanted",
    "mentor_capacity",
    "seniority_years",
    "completeness",
    "updated_at",
]


def _users_by_email(emails: Sequence[str]) -> dict[str, User]:
    return {
        user.email_lower: user  # type: ignore[attr-defined]
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }


def _write_batch(*, programme: Programme, rows: list[ValidRow]) -> int:
    """Writes one batch of checked rows with bulk statements; returns enrolments made.

    Per row: the user (found by e-mail whatever its case, or created with an unusable
    password: they log in through "forgot password" or an invitation), a participant
    membership unless they have one, their profile (created, or the imported fields
    updated) and an active enrolment from the import.
    """
    organisation_id = programme.organisation_id
    emails = list(dict.fromkeys(row.email for row in rows))
    users = _users_by_email(emails)
    first_rows: dict[str, ValidRow] = {}
    for row in rows:
        first_rows.setdefault(row.email, row)
    new_users = [
        User(
            email=email,
            first_name=first_rows[email].values.get("first_name", ""),
            last_name=first_rows[email].values.get("last_name", ""),
            password=make_password(None),
        )
        for email in emails
        if email not in users
    ]
    if new_users:
        User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
        users = _users_by_email(emails)  # primary keys, on every database
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=users[u.email], email=u.email, verified=False, primary=True)
                for u in new_users
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
    user_ids = [user.pk for user in users.values()]

    members = set(
        Membership.objects.filter(
            organisation_id=organisation_id, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation_id=organisation_id, user_id=user_id, role=Role.PARTICIPANT)
            for user_id in user_ids
            if user_id not in members
        ],
        batch_size=BATCH_SIZE,
    )

    roles: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    for user_id, role in Enrolment.objects.filter(
        programme__organisation_id=organisation_id,
        user_id__in=user_ids,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PENDING],
    ).values_list("user_id", "role"):
        roles[user_id].add(role)
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(organisation_id=organisation_id, user_id__in=user_ids)
    }
    existing = set(profiles)
    now = timezone.now()
    for row in rows:
        user_id = users[row.email].pk
        roles[user_id].add(row.role)
        profile = profiles.get(user_id)
        if profile is None:
            profile = Profile(
                organisation_id=organisation_id,
                user_id=user_id,
                mentor_capacity=programme.default_mentor_capacity,
            )
            profiles[user_id] = profile
        _profile_apply(profile, row)
    for user_id, profile in profiles.items():
        profile.completeness = profile_completeness(profile, roles[user_id])[0]
        profile.updated_at = now
    Profile.objects.bulk_create(
        [p for user_id, p in profiles.items() if user_id not in existing], batch_size=BATCH_SIZE
    )
    _profiles_update([p for user_id, p in profiles.items() if user_id in existing])

    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                programme=programme,
                user_id=users[row.email].pk,
                role=row.role,
                status=Enrolment.Status.ACTIVE,
                source=Enrolment.Source.IMPORT,
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
    )
    return len(enrolments)


def _profiles_update(profiles: list[Profile]) -> None:
    """Saves the imported fields of existing profiles with one prepared UPDATE.

    Not QuerySet.bulk_update: it builds a CASE expression per field per row, which cost
    about 10 ms a row here (a third of a 10,000-row import); executemany costs a fraction
    of that, on SQLite and PostgreSQL alike.
    """
    if not profiles:
        return
    fields = [Profile._meta.get_field(name) for name in PROFILE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    # Only the model's own table and column names are formatted in; values are parameters.
    sql = f"UPDATE {quote(Profile._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    params = [
        [
            f.get_db_prep_save(getattr(profile, f.attname), connection)  # type: ignore[union-attr]
            for f in fields
        ]
        + [profile.pk]
        for profile in profiles
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _profile_apply(profile: Profile, row: ValidRow) -> None:
    values = row.values
    for key in _PROFILE_TEXT:
        if key in values:
            setattr(profile, key, values[key])
    if "languages" in values:
        profile.languages = values["languages"]
    if "skills" in values:
        if row.role == Enrolment.Role.MENTOR:
            profile.skills_offered = values["skills"]
        else:
            profile.skills_wanted = values["skills"]
    if "capacity" in values:
        profile.mentor_capacity = values["capacity"]
    if "seniority" in values:
        profile.seniority_years = values["seniority"]


def _register_work_kind() -> None:
    from openmentor.core.leases import WorkKind, work_kind

    work_kind(
        WorkKind(name="participant_import", running=_running_imports, give_up=_import_give_up)
    )


_register_work_kind()
