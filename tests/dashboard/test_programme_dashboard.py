"""The programme dashboard: known figures in, the same figures on the page and in each export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from openmentor.feedback.models import Checkin, MeetingFeedback
from openmentor.mentorships.models import Activity, Mentorship, RematchRequest
from openmentor.organisations.models import Invitation, Membership, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for, make_tenant
from tests.factories import GoalFactory, MeetingFactory, MentorshipFactory
from tests.scenarios import EnrollingProgramme, enrolling_programme

pytestmark = pytest.mark.django_db


def dashboard_url(programme: Programme, **query: str) -> str:
    base = reverse("programme_dashboard", args=[programme.organisation.slug, programme.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(programme: Programme, table: str, fmt: str, query: str = "") -> str:
    base = reverse(
        "programme_dashboard_export",
        args=[programme.organisation.slug, programme.slug, table, fmt],
    )
    return base + (f"?{query}" if query else "")


def seeded(tenant: Tenant) -> tuple[EnrollingProgramme, dict[str, Any]]:
    """4 mentors, 10 mentees; 3 invitations; 6 pairs (1 ended for schedules); meetings,
    ratings, NPS and goals with known figures."""
    scenario = enrolling_programme(tenant.organisation, mentors=4, mentees=10)
    programme = scenario.programme
    now = timezone.now()
    for n, email in enumerate(("a@example.com", "b@example.com", "a@example.com")):
        Invitation.objects.create(
            revoked_at=now if n == 0 else None,
            organisation=tenant.organisation,
            email=email,
            role=Role.PARTICIPANT,
            token_hash=f"hash-{Invitation.objects.count()}",
            expires_at=now + dt.timedelta(days=14),
            programme=programme,
            programme_role="mentee",
        )
    Profile.objects.filter(user__in=[e.user for e in scenario.mentees[:3]]).update(completeness=100)
    pairs = []
    for i in range(6):
        mentee = scenario.mentees[i]
        Enrolment.objects.filter(pk=mentee.pk).update(
            matched_at=mentee.created_at + dt.timedelta(days=2 + 2 * (i % 2))
        )
        pairs.append(
            MentorshipFactory(
                programme=programme,
                mentor=scenario.mentors[i % 4].user,
                mentee=mentee.user,
                status=Mentorship.Status.ENDED if i == 5 else Mentorship.Status.ACTIVE,
                started_at=now - dt.timedelta(days=60),
                ended_at=now - dt.timedelta(days=3) if i == 5 else None,
                end_reason="schedule" if i == 5 else "",
            )
        )
    held = now - dt.timedelta(days=10)
    for n, (pair, source) in enumerate(
        [(pairs[0], "call"), (pairs[1], "call"), (pairs[2], "logged"), (pairs[0], "call")]
    ):
        Activity.objects.create(
            programme=programme,
            mentorship=pair,
            kind=Activity.Kind.MEETING_HELD,
            occurred_at=held + dt.timedelta(hours=n),
            key=f"held:{n}",
            data={"source": source},
        )
    Activity.objects.create(
        programme=programme,
        mentorship=pairs[3],
        kind=Activity.Kind.MEETING_MISSED,
        occurred_at=held,
        key="missed:1",
        data={"source": "reported"},
    )
    for rating in (4, 4, 5, 3, 4):
        MeetingFeedback.objects.create(
            meeting=MeetingFactory(mentorship=pairs[0], starts_at=held),
            mentorship=pairs[0],
            author=pairs[0].mentee,
            rating=rating,
            requested_at=held,
            answered_at=held + dt.timedelta(hours=1),
        )
    for k, nps in enumerate((10, 10, 9, 5, 8)):
        Checkin.objects.create(
            mentorship=pairs[k],
            author=pairs[k].mentee,
            survey=Checkin.Survey.CLOSING,
            opened_at=held,
            answered_at=held + dt.timedelta(hours=2),
            nps=nps,
            rating=4,
        )
    for k, (comfortable, fit) in enumerate([(True, "yes")] * 4 + [(False, "no"), (True, "no")]):
        Checkin.objects.create(
            mentorship=pairs[k % 5],
            author=pairs[k % 5].mentor if k < 5 else pairs[0].mentee,
            survey=Checkin.Survey.PULSE,
            opened_at=held,
            answered_at=held + dt.timedelta(hours=3),
            comfortable=comfortable,
            fit=fit,
        )
    GoalFactory(mentorship=pairs[0], progress=100, reached_at=now)
    GoalFactory(mentorship=pairs[1], progress=50)
    RematchRequest.objects.create(
        programme=programme,
        requester=pairs[5].mentee,
        role="mentee",
        previous_mentorship=pairs[5],
    )
    figures = {"now": now, "pairs": pairs}
    return scenario, figures


def rows_of(page_html: str, table: str) -> str:
    start = page_html.index(f'id="{table}"')
    return page_html[start : page_html.index("</section>", start)]


def test_each_figure_of_a_seeded_programme(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    now = figures["now"]
    client = client_for(scenario.manager)
    page = client.get(dashboard_url(scenario.programme))
    assert page.status_code == 200
    report = page.context["report"]
    funnel = {row[0]: row[1] for row in report.table("funnel").rows}
    # 2 distinct invited e-mails + 14 enrolled by a manager (not through an invitation).
    assert funnel == {
        "Invited or joined by link": 16,
        "Signed up": 14,
        "Profile complete": 3,
        "Matched": 10,  # 6 mentees and 4 mentors
        "First meeting held": 6,  # pairs 0, 1, 2 met: mentees and mentors 0, 1, 2
        "Active (met in the last 30 days)": 6,
    }
    matching = dict(report.table("matching").rows)
    assert matching["Mentees signed up"] == 10 and matching["Mentees matched"] == 6
    assert matching["Match rate"] == "60 %" and matching["Median days to match"] == "3.0"
    # Every week of the 26 is listed; the one the four meetings fell in holds them all.
    weeks = report.table("meetings").rows
    held_week = (now - dt.timedelta(days=10)).date()
    held_week -= dt.timedelta(days=held_week.weekday())
    assert len(weeks) in (26, 27) and [held_week.isoformat(), 3, 1] in weeks
    assert all(r[1:] == [0, 0] for r in weeks if r[0] != held_week.isoformat())
    attendance = dict(report.table("attendance").rows)
    assert (attendance["Meetings held"], attendance["Meetings missed"]) == (4, 1)
    assert attendance["Attendance"] == "80 %"
    ratings = [r for r in report.table("ratings").rows if r[1]]
    assert len(ratings) == 1 and ratings[0][1:] == [5, 4.0, 5, 40]
    goals = dict(report.table("goals").rows)
    assert (goals["Goals set"], goals["Goals reached"], goals["Average progress"]) == (
        2,
        1,
        "75 %",
    )
    checkins = {r[0]: r[1:] for r in report.table("checkins").rows}
    # Closing: five answers, none asked about comfort; pulse: 5 of 6 comfortable, 2 "no".
    assert checkins == {"Closing survey": [5, "too few to show", 0], "Pulse": [6, "83 %", 2]}
    assert dict(report.table("rematches").rows) == {"Waiting": 1, "Resolved": 0, "Withdrawn": 0}
    health = dict(report.table("health").rows)
    # Pair 0 met twice ten days ago (thriving), pairs 1 and 2 once (steady); pairs 3 (a
    # meeting missed) and 4 have not met in the 60 days since they started (at risk).
    assert health == {
        "At risk": 2,
        "Inactive": 0,
        "Steady": 2,
        "Too early to tell": 0,
        "Thriving": 1,
    }
    assert len(report.at_risk) == 2
    # One ending: its reason would point at the pair, so no reason is counted.
    endings = dict(report.table("endings").rows)
    assert set(endings.values()) == {"too few to show"}
    html = page.content.decode()
    assert "4.0" in rows_of(html, "ratings") and "80 %" in rows_of(html, "attendance")
    assert "1 mentorship ended; reasons are shown from 5 endings." in html
    assert html.count("<svg") >= 4 and "@media print" not in html


def test_ending_reasons_are_counted_from_five_endings(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    ended = figures["now"] - dt.timedelta(days=2)
    reasons = ["schedule", "schedule", "goals_met", "other"]
    for pair, reason in zip(figures["pairs"][:4], reasons, strict=True):
        Mentorship.objects.filter(pk=pair.pk).update(
            status=Mentorship.Status.ENDED, ended_at=ended, end_reason=reason
        )
    page = client_for(scenario.manager).get(dashboard_url(scenario.programme))
    table = page.context["report"].table("endings")
    endings = dict(table.rows)
    assert endings["Our schedules did not fit"] == 3 and sum(endings.values()) == 5
    assert table.takeaway == (
        "5 mentorships ended; the most common reason was “Our schedules did not fit” (3)."
    )


def test_ratings_under_five_are_not_shown(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    MeetingFeedback.objects.filter(rating=3).delete()
    Checkin.objects.filter(nps=5).delete()
    page = client_for(scenario.manager).get(dashboard_url(scenario.programme))
    rows = [r for r in page.context["report"].table("ratings").rows if r[1]]
    assert rows[0][1:] == [4, "too few to show", 4, "too few to show"]
    assert "too few closing surveys for an NPS" in page.content.decode()


def test_cohort_and_date_range_filter(tenant: Tenant) -> None:
    scenario, figures = seeded(tenant)
    early = scenario.mentees[6]
    Enrolment.objects.filter(pk=early.pk).update(created_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC))
    client = client_for(scenario.manager)
    page = client.get(dashboard_url(scenario.programme, cohort="2024-Q1"))
    assert page.status_code == 200
    funnel = {row[0]: row[1] for row in page.context["report"].table("funnel").rows}
    assert funnel["Signed up"] == 1 and funnel["Matched"] == 0
    # A range before any meeting: none held, none rated.
    page = client.get(dashboard_url(scenario.programme, start="2024-01-01", end="2024-03-31"))
    attendance = dict(page.context["report"].table("attendance").rows)
    assert attendance["Meetings held"] == 0
    assert "No meeting was held in this period." in page.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=yesterday", "Enter the start as a date"),
        ("end=2026-13-40", "Enter the end as a date"),
        ("start=2026-05-01&end=2026-04-01", "The end must be on or after the start."),
        ("start=2010-01-01&end=2026-01-01", "at most three years"),
        ("cohort=1999-Q9", "Choose one of the listed cohorts."),
    ],
)
def test_bad_filters_are_refused_with_a_message(tenant: Tenant, query: str, message: str) -> None:
    scenario, _ = seeded(tenant)
    client = client_for(scenario.manager)
    page = client.get(dashboard_url(scenario.programme) + "?" + query)
    assert page.status_code == 400 and message in page.content.decode()
    export = client.get(export_url(scenario.programme, "funnel", "csv", query))
    assert export.status_code == 400 and message in export.content.decode()


def test_bounded_queries_whatever_the_size(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    scenario, figures = seeded(tenant)
    client = client_for(scenario.manager)
    with django_assert_max_num_queries(30) as small:
        client.get(dashboard_url(scenario.programme))
    more = enrolling_programme(tenant.organisation, mentors=10, mentees=30)
    Enrolment.objects.filter(programme=more.programme).update(programme=scenario.programme)
    for i, mentee in enumerate(more.mentees):
        pair = MentorshipFactory(
            programme=scenario.programme,
            mentor=more.mentors[i % 10].user,
            mentee=mentee.user,
            status=Mentorship.Status.ACTIVE,
            started_at=figures["now"] - dt.timedelta(days=30),
        )
        Activity.objects.create(
            programme=scenario.programme,
            mentorship=pair,
            kind=Activity.Kind.MEETING_HELD,
            occurred_at=figures["now"] - dt.timedelta(days=5),
            key=f"more:{i}",
        )
        GoalFactory(mentorship=pair)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(dashboard_url(scenario.programme))
    assert page.status_code == 200


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owners_and_managers_see_it(tenant: Tenant, role: str) -> None:
    scenario, _ = seeded(tenant)
    member = tenant.owner if role == Role.OWNER else tenant.manager
    assert client_for(member).get(dashboard_url(scenario.programme)).status_code == 200


def test_participants_and_other_organisations_do_not(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    mentee = Membership.objects.get(organisation=tenant.organisation, user=scenario.mentees[0].user)
    assert client_for(mentee).get(dashboard_url(scenario.programme)).status_code == 403
    other = make_tenant("Globex")
    outsider = client_for(other.owner)
    assert outsider.get(dashboard_url(scenario.programme)).status_code == 404
    assert outsider.get(export_url(scenario.programme, "funnel", "csv")).status_code == 404
    # Their own organisation's address with our programme's slug is a 404 too.
    theirs = reverse("programme_dashboard", args=[other.organisation.slug, scenario.programme.slug])
    assert outsider.get(theirs).status_code == 404


def test_every_table_exports_to_csv_and_xlsx(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    client: Client = client_for(scenario.manager)
    report = client.get(dashboard_url(scenario.programme)).context["report"]
    for table in report.tables:
        response = client.get(export_url(scenario.programme, table.key, "csv"))
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        read = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert read[0] == table.columns
        assert read[1:] == [[str(cell) for cell in row] for row in table.rows]
        response = client.get(export_url(scenario.programme, table.key, "xlsx"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert values[0] == table.columns and len(values) == len(table.rows) + 1


def test_exports_neutralise_formulas(tenant: Tenant) -> None:
    from openmentor.dashboard.programme_report import Table
    from openmentor.dashboard.report_exports import table_csv, table_xlsx

    table = Table("t", "T", ["=cmd", "B"], [['=HYPERLINK("x")', "+1\x07"], ["@a", 3]], "")
    text = table_csv(table).decode("utf-8-sig")
    assert "'=cmd" in text and "'=HYPERLINK" in text and "'@a" in text
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values == [["'=cmd", "B"], ['\'=HYPERLINK("x")', "'+1"], ["'@a", 3]]


@pytest.mark.parametrize(
    ("table", "fmt"), [("nothing", "csv"), ("funnel", "pdf"), ("funnel", "exe")]
)
def test_unknown_table_or_format_is_a_404(tenant: Tenant, table: str, fmt: str) -> None:
    scenario, _ = seeded(tenant)
    response = client_for(scenario.manager).get(export_url(scenario.programme, table, fmt))
    assert response.status_code == 404


def test_a_post_is_refused(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    client = client_for(scenario.manager)
    assert client.post(dashboard_url(scenario.programme)).status_code == 405
    assert client.post(export_url(scenario.programme, "funnel", "csv")).status_code == 405
