"""The audit on the page cannot be compared run to run to read one person's answers."""

from __future__ import annotations

import pytest

from openmentor.matching.models import MatchingRun
from openmentor.matching.selectors import proposal_for
from tests.conftest import Tenant
from tests.factories import MatchingRunFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def run_with(tenant: Tenant, women: int, rate: float) -> MatchingRun:
    return MatchingRunFactory(
        programme=ProgrammeFactory(organisation=tenant.organisation),
        status=MatchingRun.Status.DONE,
        result={
            "version": 1,
            "matches": [],
            "unmatched": [],
            "objective": {"mentees_matched": 0, "matched_pairs": 0, "total_score": 0},
            "fairness": {
                "gender": {
                    "groups": {
                        "woman": {"mentees": women, "matched_rate": rate, "mean_score": 0.613},
                        "man": {"suppressed": True},
                    },
                    "disparate_impact": None,
                }
            },
        },
    )


def test_group_sizes_are_ranges_and_rates_are_rounded(tenant: Tenant) -> None:
    before = proposal_for(run=run_with(tenant, women=12, rate=11 / 12)).fairness[0]
    after = proposal_for(run=run_with(tenant, women=13, rate=12 / 13)).fairness[0]
    woman_before = next(g for g in before.groups if g.name == "Woman")
    woman_after = next(g for g in after.groups if g.name == "Woman")
    # One more woman between the runs: nothing on the page changes.
    assert (woman_before.mentees, woman_before.matched_rate) == ("10–19", 0.9)
    assert (woman_after.mentees, woman_after.matched_rate) == ("10–19", 0.9)
    assert woman_before.mean_score == 0.6
    assert next(g for g in before.groups if g.name == "Man").suppressed


def test_age_bands_are_in_age_order_not_alphabetical(tenant: Tenant) -> None:
    groups = {
        code: {"mentees": 10, "matched_rate": 0.9, "mean_score": 0.6}
        for code in ("65_plus", "25_34", "under_25", "45_54", "prefer_not")
    }
    run = MatchingRun.objects.create(
        programme=ProgrammeFactory(organisation=tenant.organisation),
        status=MatchingRun.Status.DONE,
        result={
            "version": 1,
            "matches": [],
            "unmatched": [],
            "objective": {"mentees_matched": 0, "matched_pairs": 0, "total_score": 0},
            "fairness": {"age_band": {"groups": groups, "disparate_impact": 1.0}},
        },
    )
    (age,) = proposal_for(run=run).fairness
    assert [g.name for g in age.groups][:4] == ["Under 25", "25 to 34", "45 to 54", "65 or over"]
