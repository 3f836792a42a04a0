"""What every table of the programme dashboard is built from: the filters, the scope they
select (querysets, no query run yet) and the `Table` each builder returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from openmentor.mentorships.models import Activity, Mentorship
from openmentor.organisations.models import Invitation
from openmentor.programmes.models import Enrolment, Programme

# A figure from ratings, NPS or check-in answers (and a self-identified group) is shown
# only over at least this many people or answers (docs/decisions/0003).
MIN_GROUP = 5
SIGNED_UP = (Enrolment.Status.ACTIVE, Enrolment.Status.PENDING)


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    cohort: str = ""  # "" for everyone, else "YYYY-Qn"

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


@dataclass
class Table:
    key: str  # the export's name: letters and underscores
    title: str
    columns: list[str]
    rows: list[list[Any]]
    takeaway: str
    chart: SafeString = field(default_factory=lambda: SafeString(""))
    note: str = ""
    # Rows shown under the table that are not exported (the at-risk list under health).
    details: list[Any] = field(default_factory=list)


def quarter_bounds(cohort: str) -> tuple[dt.datetime, dt.datetime]:
    year, quarter = int(cohort[:4]), int(cohort[-1])
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=dt.UTC)
    end = (
        dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
        if quarter == 4
        else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=dt.UTC)
    )
    return start, end


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "—"


@dataclass
class Scope:
    """The rows the filters select, as querysets; builders aggregate over them.

    `memo` lets two tables that read one query (meetings and attendance) share it when
    both are built, while an export builds only its own.
    """

    programme: Programme
    filters: Filters
    now: dt.datetime
    enrolments: QuerySet[Enrolment]
    invitations: QuerySet[Invitation]
    mentorships: QuerySet[Mentorship]
    activities: QuerySet[Activity]
    memo: dict[str, Any] = field(default_factory=dict)


def report_scope(*, programme: Programme, filters: Filters, now: dt.datetime) -> Scope:
    """The cohort's people, invitations, mentorships (by the mentee's cohort) and activity."""
    enrolments = Enrolment.objects.filter(programme=programme, status__in=SIGNED_UP)
    invitations = Invitation.objects.filter(programme=programme)
    mentorships = Mentorship.objects.filter(programme=programme)
    activities = Activity.objects.filter(programme=programme)
    if filters.cohort:
        low, high = quarter_bounds(filters.cohort)
        enrolments = enrolments.filter(created_at__gte=low, created_at__lt=high)
        invitations = invitations.filter(created_at__gte=low, created_at__lt=high)
        mentorships = mentorships.filter(
            mentee_id__in=enrolments.filter(role=Enrolment.Role.MENTEE).values("user_id")
        )
        activities = activities.filter(mentorship_id__in=mentorships.values("pk"))
    return Scope(programme, filters, now, enrolments, invitations, mentorships, activities)
