"""Checking the rows of an import against a programme: every rule a row must meet before
anything is written, and the report of the refused rows (row number and reason)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from openmentor.accounts.models import User
from openmentor.people.services import LANGUAGES
from openmentor.people.timezones import valid_timezones
from openmentor.programmes.imports.reading import FIELD_LABELS, table_open
from openmentor.programmes.models import Enrolment, Programme

MAX_TEXT = 5000


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
