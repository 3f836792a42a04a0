"""Done-when browser test: the demo manager opens the programme dashboard, sees each chart
drawn with the figures of its data table, filters by cohort, and downloads CSV, XLSX and
PDF, each read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from openmentor.dashboard.programme_report import Filters, programme_report
from openmentor.demo.seed import DEMO_PASSWORD, seed_demo
from openmentor.programmes.models import Enrolment, Programme

BAR_CHARTS = ("funnel", "health", "endings")
COLUMN_CHARTS = ("meetings",)


def log_in(browser: Browser, server: dict[str, Any], email: str) -> Page:
    page = browser.new_context(base_url=server["url"], accept_downloads=True).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


def cells(table: Locator) -> list[list[str]]:
    return [
        [cell.inner_text().strip() for cell in row.locator("th, td").all()]
        for row in table.locator("tbody tr").all()
    ]


def expected(programme: Programme, cohort: str = "") -> dict[str, list[list[str]]]:
    today = timezone.localdate()
    filters = Filters(start=today - dt.timedelta(weeks=26), end=today, cohort=cohort)
    report = programme_report(programme=programme, filters=filters)
    return {t.key: [[str(c) for c in row] for row in t.rows] for t in report.tables}


def check_charts_and_tables(page: Page, figures: dict[str, list[list[str]]]) -> None:
    for key, rows in figures.items():
        section = page.locator(f"section#{key}")
        table = section.get_by_role("table").first
        assert cells(table) == (rows or [["Nothing to show."]]), key
        if key in BAR_CHARTS:
            chart = section.get_by_role("img")
            expect(chart).to_be_visible()
            assert chart.bounding_box()["width"] > 100  # type: ignore[index]
            labels = [t.text_content() for t in chart.locator("text.chart-label").all()]
            values = [t.text_content() for t in chart.locator("text.chart-value").all()]
            assert labels == [r[0] for r in rows], key
            assert values == [r[1] for r in rows], key
            assert chart.locator("rect.chart-bar").count() == len(rows)
        if key in COLUMN_CHARTS:
            chart = section.get_by_role("img")
            expect(chart).to_be_visible()
            assert chart.locator("rect.chart-column").count() >= 2 * len(rows)
            description = chart.locator("desc").text_content() or ""
            for row in rows:
                assert f"{row[0][5:]} {row[1]}" in description, (key, row)


@pytest.mark.django_db(transaction=True)
def test_demo_manager_reads_filters_and_downloads_the_dashboard(
    browser: Browser, server: dict[str, Any]
) -> None:
    seed_demo()
    programme = Programme.objects.get(organisation__slug="northwind", slug="mentoring-2027")
    # Half of the mentees enrolled a year ago: an earlier cohort to filter by.
    year_ago = timezone.now() - dt.timedelta(days=365)
    early = list(Enrolment.objects.filter(programme=programme, role="mentee").order_by("pk")[::2])
    Enrolment.objects.filter(pk__in=[e.pk for e in early]).update(created_at=year_ago)
    cohort = f"{year_ago.year}-Q{(year_ago.month - 1) // 3 + 1}"

    page = log_in(browser, server, "manager@northwind.example")
    page.goto(f"/o/northwind/programmes/{programme.slug}/dashboard/")
    expect(page.get_by_role("heading", name=f"How {programme.name} is doing")).to_be_visible()
    everyone = expected(programme)
    assert any(int(r[1]) + int(r[2]) for r in everyone["meetings"]), "the demo has meetings"
    check_charts_and_tables(page, everyone)

    page.get_by_label("Cohort (quarter enrolled)").select_option(cohort)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text(f"cohort {cohort}")).to_be_visible()
    assert f"cohort={cohort}" in page.url
    filtered = expected(programme, cohort)
    assert filtered["funnel"] != everyone["funnel"]
    check_charts_and_tables(page, filtered)

    with page.expect_download() as got:
        page.get_by_role("link", name="CSV of enrolment funnel").click()
    with open(got.value.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["Stage", "People", "Of invited"] and read[1:] == filtered["funnel"]
    assert got.value.suggested_filename.startswith(f"{programme.slug}-funnel-")
    assert got.value.suggested_filename.endswith(".csv")

    with page.expect_download() as got:
        page.get_by_role("link", name="XLSX of meetings held per week").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    with open(got.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet is not None
    values = [[str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Week starting", "In-app calls", "Self-reported"]
    assert values[1:] == filtered["meetings"]

    with page.expect_download() as got:
        page.get_by_role("link", name="Download this page as PDF").click()
    assert got.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(got.value.path())
    words = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"How {programme.name} is doing" in words and f"cohort {cohort}" in words
    funnel_signed_up = next(r for r in filtered["funnel"] if r[0] == "Signed up")
    assert f"Signed up {funnel_signed_up[1]}" in words
