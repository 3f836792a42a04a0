"""A programme manager imports participants from a spreadsheet, keyboard and labels only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from openmentor.organisations.models import Role
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import PASSWORD, MembershipFactory, ProgrammeFactory, UserFactory

CSV = (
    "E-mail address;Given name;Kind;Skills\n"
    "ann@example.org;Ann;mentor;python\n"
    "bob@example.org;Bob;mentee;leadership\n"
    "not-an-address;Cy;mentee;python\n"
)


@pytest.mark.django_db(transaction=True)
def test_manager_imports_participants_skipping_a_bad_row(
    browser: Browser, server: dict[str, Any], tmp_path: Path
) -> None:
    manager = UserFactory.create(email="pm@example.org")
    membership = MembershipFactory.create(user=manager, role=Role.MANAGER)
    ProgrammeFactory.create(
        organisation=membership.organisation,
        name="Spring cohort",
        slug="spring",
        status=Programme.Status.ENROLLING,
        skills=["python", "leadership"],
    )
    upload = tmp_path / "people.csv"
    upload.write_text(CSV)

    page = browser.new_page(base_url=server["url"])
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("pm@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/o/{membership.organisation.slug}/programmes/spring/imports/")

    page.get_by_role("link", name="Upload a file").click()
    expect(page.get_by_text("Importing sends no e-mail.")).to_be_visible()
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(upload))
    page.get_by_label("Import the valid rows, skip the rest").check()
    page.get_by_role("button", name="Upload and read the file").click()
    expect(page.get_by_text("people.csv: 3 rows read.")).to_be_visible()
    expect(page.get_by_role("cell", name="ann@example.org")).to_be_visible()

    # "Kind" is not a name the importer knows: the manager maps it by hand.
    page.get_by_role("button", name="Check the rows (dry run)").click()
    expect(page.get_by_text("Choose the column that holds the role")).to_be_visible()
    page.get_by_label("Role (mentor or mentee)").select_option(label="Kind (column C)")
    page.get_by_role("button", name="Check the rows (dry run)").click()
    expect(page.get_by_text("2 rows can be imported; 1 have problems.")).to_be_visible()
    expect(page.get_by_role("cell", name="Invalid e-mail address “not-an-address”")).to_be_visible()

    page.get_by_role("button", name="Import 2 participants").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Import finished: 2 participants enrolled, 1 rows skipped.")
    ).to_be_visible()
    assert set(
        Enrolment.objects.filter(source=Enrolment.Source.IMPORT).values_list("user__email", "role")
    ) == {("ann@example.org", "mentor"), ("bob@example.org", "mentee")}
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows with problems").click()
    assert "not-an-address" in Path(download.value.path()).read_text(encoding="utf-8-sig")
