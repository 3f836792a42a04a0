"""A mentee can take back requests still waiting, and choose again."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from openmentor.matching.choice import selectors as choice_selectors
from openmentor.matching.choice import services as choice
from openmentor.matching.models import MentorRequest
from openmentor.notifications.models import Notification
from tests.matching_choice.conftest import committed, logged_in, mentees_of, mentors_of
from tests.scenarios import EnrollingProgramme

pytestmark = pytest.mark.django_db


def send(scenario: EnrollingProgramme, mentee_index: int = 0) -> list[MentorRequest]:
    mentee = mentees_of(scenario)[mentee_index]
    with committed():
        return choice.mentor_requests_send(
            programme=scenario.programme,
            mentee=mentee,
            mentor_ids=[m.pk for m in mentors_of(scenario)],
        )


def test_withdrawing_closes_only_my_waiting_requests_and_lets_me_choose_again(
    cohort: EnrollingProgramme,
) -> None:
    mine = send(cohort, 0)
    theirs = send(cohort, 1)
    mentee = mentees_of(cohort)[0]
    assert choice.mentor_requests_withdraw(programme=cohort.programme, mentee=mentee) == 3
    assert {r.status for r in MentorRequest.objects.filter(pk__in=[r.pk for r in mine])} == {
        "withdrawn"
    }
    assert {r.status for r in MentorRequest.objects.filter(pk__in=[r.pk for r in theirs])} == {
        "pending",
        "queued",
    }
    asked = [r.mentor_id for r in mine if r.status == "pending"]
    assert set(
        Notification.objects.filter(kind="matching.request_withdrawn").values_list(
            "user_id", flat=True
        )
    ) == set(asked)
    assert not choice_selectors.has_open_requests(programme=cohort.programme, mentee=mentee)
    send(cohort, 0)  # may choose again


def test_nothing_to_withdraw_is_a_clear_message(cohort: EnrollingProgramme) -> None:
    with pytest.raises(ValidationError, match="no requests waiting"):
        choice.mentor_requests_withdraw(programme=cohort.programme, mentee=mentees_of(cohort)[0])


def test_the_page_button_withdraws(cohort: EnrollingProgramme) -> None:
    send(cohort, 0)
    mentee = mentees_of(cohort)[0]
    client = logged_in(mentee)
    base = f"/o/{cohort.organisation.slug}/programmes/{cohort.programme.slug}/choose/"
    assert "Withdraw my requests and choose again" in client.get(base).content.decode()
    response = client.post(base + "withdraw/", follow=True)
    assert "Withdrawn: 3 requests" in response.content.decode()
    again = client.post(base + "withdraw/", follow=True)
    assert "no requests waiting" in again.content.decode()
    assert client.get(base + "withdraw/").status_code == 405
