"""Reviewing a proposal: lock, forbid, swap, re-run keeping pins; query bound."""

from __future__ import annotations

from typing import Any

import pytest

from openmentor.matching.models import MatchingPin, MatchingRun
from tests.conftest import Tenant
from tests.matching.helpers import manager_client, run_matching, url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def _pairs(run: MatchingRun) -> set[tuple[str, str]]:
    return {(m["mentee"], m["mentor"]) for m in run.result["matches"]}


def test_locked_pair_kept_and_forbidden_pair_never_proposed(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=4)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    (keep_e, keep_m), (drop_e, drop_m) = sorted(_pairs(run))[:2]
    pin = url("matching_pin", scenario.programme, run.pk)
    client.post(pin, {"mentee": keep_e, "mentor": keep_m, "kind": "lock"})
    response = client.post(pin, {"mentee": drop_e, "mentor": drop_m, "kind": "forbid"}, follow=True)
    assert "Forbidden" in response.content.decode()
    run.refresh_from_db()
    assert (drop_e, drop_m) not in _pairs(run)  # out of this proposal at once
    assert MatchingPin.objects.filter(programme=scenario.programme).count() == 2
    rerun = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.SUPERSEDED
    assert (keep_e, keep_m) in _pairs(rerun)
    assert (drop_e, drop_m) not in _pairs(rerun)
    locked = next(m for m in rerun.result["matches"] if m["mentee"] == keep_e)
    assert locked.get("locked") is True
    assert "Locked" in client.get(url("matching_home", scenario.programme)).content.decode()


def test_pin_refuses_a_pair_not_in_the_proposal_and_bad_input(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    pin = url("matching_pin", scenario.programme, run.pk)
    for data in (
        {"mentee": "u999999", "mentor": "u1", "kind": "lock"},
        {"mentee": "x", "mentor": "y", "kind": "lock"},
        {"mentee": "u1", "mentor": "u2", "kind": "explode"},
        {},
    ):
        response = client.post(pin, data, follow=True)
        assert response.status_code == 200
        assert "not in this proposal" in response.content.decode() or "Choose a pair" in (
            response.content.decode()
        )
    assert not MatchingPin.objects.exists()


def test_swap_offers_only_mentors_with_room_and_locks_the_choice(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=3, mentees=2)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    mentee, mentor = sorted(_pairs(run))[0]
    swap = url("matching_swap", scenario.programme, run.pk)
    page = client.get(swap, {"mentee": mentee, "mentor": mentor})
    html = page.content.decode()
    assert page.status_code == 200 and "Swap and lock" in html
    assert f'value="{mentor}"' not in html.replace(f'name="mentor" value="{mentor}"', "")
    import re

    offered = re.findall(r'name="new_mentor" value="(u\d+)"', html)
    assert offered and mentor not in offered
    client.post(swap, {"mentee": mentee, "mentor": mentor, "new_mentor": offered[0]})
    run.refresh_from_db()
    assert (mentee, offered[0]) in _pairs(run) and (mentee, mentor) not in _pairs(run)
    assert MatchingPin.objects.get(mentor_id=int(offered[0][1:])).kind == "lock"
    # A mentor who is not offered is refused, and nothing changes.
    before = run.result
    response = client.post(
        swap, {"mentee": mentee, "mentor": offered[0], "new_mentor": "u999999"}, follow=True
    )
    assert "not one of the alternatives" in response.content.decode()
    run.refresh_from_db()
    assert run.result == before


def test_published_proposal_cannot_be_changed(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    MatchingRun.objects.filter(pk=run.pk).update(status=MatchingRun.Status.PUBLISHED)
    mentee, mentor = next(iter(_pairs(run)))
    response = client.post(
        url("matching_pin", scenario.programme, run.pk),
        {"mentee": mentee, "mentor": mentor, "kind": "lock"},
        follow=True,
    )
    assert "can no longer be changed" in response.content.decode()
    assert not MatchingPin.objects.exists()


def test_demo_sized_proposal_page_has_bounded_queries(
    tenant: Tenant,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=20, mentees=60)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, django_capture_on_commit_callbacks)
    assert len(run.result["matches"]) >= 30
    with django_assert_max_num_queries(15):
        page = client.get(url("matching_home", scenario.programme))
    # 25 pairs a page; the rest on the next page.
    assert page.content.decode().count("Swap mentor") == 25
    rest = client.get(url("matching_home", scenario.programme) + "?page=2")
    assert rest.content.decode().count("Swap mentor") == min(len(run.result["matches"]) - 25, 25)
