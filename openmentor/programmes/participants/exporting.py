"""Export of a programme's participants to CSV and XLSX, safe to open in a spreadsheet.

Any text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
carriage return) is written with a leading single quote, so a job title someone typed
as `=HYPERLINK(...)` stays text (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The header names are ones the importer recognises, so an export can be imported back.
COLUMNS = (
    "Email",
    "First name",
    "Last name",
    "Role",
    "Status",
    "Job title",
    "Department",
    "Timezone",
    "Languages",
    "Skills",
    "Goals",
    "Bio",
    "Capacity",
    "Seniority",
    "Source",
    "Enrolled on",
)
FORMATS = ("csv", "xlsx")


def neutralise(value: Any) -> Any:
    """Prefixes text a spreadsheet would treat as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def participant_rows(*, programme: Programme) -> Iterator[list[Any]]:
    """One list of cells per enrolment, in COLUMNS order; two queries in all."""
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(
            organisation_id=programme.organisation_id, user__enrolments__programme=programme
        )
    }
    enrolments = (
        Enrolment.objects.filter(programme=programme)
        .select_related("user")
        .order_by("role", "user__email")
    )
    for enrolment in enrolments.iterator(chunk_size=2000):
        user = enrolment.user
        profile = profiles.get(user.pk) or Profile()
        skills = (
            profile.skills_offered
            if enrolment.role == Enrolment.Role.MENTOR
            else profile.skills_wanted
        )
        yield [
            user.email,
            user.first_name,
            user.last_name,
            enrolment.role,
            enrolment.get_status_display(),
            profile.job_title,
            profile.department,
            profile.timezone,
            ", ".join(profile.languages or []),
            ", ".join(skills or []),
            profile.goals,
            profile.bio,
            profile.mentor_capacity if enrolment.role == Enrolment.Role.MENTOR else None,
            profile.seniority_years,
            enrolment.get_source_display(),
            enrolment.created_at.date().isoformat(),
        ]


def participants_csv(*, programme: Programme) -> bytes:
    """UTF-8 with a byte order mark, which Excel needs to read non-English names right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in participant_rows(programme=programme):
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def participants_xlsx(*, programme: Programme) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Participants")
    sheet.append(list(COLUMNS))
    for row in participant_rows(programme=programme):
        # openpyxl refuses control characters that XML cannot hold; drop them.
        sheet.append(
            [
                neutralise(ILLEGAL_CHARACTERS_RE.sub("", cell)) if isinstance(cell, str) else cell
                for cell in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
