"""Endings nobody chose: the nudge ladder closing a mentorship that stayed quiet through
its warning, and a member leaving the organisation (deprovisioned by its HR system).

The endings people choose, with a reason and an optional rematch, are in `lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.core.events import EventKind, event_record
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services.lifecycle import (
    _clear_matched_at,
    _locked,
    _notify,
    _require_member,
    _transition,
    mentorship_url,
)
from openmentor.mentorships.signals import mentorship_ended

if TYPE_CHECKING:
    from openmentor.accounts.models import User


@transaction.atomic
def mentorship_close_inactive(*, mentorship: Mentorship, now: Any) -> Mentorship | None:
    """Closes a mentorship that stayed quiet through its warning (the nudge ladder's last
    step); nobody is its author. None, changing nothing, when it is no longer active."""
    mentorship = _locked(mentorship)
    if mentorship.status != Mentorship.Status.ACTIVE:
        return None
    mentorship.ended_at = now
    mentorship.ended_by = None
    mentorship.end_reason = Mentorship.EndReason.INACTIVE
    _transition(mentorship, Mentorship.Status.ENDED, None)
    mentorship.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    _clear_matched_at(mentorship)
    mentorship_ended.send(sender=Mentorship, mentorship=mentorship, actor=None)
    event_record(
        organisation=mentorship.programme.organisation,
        kind=EventKind.MENTORSHIP_ENDED,
        data={"mentorship": mentorship.pk, "reason": Mentorship.EndReason.INACTIVE},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.ENDED,
        key=f"ended:{mentorship.pk}",
        at=now,
        data={"reason": Mentorship.EndReason.INACTIVE},
    )
    return mentorship


@transaction.atomic
def mentorship_end_on_departure(*, mentorship: Mentorship, person: User) -> Mentorship:
    """Ends an open mentorship because `person`, one of its members, left the
    organisation (deprovisioned by its HR system). Nobody chose this, so there is no
    reason code or reflection; the partner gets a kind e-mail and a notice saying why, and
    can ask for a new match. The pair's upcoming meetings are cancelled as on any ending.
    A circle is not ended: the person leaves it, and it goes on while a mentor remains."""
    if mentorship.is_circle:
        from openmentor.mentorships.services.circles import circle_leave

        if mentorship.status == Mentorship.Status.ENDED:
            return mentorship
        return circle_leave(circle=mentorship, user=person)
    mentorship = _locked(mentorship)
    _require_member(mentorship, person)
    if mentorship.status == Mentorship.Status.ENDED:
        return mentorship
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = None
    mentorship.end_reason = Mentorship.EndReason.OTHER
    _transition(mentorship, Mentorship.Status.ENDED, None)
    mentorship.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    _clear_matched_at(mentorship)
    # Their meetings are cancelled on their behalf (the calendars name them as the canceller).
    mentorship_ended.send(sender=Mentorship, mentorship=mentorship, actor=person)
    event_record(
        organisation=mentorship.programme.organisation,
        actor=None,
        kind=EventKind.MENTORSHIP_ENDED,
        data={"mentorship": mentorship.pk, "reason": "departure", "rematch": False},
    )
    partner = mentorship.pair_mentee if person.pk == mentorship.mentor_id else mentorship.mentor
    email_send(
        to=[partner.email],
        subject=f"Your mentorship with {person.name} has ended",
        template="mentorships/email/departed",
        context={
            "name": partner.name,
            "partner_name": person.name,
            "programme_name": mentorship.programme.name,
            "organisation_name": mentorship.programme.organisation.name,
            "url": settings.SITE_URL + mentorship_url(mentorship),
        },
    )
    _notify(
        mentorship,
        (partner.pk,),
        "mentorship.ended",
        f"{person.name} has left {mentorship.programme.organisation.name}, so your "
        "mentorship has ended. You can ask for a new match.",
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.ENDED,
        key=f"ended:{mentorship.pk}",
        at=mentorship.ended_at,
        data={"reason": "departure"},
    )
    return mentorship
