"""Bulk import of a programme's participants from CSV or XLSX.

Steps, each a service here. `participant_import_create` stores the upload, looking only
at its first bytes, and queues `participant_import_read`: the task reads the file
(streaming, stopping at the first limit) for its header, row count and preview, or
refuses it saying why. `participant_import_check` saves the column mapping and queues
`participant_import_check_run`, the dry run (every row checked, nothing written).
`participant_import_start` queues `participant_import_run`, which checks the rows again
(people may have enrolled since the dry run) and writes them in batches with bulk
operations. No file is parsed in a web request, and no e-mail is sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.events import EventKind, event_record
from openmentor.core.progress import progress_clear, progress_set
from openmentor.people.models import ParticipantImport
from openmentor.programmes.imports.reading import (
    FIELD_LABELS,
    FIELDS,
    ImportFileError,
    column_label,
    mapping_guess,
    table_summary,
)
from openmentor.programmes.imports.selectors import file_bytes, progress_key
from openmentor.programmes.imports.validation import rows_check
from openmentor.programmes.imports.writing import BATCH_SIZE
from openmentor.programmes.imports.writing import batch_write as _write_batch
from openmentor.programmes.models import Programme

logger = logging.getLogger(__name__)

Status = ParticipantImport.Status
ALL_OR_NOTHING = ParticipantImport.Mode.ALL_OR_NOTHING
VALID_ONLY = ParticipantImport.Mode.VALID_ONLY
# The mapping and the dry run may be redone until the import has run.
EDITABLE_STATUSES = frozenset({Status.UPLOADED, Status.CHECKED, Status.FAILED})
# A task holds the import: the page shows how far it got and updates itself.
WORKING_STATUSES = frozenset({Status.READING, Status.CHECKING, Status.IMPORTING})
_TASKS = "openmentor.programmes.imports.tasks."

# --- Services ------------------------------------------------------------------------


def participant_import_create(
    *,
    programme: Programme,
    uploaded_by: User,
    original_name: str,
    upload: File[Any],
    kind: str,
    mode: str,
) -> ParticipantImport:
    """Stores an upload whose first bytes `file_sniff` found to be `kind`, and queues
    the task that reads it (after commit). Nothing here reads the file further."""
    from openmentor.programmes.imports.tasks import participant_import_read_task

    if mode not in ParticipantImport.Mode.values:
        raise ValidationError({"mode": "Choose how to treat rows with problems."})
    if kind not in ("csv", "xlsx"):
        raise ValidationError({"file": "Upload a CSV or Excel (.xlsx) file."})
    participant_import = ParticipantImport(
        organisation_id=programme.organisation_id,
        programme=programme,
        uploaded_by=uploaded_by,
        original_name=original_name[:255],
        file_kind=kind,
        mode=mode,
        status=Status.READING,
    )
    # A random file name: the stored name says nothing about the people in it.
    participant_import.file.save(f"{uuid.uuid4().hex}.{kind}", upload, save=False)
    with transaction.atomic():
        participant_import.save()
        pk = participant_import.pk
        transaction.on_commit(lambda: participant_import_read_task.enqueue(import_id=pk))
    return participant_import


def _claim(import_id: int, status: str) -> str | None:
    """Records this worker on an import in `status` (committed at once, so that should
    the worker die the work is found and handed back: openmentor.core.leases); the
    worker id, or None when another worker has it or it moved on."""
    from openmentor.core.leases import current_worker_id

    me = current_worker_id()
    claimed = ParticipantImport.objects.filter(pk=import_id, status=status, worker_id="").update(
        worker_id=me
    )
    return me if claimed else None


def _release(import_id: int, held: str, worker_id: str, **values: Any) -> bool:
    """Stores a task's outcome and lets go of the import it held in status `held`,
    unless it was handed back meanwhile (its worker taken for dead)."""
    with transaction.atomic():
        return bool(
            ParticipantImport.objects.filter(pk=import_id, status=held, worker_id=worker_id).update(
                worker_id="", **values
            )
        )


def participant_import_read(*, import_id: int) -> None:
    """The task that reads a stored upload: its header, row count, a preview and a
    guessed mapping (status UPLOADED), or why it cannot be imported (REFUSED)."""
    me = _claim(import_id, Status.READING)
    participant_import = ParticipantImport.objects.filter(pk=import_id).first()
    if me is None or participant_import is None:
        return
    key = progress_key(import_id)
    values: dict[str, Any]
    try:
        summary = table_summary(
            file_bytes(participant_import), progress=lambda rows: progress_set(key, rows)
        )
    except ImportFileError as error:
        values = {"status": Status.REFUSED, "error": str(error)}
    except Exception as error:
        logger.exception("Reading participant import %s failed", import_id)
        values = {
            "status": Status.REFUSED,
            "error": f"This file could not be read ({type(error).__name__}). Save it "
            "again as .xlsx or CSV and upload it.",
        }
    else:
        values = {
            "status": Status.UPLOADED,
            "file_kind": summary.kind,
            "encoding": summary.encoding,
            "header": summary.header,
            "preview": summary.preview,
            "mapping": mapping_guess(summary.header),
            "total_rows": summary.total_rows,
            "error": "",
        }
    finally:
        progress_clear(key)
    if values["status"] == Status.REFUSED:
        values["finished_at"] = timezone.now()
    _release(import_id, Status.READING, me, **values)


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


def working_message(participant_import: ParticipantImport) -> str:
    """Why the mapping cannot be sent now: a task holds the import."""
    return f"{participant_import.get_status_display()}: wait until it has finished."


def participant_import_check(
    *, participant_import: ParticipantImport, mapping: dict[str, int]
) -> None:
    """Saves the mapping and queues the dry run (after commit); writes no participant."""
    from openmentor.programmes.imports.tasks import participant_import_check_task

    if participant_import.status in WORKING_STATUSES:
        raise ValidationError(working_message(participant_import))
    if participant_import.status not in EDITABLE_STATUSES:
        raise ValidationError("This import has already run; upload the file again to redo it.")
    mapping = mapping_clean(mapping, participant_import.header)
    with transaction.atomic():
        # Compare-and-set, so a double click cannot queue the dry run twice.
        moved = ParticipantImport.objects.filter(
            pk=participant_import.pk, status__in=EDITABLE_STATUSES
        ).update(
            status=Status.CHECKING,
            mapping=mapping,
            rejected_count=0,
            rejected_report="",
            processed_rows=0,
            created_count=0,
            error="",
        )
        if not moved:
            raise ValidationError("This import changed meanwhile; reload the page.")
        pk = participant_import.pk
        transaction.on_commit(lambda: participant_import_check_task.enqueue(import_id=pk))
    participant_import.status = Status.CHECKING
    participant_import.mapping = mapping


def participant_import_check_run(*, import_id: int) -> None:
    """The dry run's task: checks every row against the programme and stores the
    problems found (status CHECKED)."""
    me = _claim(import_id, Status.CHECKING)
    participant_import = (
        ParticipantImport.objects.select_related("programme").filter(pk=import_id).first()
    )
    if me is None or participant_import is None:
        return
    values: dict[str, Any]
    try:
        result = rows_check(
            data=file_bytes(participant_import),
            header=participant_import.header,
            mapping=participant_import.mapping,
            programme=participant_import.programme,
        )
    except ImportFileError as error:
        values = {"status": Status.REFUSED, "error": str(error), "finished_at": timezone.now()}
    except Exception as error:
        logger.exception("Dry run of participant import %s failed", import_id)
        values = {
            "status": Status.UPLOADED,
            "error": f"The dry run stopped with an error ({type(error).__name__}). Run it again.",
        }
    else:
        values = {
            "status": Status.CHECKED,
            "rejected_count": result.rejected_count,
            "rejected_report": result.report,
        }
    _release(import_id, Status.CHECKING, me, **values)


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


STUCK_MESSAGE = (
    "The worker running this import stopped before it finished (it may have been "
    "restarted). {written} Retry to run it again: rows already imported are not "
    "imported twice."
)


# Reading and the dry run write nothing but the import's own row, so a dead worker's
# read or dry run is simply handed back: refused (upload again) or ready to re-check.
READ_STOPPED = (
    "The worker reading this file stopped before it finished (it may have been "
    "restarted). Nothing was imported. Upload the file again; if this happens again, "
    "split it into smaller files."
)
CHECK_STOPPED = (
    "The worker running the dry run stopped before it finished (it may have been "
    "restarted). Nothing was imported. Run the dry run again."
)


def _running_imports() -> list[tuple[int, str]]:
    return list(
        ParticipantImport.objects.filter(status__in=WORKING_STATUSES)
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
    if participant_import.status in (Status.READING, Status.CHECKING):
        reading = participant_import.status == Status.READING
        with transaction.atomic():
            moved = ParticipantImport.objects.filter(
                pk=import_id, status=participant_import.status, worker_id=worker_id
            ).update(
                worker_id="",
                status=Status.REFUSED if reading else Status.UPLOADED,
                error=READ_STOPPED if reading else CHECK_STOPPED,
            )
            if moved:
                task = (
                    "participant_import_read_task" if reading else "participant_import_check_task"
                )
                task_rows_fail(_TASKS + task, "import_id", import_id, "worker stopped")
        progress_clear(progress_key(import_id))
        return bool(moved)
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
                _TASKS + "participant_import_run_task", "import_id", import_id, "worker stopped"
            )
    progress_clear(progress_key(import_id))
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
                    progress_set(progress_key(import_id), done)
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
        progress_clear(progress_key(import_id))


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


def _register_work_kind() -> None:
    from openmentor.core.leases import WorkKind, work_kind

    work_kind(
        WorkKind(name="participant_import", running=_running_imports, give_up=_import_give_up)
    )


_register_work_kind()
