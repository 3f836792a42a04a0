"""Publishing a proposal: all pairs or none, introductions with reasons, stale and
concurrent publishing refused without creating anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from openmentor.matching import selectors as matching_selectors
from openmentor.matching.models import MatchingRun
from openmentor.matching.services import publishing as matching_publishing
from openmentor.mentorships.models import Mentorship
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant
from tests.factories import MentorshipFactory
from tests.matching.helpers import manager_client, run_matching, url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def _proposal(tenant: Tenant, capture: Any, mentors: int = 2, mentees: int = 4) -> Any:
    scenario = enrolling_programme(tenant.organisation, mentors=mentors, mentees=mentees)
    client = manager_client(scenario)
    run = run_matching(client, scenario.programme, capture)
    assert run.status == MatchingRun.Status.DONE
    return scenario, client, run


def test_publish_creates_mentorships_and_introductions_with_reasons(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario, client, run = _proposal(tenant, django_capture_on_commit_callbacks)
    confirm = client.get(url("matching_publish", scenario.programme, run.pk))
    assert "create 4 mentorship(s)" in confirm.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("matching_publish", scenario.programme, run.pk))
    assert response.status_code == 302
    made = Mentorship.objects.filter(programme=scenario.programme)
    assert made.count() == 4
    assert all(m.source == "matching" and m.match_reasons and m.match_score for m in made)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.PUBLISHED
    assert run.published_by == scenario.manager.user and run.published_at
    intros = [m for m in mail.outbox if m.subject.startswith("Why you were matched")]
    assert len(intros) == 8  # both sides of each pair
    assert len(mail.outbox) == 8  # and no second, reason-less "meet your mentor" e-mail
    assert "You both work on" in intros[0].body
    first = made.first()
    assert first is not None
    assert f"/mentorships/{first.pk}/" in " ".join(str(m.body) for m in intros)
    from openmentor.core.models import Event

    assert Event.objects.filter(kind="matching.published", actor=scenario.manager.user).exists()


def test_stale_proposal_lists_the_changes_and_creates_nothing(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario, client, run = _proposal(tenant, django_capture_on_commit_callbacks)
    leaving = scenario.mentees[0]
    leaving.status = Enrolment.Status.WITHDRAWN
    leaving.save()
    mentor_profile = scenario.mentors[0].user
    from openmentor.people.models import Profile

    Profile.objects.filter(user=mentor_profile).update(mentor_capacity=0)
    response = client.post(url("matching_publish", scenario.programme, run.pk))
    assert response.status_code == 409
    html = response.content.decode()
    assert "not published" in html
    assert f"{leaving.user.name} no longer waits for a mentor" in html
    assert f"{mentor_profile.name} has room for 0 now" in html
    assert "Re-run matching" in html
    assert not Mentorship.objects.filter(programme=scenario.programme).exists()
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE


def test_new_enrolment_since_the_run_is_reported(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario, client, run = _proposal(tenant, django_capture_on_commit_callbacks, mentees=2)
    snapshot = dict(run.snapshot)
    dropped = next(iter(snapshot["mentees"]))
    snapshot["mentees"] = {k: v for k, v in snapshot["mentees"].items() if k != dropped}
    result = dict(run.result)
    result["matches"] = [m for m in result["matches"] if m["mentee"] != dropped]
    MatchingRun.objects.filter(pk=run.pk).update(snapshot=snapshot, result=result)
    response = client.post(url("matching_publish", scenario.programme, run.pk))
    assert "1 new mentee(s) waiting since the run" in response.content.decode()
    assert not Mentorship.objects.exists()


def test_second_publish_fails_cleanly_without_duplicates(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    scenario, client, run = _proposal(tenant, django_capture_on_commit_callbacks)
    stale_copy = MatchingRun.objects.get(pk=run.pk)  # the second manager's view of it
    other_manager = tenant.owner
    with django_capture_on_commit_callbacks(execute=True):
        matching_publishing.matching_publish(run=run, actor=scenario.manager)
    assert stale_copy.status == MatchingRun.Status.DONE
    with pytest.raises(ValidationError, match="already published by"):
        matching_publishing.matching_publish(run=stale_copy, actor=other_manager)
    assert Mentorship.objects.filter(programme=scenario.programme).count() == 4
    response = client.post(url("matching_publish", scenario.programme, run.pk))
    assert "already published" in response.content.decode()
    assert Mentorship.objects.filter(programme=scenario.programme).count() == 4


def test_open_pair_constraint_is_the_backstop(
    tenant: Tenant, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the staleness check were fooled, the pair constraint still stops a duplicate and
    the whole publish rolls back."""
    scenario, client, run = _proposal(tenant, django_capture_on_commit_callbacks)
    last = run.result["matches"][-1]
    from openmentor.accounts.models import User

    MentorshipFactory(
        programme=scenario.programme,
        mentee=User.objects.get(pk=int(last["mentee"][1:])),
        mentor=User.objects.get(pk=int(last["mentor"][1:])),
    )
    monkeypatch.setattr(
        matching_selectors, "proposal_staleness", lambda run: matching_selectors.Staleness()
    )
    response = client.post(url("matching_publish", scenario.programme, run.pk))
    assert "could not be paired" in response.content.decode()
    assert Mentorship.objects.filter(programme=scenario.programme).count() == 1


def test_rematch_proposal_excludes_past_partner_and_resolves_request(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    from openmentor.mentorships.models import RematchRequest

    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=1)
    mentee, old, new = scenario.mentees[0].user, scenario.mentors[0].user, scenario.mentors[1].user
    ended = MentorshipFactory(
        programme=scenario.programme,
        mentee=mentee,
        mentor=old,
        status=Mentorship.Status.ENDED,
        ended_at=timezone.now(),
    )
    request = RematchRequest.objects.create(
        programme=scenario.programme,
        requester=mentee,
        role="mentee",
        excluded_partner=old,
        previous_mentorship=ended,
    )
    client = manager_client(scenario)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("rematch_propose", scenario.programme))
    run = MatchingRun.objects.get(programme=scenario.programme)
    assert response["Location"].endswith(f"/matching/runs/{run.pk}/")
    assert [(m["mentee"], m["mentor"]) for m in run.result["matches"]] == [
        (f"u{mentee.pk}", f"u{new.pk}")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("matching_publish", scenario.programme, run.pk))
    request.refresh_from_db()
    assert request.status == RematchRequest.Status.RESOLVED
    assert request.new_mentorship is not None
    assert request.new_mentorship.mentor == new and request.new_mentorship.match_reasons


def test_rematch_with_no_one_waiting_says_so(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    response = manager_client(scenario).post(
        url("rematch_propose", scenario.programme), follow=True
    )
    assert "No mentee is waiting for a new match." in response.content.decode()
    assert not MatchingRun.objects.exists()
