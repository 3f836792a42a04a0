"""Walk maker for the manager-run matching pages: `run_id` names a finished run of the
programme named by `programme_slug` (made in the same organisation)."""

from __future__ import annotations

from typing import Any, cast

from openmentor.matching.models import MatchingRun
from openmentor.organisations.models import Organisation
from openmentor.programmes.models import Programme
from tests.factories import MatchingRunFactory, ProgrammeFactory


def run_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = Programme.objects.filter(
        organisation=organisation, slug=values.get("programme_slug", "")
    ).first() or cast(Programme, ProgrammeFactory(organisation=organisation))
    return MatchingRunFactory(
        programme=programme,
        status=MatchingRun.Status.DONE,
        progress=1.0,
        snapshot={"kind": "cohort", "mentees": {}, "mentors": {}},
        result={"version": 1, "matches": [], "unmatched": [], "objective": {}, "fairness": {}},
    ).pk


MAKERS = {"run_id": run_id}
