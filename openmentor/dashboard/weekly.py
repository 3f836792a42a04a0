"""The weekly report: on Monday mornings each member of an organisation's programme team
gets one e-mail with the last seven days of every programme that is not closed, and the
pairs at risk. Once per person per week, whatever the ticks, workers or retries: the
`WeeklyReportSent` row is claimed in the transaction that queues the e-mail. Opt out
with the "weekly report" notification preference (or its one-click unsubscribe link)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from openmentor.core.email import email_send
from openmentor.dashboard.models import WeeklyReportSent
from openmentor.dashboard.programme_report import Filters, programme_report
from openmentor.notifications.models import Category, EmailChoice, NotificationPreference
from openmentor.notifications.services import unsubscribe_url
from openmentor.organisations.models import MANAGING_ROLES, Membership, Organisation
from openmentor.programmes.models import Programme

AT_RISK_LISTED = 10
WEEK_KEYS = ("funnel", "attendance", "health")


@dataclass
class ProgrammeWeek:
    name: str
    url: str
    lines: list[str] = field(default_factory=list)
    at_risk: list[Any] = field(default_factory=list)
    at_risk_more: int = 0


def _week_of(programme: Programme, now: dt.datetime) -> ProgrammeWeek:
    """The last seven days of one programme: meetings, sign-ups, health, the pairs at risk."""
    end = now.date() - dt.timedelta(days=1)
    report = programme_report(
        programme=programme,
        filters=Filters(start=end - dt.timedelta(days=6), end=end),
        now=now,
        only=WEEK_KEYS,
    )
    attendance = dict(report.table("attendance").rows)
    funnel = {row[0]: row[1] for row in report.table("funnel").rows}
    health = report.table("health")
    path = reverse("programme_dashboard", args=[programme.organisation.slug, programme.slug])
    return ProgrammeWeek(
        name=programme.name,
        url=settings.SITE_URL + path,
        lines=[
            f"{attendance['Meetings held']} meetings held, {attendance['Meetings missed']} "
            f"missed (attendance {attendance['Attendance']})",
            f"{funnel['Signed up']} people signed up in all, {funnel['Matched']} matched, "
            f"{funnel['Active (met in the last 30 days)']} met in the last 30 days",
            health.takeaway,
        ],
        at_risk=health.details[:AT_RISK_LISTED],
        at_risk_more=max(0, len(health.details) - AT_RISK_LISTED),
    )


def _recipients(organisation: Organisation) -> list[Membership]:
    opted_out = NotificationPreference.objects.filter(
        organisation=organisation, category=Category.REPORTS, email=EmailChoice.OFF
    ).values("user_id")
    return list(
        Membership.objects.filter(organisation=organisation, role__in=MANAGING_ROLES)
        .exclude(user_id__in=opted_out)
        .select_related("user")
        .order_by("pk")
    )


def weekly_reports_send(*, now: dt.datetime) -> int:
    """Queues the week's report to every programme team member who has not had it this
    week and has not opted out; returns how many e-mails were queued."""
    week = now.date() - dt.timedelta(days=now.weekday())
    sent = 0
    organisations = Organisation.objects.filter(
        pk__in=Programme.objects.exclude(status=Programme.Status.CLOSED).values("organisation_id")
    ).order_by("pk")
    for organisation in organisations:
        recipients = _recipients(organisation)
        if not recipients:
            continue
        programmes = [
            _week_of(programme, now)
            for programme in Programme.objects.filter(organisation=organisation)
            .exclude(status=Programme.Status.CLOSED)
            .select_related("organisation")
            .order_by("name")
        ]
        for membership in recipients:
            sent += _send_one(organisation, membership, week, programmes)
    return sent


def _send_one(
    organisation: Organisation,
    membership: Membership,
    week: dt.date,
    programmes: list[ProgrammeWeek],
) -> int:
    user = membership.user
    try:
        with transaction.atomic():
            WeeklyReportSent.objects.create(organisation=organisation, user=user, week=week)
            leave = unsubscribe_url(
                organisation_id=organisation.pk, user_id=user.pk, category=Category.REPORTS
            )
            email_send(
                to=[user.email],
                subject=f"{organisation.name}: your programmes' week to {week:%d %B}",
                template="dashboard/email/weekly_report",
                context={
                    "name": user.name,
                    "organisation_name": organisation.name,
                    "programmes": programmes,
                    "unsubscribe_url": leave,
                    "category_label": Category.REPORTS.label,
                    "notifications_url": settings.SITE_URL
                    + reverse("notification_list", args=[organisation.slug]),
                },
                headers={
                    "List-Unsubscribe": f"<{leave}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
    except IntegrityError:
        return 0  # already sent this week (another worker, a retry, a second tick)
    return 1
