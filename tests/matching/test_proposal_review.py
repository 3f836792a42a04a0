"""Finding one's way in a long proposal: search, sort, filters and pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from openmentor.accounts.models import User
from openmentor.matching.models import MatchingPin
from openmentor.matching.problem import user_id_of
from tests.conftest import Tenant
from tests.matching.helpers import manager_client, run_matching, url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    """The mentee names of the pair rows, in page order."""
    table = html.split('<caption class="visually-hidden">Proposed pairs</caption>', 1)[1]
    table = table.split("</table>", 1)[0]
    return re.findall(r'<td data-label="Mentee">([^<]+)</td>', table)


def _scores(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<td data-label="Score">(\d+) %</td>', html)]


def test_search_sort_filter_and_pages(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=20, mentees=40)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    home = url("matching_home", scenario.programme)
    matches = run.result["matches"]
    assert len(matches) > 25

    first = client.get(home).content.decode()
    assert len(_rows(first)) == 25 and "page 1 of 2" in first
    assert _scores(first) == sorted(_scores(first), reverse=True)
    assert 'rel="next"' in first
    second = client.get(home + "?page=2").content.decode()
    assert len(_rows(second)) == len(matches) - 25
    assert not set(_rows(first)) & set(_rows(second))

    lowest = client.get(home + "?sort=score_low").content.decode()
    assert _scores(lowest) == sorted(_scores(lowest))

    someone = User.objects.get(pk=user_id_of(matches[7]["mentee"]))
    found = client.get(home, {"q": someone.name.upper()}).content.decode()
    assert _rows(found) == [someone.name]
    assert "that match (of" in found
    nobody = client.get(home, {"q": "zz-nobody-zz"}).content.decode()
    assert 'data-label="Mentee"' not in nobody and "No pair matches this search" in nobody

    m = matches[3]
    MatchingPin.objects.create(
        programme=scenario.programme,
        mentee_id=user_id_of(m["mentee"]),
        mentor_id=user_id_of(m["mentor"]),
        kind="lock",
    )
    locked = client.get(home + "?show=locked").content.decode()
    assert len(_rows(locked)) == 1 and "Locked" in locked

    low = client.get(home + "?show=low").content.decode()
    assert all(score < 50 for score in _scores(low))

    # The reasons: one click away, about the pair.
    assert '<details class="why">' in first and "They both" in first and "You both" not in first


def test_changed_since_the_last_run_and_bad_parameters(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=4)
    client = manager_client(scenario)
    first = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    home = url("matching_home", scenario.programme)
    only = client.get(home).content.decode()
    assert "Changed since the last run" not in only  # nothing to compare with yet
    bad = client.get(home + "?show=changed&sort=sideways&page=999")
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "no earlier run to compare with" in body and "Unknown sort order" in body
    # Forbid one pair and run again: that mentee's pair changed.
    m = first.result["matches"][0]
    client.post(
        url("matching_pin", scenario.programme, first.pk),
        {"mentee": m["mentee"], "mentor": m["mentor"], "kind": "forbid"},
    )
    second = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    before = {x["mentee"]: x["mentor"] for x in first.result["matches"]}
    moved = {
        User.objects.get(pk=user_id_of(x["mentee"])).name
        for x in second.result["matches"]
        if before.get(x["mentee"]) != x["mentor"]
    }
    changed = client.get(home + "?show=changed").content.decode()
    assert moved and set(_rows(changed)) == moved
    assert changed.count(">Changed</span>") == len(moved)


def test_locking_a_pair_returns_to_the_same_page_of_the_same_search(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=4)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    m = run.result["matches"][0]
    response = client.post(
        url("matching_pin", scenario.programme, run.pk),
        {
            "mentee": m["mentee"],
            "mentor": m["mentor"],
            "kind": "lock",
            "back": "q=ada&sort=score_low&page=2&next=https://evil.example",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        url("matching_home", scenario.programme) + "?q=ada&sort=score_low&page=2"
    )
