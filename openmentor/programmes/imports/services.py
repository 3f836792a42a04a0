"""Bulk import of a programme's participants from CSV or XLSX.

Three steps, each a service here: `participant_import_create` keeps the uploaded file
once it is known to be a readable table; `participant_import_check` maps its columns
and runs the dry run (every row checked, nothing written); `participant_import_start`
queues `participant_import_run`, which checks the rows again (people may have enrolled
since the dry run) and writes them in batches with bulk operations. No e-mail is sent.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.core.events import event_record
from openmentor.core.progress import progress_clear, progress_get, progress_set
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.completeness import profile_completeness
from openmentor.people.models import ParticipantImport, Profile
from openmentor.people.services import LANGUAGES
from openmentor.people.timezones import valid_timezones
from openmentor.programmes.models import Enrolment, Programme

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# Rows written per transaction in "valid rows only" mode, and per bulk statement. 500
# keeps every `IN (...)` list under SQLite's oldest parameter limit (999).
BATCH_SIZE = 500
# An XLSX is a zip: refuse one that would expand beyond this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
# Reading stops at the first row past these, so a crafted sheet (one row of 16,000
# cells, repeated) costs a fraction of a second instead of a minute of a web process.
MAX_COLUMNS = 100
MAX_CELL_CHARS = 5000
# openpyxl loads a workbook's shared strings whole before the first row: a few kilobytes
# of zip can hold one cell of hundreds of megabytes.
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
LIMITS = "at most 50,000 rows, 100 columns and 5,000 characters in a cell"
# The manager sees this many problem rows on the page; the CSV report has all of them.
SHOWN_REJECTIONS = 500
MAX_TEXT = 5000

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


class ImportFileError(Exception):
    """The uploaded file cannot be imported; the message is shown to the manager."""


# --- The columns OpenMentor understands ----------------------------------------------


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    # Header names (lower case, letters and digits only) that map to this field.
    aliases: tuple[str, ...]
    required: bool = False


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "email",
        "E-mail address",
        ("email", "emailaddress", "mail", "workemail", "emailid"),
        required=True,
    ),
    ImportField("first_name", "First name", ("firstname", "givenname", "forename", "first")),
    ImportField("last_name", "Last name", ("lastname", "surname", "familyname", "last")),
    ImportField(
        "role",
        "Role (mentor or mentee)",
        ("role", "programmerole", "participanttype", "type", "mentorormentee"),
        required=True,
    ),
    ImportField("job_title", "Job title", ("jobtitle", "title", "position", "job")),
    ImportField("department", "Department", ("department", "dept", "team", "division")),
    ImportField("timezone", "Timezone", ("timezone", "tz", "timezonename")),
    ImportField("languages", "Languages", ("languages", "language", "langs")),
    ImportField("skills", "Skills", ("skills", "skill", "topics", "expertise", "interests")),
    ImportField("goals", "Goals", ("goals", "goal", "objectives")),
    ImportField("bio", "Bio", ("bio", "biography", "about", "aboutme")),
    ImportField(
        "capacity",
        "Mentor capacity",
        ("capacity", "mentorcapacity", "maxmentees", "mentees"),
    ),
    ImportField(
        "seniority",
        "Seniority (years)",
        ("seniority", "seniorityyears", "yearsofexperience", "experience", "years"),
    ),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
FIELD_LABELS = {f.key: f.label for f in FIELDS}


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def mapping_guess(header: Sequence[str]) -> dict[str, int]:
    """Field key → column index, from the header's names; each column used once."""
    keys = [_header_key(name) for name in header]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for import_field in FIELDS:
        for alias in import_field.aliases:
            if alias in keys and keys.index(alias) not in used:
                mapping[import_field.key] = keys.index(alias)
                used.add(keys.index(alias))
                break
    return mapping


# --- Reading the file ------------------------------------------------------------------

# Bytes that never occur in a text file (everything below space except tab, LF, FF, CR).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old Excel (.xls) or other Office file. Save it as .xlsx or CSV.",
    ),
    (b"\x89PNG", "This is a PNG image, not a CSV or Excel (.xlsx) file."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a CSV or Excel (.xlsx) file."),
    (b"GIF8", "This is a GIF image, not a CSV or Excel (.xlsx) file."),
    (b"%PDF", "This is a PDF document, not a CSV or Excel (.xlsx) file."),
    (b"\x1f\x8b", "This is a compressed (gzip) file. Upload the CSV or .xlsx file itself."),
)
NOT_A_TABLE = "This file is neither a CSV file nor an Excel (.xlsx) workbook."


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    encoding: str  # how a CSV was decoded; blank for XLSX
    header: list[str]
    # (row number as a spreadsheet shows it, the header being row 1; the cells),
    # blank rows left out. A generator: read it once.
    rows: Iterator[tuple[int, list[str]]]


def file_kind(data: bytes) -> str:
    """ "csv" or "xlsx" from the content itself, whatever the file is called."""
    if not data.strip():
        raise ImportFileError("The file is empty.")
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(message)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                expanded = sum(info.file_size for info in archive.infolist())
                shared_strings = sum(
                    info.file_size
                    for info in archive.infolist()
                    if info.filename.lower() == "xl/sharedstrings.xml"
                )
        except zipfile.BadZipFile as error:
            raise ImportFileError("This zip file is damaged; it cannot be read.") from error
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportFileError(
                "This is a zip file but not an Excel (.xlsx) workbook. Upload a CSV or .xlsx file."
            )
        if expanded > MAX_XLSX_UNCOMPRESSED:
            raise ImportFileError("This workbook is too large once unpacked; split it up.")
        if shared_strings > MAX_SHARED_STRINGS_BYTES:
            raise ImportFileError(
                f"This workbook holds more text than an import can take ({LIMITS}). "
                "Remove the very long cells, or split the file."
            )
        return "xlsx"
    if data.startswith(b"\xef\xbb\xbf"):
        return "csv"
    if _BINARY_BYTES.search(data[:65536]):
        raise ImportFileError(NOT_A_TABLE)
    return "csv"


def csv_decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding used: UTF-8 (with or without BOM), else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Latin-1 decodes any byte string: spreadsheets saved by older Excel on Windows.
        return data.decode("latin-1"), "latin-1"


def csv_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the header line into the most columns."""
    first_line = next(iter(text.splitlines()), "")
    best, best_count = ",", 1
    for delimiter in (",", ";", "\t"):
        count = len(next(csv.reader([first_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _csv_records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    try:
        for record in reader:
            yield [cell.strip() for cell in record]
    except csv.Error as error:
        raise ImportFileError(
            f"The CSV file is malformed near line {reader.line_num}: {error}."
        ) from error


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for damaged files
        raise ImportFileError("This Excel workbook is damaged; it cannot be read.") from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def table_open(data: bytes) -> Table:
    """Reads the header; the rows follow lazily. Raises ImportFileError when unusable."""
    kind = file_kind(data)
    if kind == "csv":
        text, encoding = csv_decode(data)
        records = _csv_records(text)
    else:
        encoding = ""
        records = _xlsx_records(data)
    first = next(records, None)
    if first is None or not any(first):
        raise ImportFileError(
            "The first row is empty. It must name the columns, for example: "
            "email, first name, last name, role."
        )
    while first and not first[-1]:
        first.pop()  # spreadsheets often carry empty columns on the right
    _within_limits(first, 1)
    if any(_looks_like_email(cell) for cell in first):
        raise ImportFileError(
            "The first row holds an e-mail address, so the file has no header row. Add a "
            "first row naming the columns, for example: email, first name, last name, role."
        )
    header = [cell[:100] or f"Column {_column_letter(i)}" for i, cell in enumerate(first)]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, record in enumerate(records, start=2):
            while record and not record[-1]:
                record.pop()
            if record:
                _within_limits(record, number)
                yield number, record

    return Table(kind=kind, encoding=encoding, header=header, rows=rows())


def _within_limits(record: list[str], number: int) -> None:
    if len(record) > MAX_COLUMNS:
        raise ImportFileError(
            f"Row {number} has {len(record):,} columns; an import takes {LIMITS}. "
            "Remove the extra columns, or split the file."
        )
    for index, cell in enumerate(record):
        if len(cell) > MAX_CELL_CHARS:
            raise ImportFileError(
                f"The cell in row {number}, column {_column_letter(index)} holds "
                f"{len(cell):,} characters; an import takes {LIMITS}."
            )


def _looks_like_email(value: str) -> bool:
    return "@" in value and " " not in value.strip() and "." in value.rpartition("@")[2]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_label(header: Sequence[str], index: int) -> str:
    return f"{header[index]} (column {_column_letter(index)})"


@dataclass(frozen=True)
class TableSummary:
    kind: str
    encoding: str
    header: list[str]
    total_rows: int


def table_summary(data: bytes) -> TableSummary:
    """Checks a whole upload: readable, a header, 1 to MAX_ROWS data rows, not too big."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    table = table_open(data)
    total = 0
    for _ in table.rows:
        total += 1
        if total > MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} rows of participants; the limit is "
                f"{MAX_ROWS:,}. Split it into smaller files."
            )
    if total == 0:
        raise ImportFileError("The file has a header row but no participants under it.")
    return TableSummary(
        kind=table.kind, encoding=table.encoding, header=table.header, total_rows=total
    )


def table_preview(participant_import: ParticipantImport, rows: int = 5) -> list[list[str]]:
    """The first rows, as wide as the header, for the mapping page."""
    table = table_open(_file_bytes(participant_import))
    width = len(participant_import.header)
    preview = []
    for _, cells in table.rows:
        preview.append((cells + [""] * width)[:width])
        if len(preview) == rows:
            break
    return preview


def _file_bytes(participant_import: ParticipantImport) -> bytes:
    with participant_import.file.open("rb") as handle:
        return handle.read()


# --- Checking rows ---------------------------------------------------------------------


@dataclass
class ValidRow:
    number: int
    email: str
    role: str
    # Only the fields that are mapped and filled in: an empty cell changes nothing.
    values: dict[str, Any]


@dataclass
class RowRules:
    """What a row is checked against, loaded once per check."""

    skills: dict[str, str]  # case-folded → as the programme spells it
    enrolled: set[tuple[str, str]]  # (e-mail in lower case, role) already in the programme
    # E-mails (lower case) of existing accounts that are not members of this organisation:
    # an import must not pull someone else's account in without their consent.
    outsiders: set[str] = field(default_factory=set)
    languages: dict[str, str] = field(default_factory=dict)
    timezones: dict[str, str] = field(default_factory=dict)


def row_rules(programme: Programme) -> RowRules:
    enrolled = {
        (email, role)
        for email, role in Enrolment.objects.filter(programme=programme)
        .annotate(email_lower=Lower("user__email"))
        .values_list("email_lower", "role")
    }
    skills = {
        str(skill).strip().casefold(): str(skill).strip()
        for skill in programme.skills or []
        if str(skill).strip()
    }
    languages: dict[str, str] = {}
    for code, name in LANGUAGES.items():
        languages[code.casefold()] = code
        languages[name.casefold()] = code
        # "Chinese (Mandarin)" is also found as "Chinese" and "Mandarin".
        for part in re.split(r"[()]", name):
            if part.strip():
                languages.setdefault(part.strip().casefold(), code)
    timezones = {name.casefold(): name for name in valid_timezones()}
    outsiders = set(
        User.objects.exclude(memberships__organisation_id=programme.organisation_id)
        .annotate(email_lower=Lower("email"))
        .values_list("email_lower", flat=True)
    )
    return RowRules(
        skills=skills,
        enrolled=enrolled,
        languages=languages,
        timezones=timezones,
        outsiders=outsiders,
    )


_LIST_SPLIT = re.compile(r"\s*[,;|]\s*")
_WHOLE_NUMBER = re.compile(r"^\d{1,4}$")
_ONE_LINE = frozenset({"first_name", "last_name", "job_title", "department"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_LENGTH = {
    "first_name": 150,
    "last_name": 150,
    "job_title": 150,
    "department": 100,
    "goals": MAX_TEXT,
    "bio": MAX_TEXT,
}
ROLES = {"mentor": Enrolment.Role.MENTOR.value, "mentee": Enrolment.Role.MENTEE.value}


def _split(value: str) -> list[str]:
    return [item for item in _LIST_SPLIT.split(value) if item]


def row_check(
    cells: Sequence[str],
    mapping: dict[str, int],
    rules: RowRules,
    seen: dict[tuple[str, str], int],
    number: int,
) -> tuple[ValidRow | None, list[str]]:
    """One row against the rules: the cleaned row, or the reasons it is refused.

    `seen` collects (e-mail, role) of the rows so far, to find duplicates in the file.
    """
    raw = {key: (cells[index] if index < len(cells) else "") for key, index in mapping.items()}
    reasons: list[str] = []
    values: dict[str, Any] = {}

    email = raw.get("email", "").strip().lower()
    if not email:
        reasons.append("Missing e-mail address")
    else:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            reasons.append(f"Invalid e-mail address “{raw['email'][:80]}”")
            email = ""

    role_text = raw.get("role", "").strip().lower()
    role = ROLES.get(role_text, "")
    if not role:
        reasons.append(
            f"Role must be mentor or mentee, not “{raw.get('role', '')[:40]}”"
            if role_text
            else "Missing role (mentor or mentee)"
        )

    for key, limit in _MAX_LENGTH.items():
        text = raw.get(key, "").strip()
        if len(text) > limit:
            reasons.append(f"{FIELD_LABELS[key]} is longer than {limit} characters")
        elif key in _ONE_LINE and _CONTROL.search(text):
            # A name goes into e-mail subjects and headers: one line, printable.
            reasons.append(f"{FIELD_LABELS[key]} must be on one line")
        elif text:
            values[key] = text

    zone = raw.get("timezone", "").strip()
    if zone:
        if zone.casefold() in rules.timezones:
            values["timezone"] = rules.timezones[zone.casefold()]
        else:
            reasons.append(f"Unknown timezone “{zone[:60]}” (use a name like Europe/London)")

    languages = _split(raw.get("languages", ""))
    if languages:
        unknown = [name for name in languages if name.casefold() not in rules.languages]
        if unknown:
            reasons.append("Unknown language " + ", ".join(f"“{name[:40]}”" for name in unknown))
        else:
            values["languages"] = list(
                dict.fromkeys(rules.languages[name.casefold()] for name in languages)
            )

    skills = _split(raw.get("skills", ""))
    if skills:
        unknown = [name for name in skills if name.casefold() not in rules.skills]
        if unknown:
            reasons.append(
                "Unknown skill "
                + ", ".join(f"“{name[:40]}”" for name in unknown)
                + " (not in this programme's skills)"
            )
        else:
            values["skills"] = list(dict.fromkeys(rules.skills[name.casefold()] for name in skills))

    for key, low, high, message in (
        ("capacity", 0, 20, "Mentor capacity must be a whole number from 0 to 20"),
        ("seniority", 0, 80, "Seniority must be a whole number of years from 0 to 80"),
    ):
        text = raw.get(key, "").strip()
        if text:
            if _WHOLE_NUMBER.match(text) and low <= int(text) <= high:
                values[key] = int(text)
            else:
                reasons.append(f"{message}, not “{text[:20]}”")

    if email and role:
        earlier = seen.get((email, role))
        if earlier is not None:
            reasons.append(f"Duplicate of row {earlier} (same e-mail address and role)")
        else:
            seen[(email, role)] = number
            if (email, role) in rules.enrolled:
                reasons.append(f"Already enrolled in this programme as a {role}")
    if email and email in rules.outsiders:
        reasons.append(
            "This person already has an OpenMentor account outside your organisation; "
            "invite them to the programme instead, so they can accept"
        )

    if reasons:
        return None, reasons
    return ValidRow(number=number, email=email, role=role, values=values), []


@dataclass
class CheckResult:
    valid: list[ValidRow]
    rejected_count: int
    report: str  # CSV: row number, the original columns, the reason


def rows_check(
    *, data: bytes, header: list[str], mapping: dict[str, int], programme: Programme
) -> CheckResult:
    """Checks every row of the file; writes nothing."""
    from openmentor.programmes.participants.exporting import neutralise

    rules = row_rules(programme)
    table = table_open(data)
    seen: dict[tuple[str, str], int] = {}
    valid: list[ValidRow] = []
    report = io.StringIO()
    writer = csv.writer(report)
    writer.writerow(["Row", *[neutralise(name) for name in header], "Reason"])
    rejected = 0
    width = len(header)
    for number, cells in table.rows:
        row, reasons = row_check(cells, mapping, rules, seen, number)
        if row is None:
            rejected += 1
            padded = (cells + [""] * width)[:width]
            writer.writerow([number, *[neutralise(c) for c in padded], "; ".join(reasons)])
        else:
            valid.append(row)
    return CheckResult(valid=valid, rejected_count=rejected, report=report.getvalue())


def rejected_rows(
    participant_import: ParticipantImport, limit: int = SHOWN_REJECTIONS
) -> list[tuple[str, str]]:
    """(row number, reason) of the first refused rows, read back from the stored report."""
    if not participant_import.rejected_report:
        return []
    reader = csv.reader(io.StringIO(participant_import.rejected_report))
    next(reader, None)
    out = []
    for record in reader:
        out.append((record[0], record[-1]))
        if len(out) == limit:
            break
    return out


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
        data=_file_bytes(participant_import),
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
    from openmentor.programmes.services import programme_require

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
    from openmentor.programmes.services import programme_require

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
        data=_file_bytes(participant_import),
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
                kind="participants.imported",
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


# --- Selectors (scoped to the organisation and the programme) ---------------------------


def import_programme(*, organisation: Organisation, programme_slug: str) -> Programme:
    programme = Programme.objects.filter(organisation=organisation, slug=programme_slug).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


def programme_imports(*, programme: Programme) -> QuerySet[ParticipantImport]:
    return (
        ParticipantImport.objects.filter(
            organisation_id=programme.organisation_id, programme=programme
        )
        .select_related("uploaded_by")
        .defer("rejected_report")
    )


def programme_import(*, programme: Programme, import_id: int) -> ParticipantImport:
    participant_import = (
        ParticipantImport.objects.filter(
            organisation_id=programme.organisation_id, programme=programme, pk=import_id
        )
        .select_related("programme", "uploaded_by")
        .first()
    )
    if participant_import is None:
        raise Http404("No such import")
    return participant_import


def _register_work_kind() -> None:
    from openmentor.core.leases import WorkKind, work_kind

    work_kind(
        WorkKind(name="participant_import", running=_running_imports, give_up=_import_give_up)
    )


_register_work_kind()
