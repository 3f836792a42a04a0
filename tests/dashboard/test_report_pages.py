"""Cohorts side by side, diversity and inclusion, the owner's overview, and each page as
PDF: known figures in, the same figures out; who may see them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from openmentor.dashboard.services import health_snapshot_refresh
from openmentor.matching.models import MatchingRun
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.organisations.models import Membership
from openmentor.people.models import SelfIdentification
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for, make_tenant
from tests.dashboard.test_programme_dashboard import seeded
from tests.factories import MentorshipFactory, ProgrammeFactory
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def page_url(programme: Programme, name: str, query: str = "") -> str:
    url = reverse(name, args=[programme.organisation.slug, programme.slug])
    return url + (f"?{query}" if query else "")


def pdf_url(programme: Programme, page: str, query: str = "") -> str:
    url = reverse(
        "programme_dashboard_export",
        args=[programme.organisation.slug, programme.slug, page, "pdf"],
    )
    return url + (f"?{query}" if query else "")


def columns_of(table: Any) -> dict[str, dict[str, Any]]:
    """{group: {figure: value}} of a side-by-side table."""
    return {
        group: {row[0]: row[i + 1] for row in table.rows}
        for i, group in enumerate(table.columns[1:])
    }


def test_cohorts_side_by_side(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    for mentee in scenario.mentees[6:8]:  # two unmatched mentees enrolled in 2024-Q1
        Enrolment.objects.filter(pk=mentee.pk).update(
            created_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
        )
    health_snapshot_refresh(programme=scenario.programme, now=timezone.now())
    page = client_for(scenario.manager).get(page_url(scenario.programme, "programme_cohorts"))
    assert page.status_code == 200
    table = page.context["report"].table("cohorts")
    now = timezone.now()
    current = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    assert table.columns == ["Cohort", "2024-Q1", current]
    cohorts = columns_of(table)
    assert cohorts["2024-Q1"] == {
        "People signed up": 2,
        "Mentees": 2,
        "Match rate": "0 %",
        "Open mentorships": 0,
        "At risk": "—",
        "Meetings held": 0,
        "Meetings per mentorship": "—",
        "Attendance": "—",
        "Average meeting rating": "too few to show",
    }
    assert cohorts[current] == {
        "People signed up": 12,  # 4 mentors and 8 mentees
        "Mentees": 8,
        "Match rate": "75 %",
        "Open mentorships": 5,
        "At risk": 2,
        "Meetings held": 4,
        "Meetings per mentorship": "0.7",  # 4 meetings over 6 mentorships
        "Attendance": "80 %",
        "Average meeting rating": 4.0,
    }
    assert table.takeaway == f"The match rate runs from 0 % (2024-Q1) to 75 % ({current})."
    assert "<svg" in str(table.chart)


def test_diversity_by_group_suppresses_small_groups(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    organisation = tenant.organisation
    women = [scenario.mentees[i] for i in (0, 1, 2, 3, 6)]  # 4 of 5 matched
    men = [scenario.mentees[i] for i in (4, 5, 7, 8, 9)]  # 2 of 5 matched
    for enrolment, gender in [(e, "woman") for e in women] + [(e, "man") for e in men]:
        SelfIdentification.objects.create(
            organisation=organisation, user=enrolment.user, gender=gender
        )
    for mentor in scenario.mentors:  # four: fewer than five, never shown
        SelfIdentification.objects.create(
            organisation=organisation, user=mentor.user, gender="non_binary"
        )
    MatchingRun.objects.create(
        programme=scenario.programme,
        status=MatchingRun.Status.DONE,
        finished_at=timezone.now(),
        result={"fairness": {"gender": {"disparate_impact": 0.91}}},
    )
    page = client_for(scenario.manager).get(page_url(scenario.programme, "programme_diversity"))
    assert page.status_code == 200
    table = page.context["report"].table("diversity_gender")
    rows = {row[0]: row[1:] for row in table.rows}
    # Every mentee meeting and rating was the women's (pairs 0–2, the five ratings).
    assert rows["Woman"] == ["5–9", "80 %", "—", "4.0"]
    assert rows["Man"] == ["5–9", "40 %", "—", "—"]
    assert rows["Non-binary"] == ["fewer than 5: not shown", "—", "—", "—"]
    assert rows["Another gender"][0] == "fewer than 5: not shown"  # nobody: same words
    assert rows["Impact ratio of match rates"][0] == "0.50"
    assert rows["Matching fairness audit (latest run)"][0] == "0.91"
    assert "under the four-fifths rule" in table.takeaway
    # Nobody answered the other attributes: every group is suppressed, no ratio.
    ethnicity = page.context["report"].table("diversity_ethnicity")
    assert all(row[1] in ("fewer than 5: not shown", "—") for row in ethnicity.rows)


def test_diversity_reveals_no_exact_count_of_a_small_group(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    for enrolment in scenario.mentees[:4]:
        SelfIdentification.objects.create(
            organisation=tenant.organisation, user=enrolment.user, gender="woman"
        )
    html = (
        client_for(scenario.manager)
        .get(page_url(scenario.programme, "programme_diversity"))
        .content.decode()
    )
    section = html[html.index('id="diversity_gender"') :]
    section = section[: section.index("</section>")]
    assert "fewer than 5: not shown" in section and "80 %" not in section
    assert ">4<" not in section


@pytest.mark.parametrize("name", ["programme_cohorts", "programme_diversity"])
def test_pages_refuse_participants_and_other_organisations(tenant: Tenant, name: str) -> None:
    scenario, _ = seeded(tenant)
    mentee = Membership.objects.get(organisation=tenant.organisation, user=scenario.mentees[0].user)
    assert client_for(mentee).get(page_url(scenario.programme, name)).status_code == 403
    other = make_tenant("Globex")
    assert client_for(other.owner).get(page_url(scenario.programme, name)).status_code == 404
    assert client_for(scenario.manager).post(page_url(scenario.programme, name)).status_code == 405
    bad = client_for(scenario.manager).get(page_url(scenario.programme, name, "start=soon"))
    assert bad.status_code == 400 and "Enter the start as a date" in bad.content.decode()


@pytest.mark.parametrize("name", ["programme_cohorts", "programme_diversity"])
def test_pages_run_a_bounded_number_of_queries(
    tenant: Tenant, name: str, django_assert_max_num_queries: Any
) -> None:
    scenario, figures = seeded(tenant)
    client = client_for(scenario.manager)
    with django_assert_max_num_queries(40) as small:
        assert client.get(page_url(scenario.programme, name)).status_code == 200
    # Thirty more pairs, in another cohort, with meetings, ratings and self-identification.
    more = enrolling_programme(tenant.organisation, mentors=10, mentees=30)
    Enrolment.objects.filter(programme=more.programme).update(
        programme=scenario.programme, created_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    )
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
        SelfIdentification.objects.create(
            organisation=tenant.organisation, user=mentee.user, gender=("woman", "man")[i % 2]
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(page_url(scenario.programme, name)).status_code == 200


def test_the_owner_sees_every_programme_side_by_side(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    ProgrammeFactory(organisation=tenant.organisation, name="Zebra circle")
    health_snapshot_refresh(programme=scenario.programme, now=timezone.now())
    url = reverse("programmes_overview", args=[tenant.organisation.slug])
    page = client_for(tenant.owner).get(url)
    assert page.status_code == 200
    programmes = columns_of(page.context["report"].tables[0])
    assert list(programmes) == [scenario.programme.name, "Zebra circle"]
    assert programmes[scenario.programme.name]["People signed up"] == 14
    assert programmes[scenario.programme.name]["Match rate"] == "60 %"
    assert programmes[scenario.programme.name]["At risk"] == 2
    assert programmes["Zebra circle"]["Mentees"] == 0
    assert programmes["Zebra circle"]["At risk"] == "—"
    export = client_for(tenant.owner).get(
        reverse("programmes_overview_csv", args=[tenant.organisation.slug])
    )
    assert export.status_code == 200 and "Zebra circle" in export.content.decode("utf-8-sig")


def test_the_overview_is_for_owners_only(tenant: Tenant) -> None:
    seeded(tenant)
    url = reverse("programmes_overview", args=[tenant.organisation.slug])
    assert client_for(tenant.manager).get(url).status_code == 403
    assert client_for(tenant.participant).get(url).status_code == 403
    assert client_for(make_tenant("Globex").owner).get(url).status_code == 404
    export = reverse("programmes_overview_xlsx", args=[tenant.organisation.slug])
    assert client_for(tenant.manager).get(export).status_code == 403
    assert client_for(tenant.owner).get(export.replace(".xlsx", ".exe")).status_code == 404
    pdf = client_for(tenant.owner).get(
        reverse("programmes_overview_pdf", args=[tenant.organisation.slug])
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_dashboard_as_pdf_reads_back(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    client = client_for(scenario.manager)
    response = client.get(pdf_url(scenario.programme, "dashboard"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert f"How {scenario.programme.name} is doing" in text
    assert "80 % of the meetings due took place." in text
    assert "Enrolment funnel" in text and "Relationship health" in text
    assert "Download" not in text  # no links to files in the document


def test_the_pdf_refuses_bad_filters_and_outsiders(tenant: Tenant) -> None:
    scenario, _ = seeded(tenant)
    bad = client_for(scenario.manager).get(pdf_url(scenario.programme, "dashboard", "end=x"))
    assert bad.status_code == 400 and "Enter the end as a date" in bad.content.decode()
    outsider = client_for(make_tenant("Globex").owner)
    assert outsider.get(pdf_url(scenario.programme, "dashboard")).status_code == 404
    assert (
        client_for(scenario.manager).get(pdf_url(scenario.programme, "nothing")).status_code == 404
    )
