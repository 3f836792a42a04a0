"""The nudge ladder's writes: nudging a quiet pair, telling the manager, warning of the
closing, closing, and keeping a mentorship open from the warning's one-click link.

Each action re-reads the mentorship under a lock and claims a unique row before it tells
anyone, so two workers applying the same action (or one applying it twice) send it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from openmentor.accounts.models import User
from openmentor.core.links import LinkError, link_claim, link_read, link_token
from openmentor.mentorships import members
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services.endings import mentorship_close_inactive
from openmentor.notifications.services import EmailSpec, notify
from openmentor.organisations.models import MANAGING_ROLES, Membership
from openmentor.tracking.models import ClosureWarning, Nudge, TrackingSettings
from openmentor.tracking.selectors import LadderAction, spell_starts

# Nobody gets more than one nudge in this long, whatever number of pairs they are in.
NUDGE_MIN_GAP = dt.timedelta(days=3)
PROPOSE_PURPOSE = "propose"
KEEP_OPEN_PURPOSE = "keep-open"
PROPOSE_MAX_AGE = dt.timedelta(days=30)

STEP_TEXT = {
    1: "It has been a while since you last met {partner}. Fancy proposing a time?",
    2: "You and {partner} have not met for some time. A short catch-up keeps things going.",
    3: "It has been a long time since you met {partner}. Propose a time, or tell us if "
    "you would rather end the mentorship (no fault, no questions).",
}


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _managers(mentorship: Mentorship) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=mentorship.programme.organisation_id, role__in=MANAGING_ROLES
        ).select_related("user")
    ]


def _claim(**fields: object) -> bool:
    try:
        with transaction.atomic():
            Nudge.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def _weeks(delta: dt.timedelta) -> str:
    days = delta.days
    return f"{days} days" if days < 14 else f"{days // 7} weeks"


@transaction.atomic
def ladder_apply(*, action: LadderAction, now: dt.datetime) -> int:
    """Applies one due step; returns how many people were told (0 when it had been done
    already, the pair met in between, or the mentorship is no longer active)."""
    mentorship = (
        Mentorship.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "mentor", "mentee")
        .filter(pk=action.mentorship_id)
        .first()
    )
    if mentorship is None or mentorship.status != Mentorship.Status.ACTIVE:
        return 0
    if spell_starts([mentorship])[mentorship.pk] != action.spell_start:
        return 0  # they met (or kept it open) since the sweep looked
    if action.action == "nudge":
        return _nudge(mentorship, action, now)
    if action.action == "warn":
        return _warn(mentorship, action, now)
    if action.action == "close":
        return _close(mentorship, action, now)
    raise ValueError(f"unknown ladder action {action.action!r}")


def _nudge(mentorship: Mentorship, action: LadderAction, now: dt.datetime) -> int:
    told = 0
    organisation = mentorship.programme.organisation
    for person, partner_name in _members_and_partners(mentorship):
        recent = Nudge.objects.filter(
            user=person, audience=Nudge.Audience.MEMBER, sent_at__gt=now - NUDGE_MIN_GAP
        ).exclude(mentorship=mentorship, step=action.step, spell_start=action.spell_start)
        if recent.exists():
            continue  # rate-limited: the next sweep after the gap sends it
        if not _claim(
            mentorship=mentorship,
            user=person,
            audience=Nudge.Audience.MEMBER,
            step=action.step,
            spell_start=action.spell_start,
            sent_at=now,
        ):
            continue
        token = link_token(
            purpose=PROPOSE_PURPOSE,
            payload={"m": mentorship.pk, "u": person.pk, "s": action.step},
            issued_at=now,
        )
        propose = _site(reverse("nudge_propose", args=[token]))
        text = STEP_TEXT[action.step].format(partner=partner_name)
        notify(
            organisation=organisation,
            user=person,
            kind=f"nudge.step{action.step}",
            text=text,
            url=reverse("meeting_propose", args=[organisation.slug, mentorship.pk]),
            email=EmailSpec(
                subject=f"Time to catch up with {partner_name}?",
                template="tracking/email/nudge",
                context={
                    "name": person.name,
                    "partner_name": partner_name,
                    "text": text,
                    "propose_url": propose,
                    "programme_name": mentorship.programme.name,
                },
            ),
        )
        activity_record(
            mentorship=mentorship,
            kind=ActivityKind.NUDGED,
            key=f"nudge:{mentorship.pk}:{person.pk}:{action.step}:{action.spell_start.isoformat()}",
            at=now,
            data={"step": action.step, "to": person.pk},
        )
        told += 1
    if action.step >= 2:
        told += _tell_managers(mentorship, action, now)
    return told


def _members_and_partners(mentorship: Mentorship) -> list[tuple[User, str]]:
    """Each member with the name their messages give the others: the partner in a pair,
    the circle in a circle."""
    return [(p.user, members.title_for(mentorship, p.user)) for p in members.people_of(mentorship)]


def _who(mentorship: Mentorship) -> str:
    if mentorship.is_circle:
        return f"The members of the {mentorship.topic} circle"
    return f"{mentorship.mentor.name} and {mentorship.pair_mentee.name}"


def _tell_managers(mentorship: Mentorship, action: LadderAction, now: dt.datetime) -> int:
    """After the second step the programme team hears that the pair has gone quiet, once."""
    organisation = mentorship.programme.organisation
    quiet = _weeks(now - action.spell_start)
    told = 0
    for manager in _managers(mentorship):
        if not _claim(
            mentorship=mentorship,
            user=manager,
            audience=Nudge.Audience.MANAGER,
            step=2,
            spell_start=action.spell_start,
            sent_at=now,
        ):
            continue
        text = (
            f"{_who(mentorship)} have not met for {quiet} "
            f"in {mentorship.programme.name}; they have been nudged twice."
        )
        notify(
            organisation=organisation,
            user=manager,
            kind="alert.quiet",
            text=text,
            url=reverse("programme_health", args=[organisation.slug, mentorship.programme.slug]),
            email=EmailSpec(
                subject=f"A pair has gone quiet in {mentorship.programme.name}",
                template="notifications/email/alert",
                context={"name": manager.name, "text": text},
            ),
        )
        told += 1
    if told:
        activity_record(
            mentorship=mentorship,
            kind=ActivityKind.MANAGER_ALERTED,
            key=f"alert:quiet:{mentorship.pk}:{action.spell_start.isoformat()}",
            at=now,
            data={"reason": "quiet"},
        )
    return told


def _warn(mentorship: Mentorship, action: LadderAction, now: dt.datetime) -> int:
    rules = TrackingSettings.objects.filter(programme=mentorship.programme).first()
    rules = rules or TrackingSettings()
    closes_at = max(
        action.spell_start + dt.timedelta(days=rules.close_after_days),
        now + dt.timedelta(days=rules.warning_days),
    )
    try:
        with transaction.atomic():
            warning = ClosureWarning.objects.create(
                mentorship=mentorship,
                spell_start=action.spell_start,
                sent_at=now,
                closes_at=closes_at,
            )
    except IntegrityError:
        return 0
    organisation = mentorship.programme.organisation
    for person, partner_name in _members_and_partners(mentorship):
        token = link_token(
            purpose=KEEP_OPEN_PURPOSE, payload={"w": warning.pk, "u": person.pk}, issued_at=now
        )
        keep = _site(reverse("closure_keep_open", args=[token]))
        text = (
            f"Your mentorship with {partner_name} will close on "
            f"{closes_at:%d %B %Y} after a long quiet spell, unless one of you keeps it open."
        )
        notify(
            organisation=organisation,
            user=person,
            kind="closure.warning",
            text=text,
            url=reverse("mentorship_detail", args=[organisation.slug, mentorship.pk]),
            email=EmailSpec(
                subject=f"Your mentorship with {partner_name} will close on {closes_at:%d %B}",
                template="tracking/email/closure_warning",
                context={"name": person.name, "text": text, "keep_url": keep},
            ),
        )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.CLOSURE_WARNED,
        key=f"warned:{warning.pk}",
        at=now,
        data={"closes_at": closes_at.isoformat()},
    )
    return len(members.people_of(mentorship))


def _close(mentorship: Mentorship, action: LadderAction, now: dt.datetime) -> int:
    warning = (
        ClosureWarning.objects.select_for_update()
        .filter(mentorship=mentorship, spell_start=action.spell_start)
        .first()
    )
    if (
        warning is None
        or warning.cancelled_at is not None
        or warning.closed_at is not None
        or warning.closes_at > now
    ):
        return 0
    if mentorship_close_inactive(mentorship=mentorship, now=now) is None:
        return 0
    warning.closed_at = now
    warning.save(update_fields=["closed_at"])
    organisation = mentorship.programme.organisation
    told = 0
    for person, partner_name in _members_and_partners(mentorship):
        notify(
            organisation=organisation,
            user=person,
            kind="closure.closed",
            text=(
                f"Your mentorship with {partner_name} has closed after a long quiet spell. "
                "It is no judgement of anyone; you can ask for a new match any time."
            ),
            url=reverse("mentorship_detail", args=[organisation.slug, mentorship.pk]),
        )
        told += 1
    return told


@dataclass(frozen=True)
class KeepOpenOutcome:
    mentorship: Mentorship
    message: str
    kept: bool


def closure_link_read(*, token: str, now: dt.datetime) -> None:
    """Checks a keep-open link as `closure_keep_open` does, changing nothing."""
    data = link_read(token, purpose=KEEP_OPEN_PURPOSE, max_age=dt.timedelta(days=60), now=now)
    try:
        int(data["w"]), int(data["u"])
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("This link is not valid: it may have been cut short or changed.") from error


@transaction.atomic
def closure_keep_open(*, token: str, now: dt.datetime) -> KeepOpenOutcome:
    """Cancels a closure warning from its one-click link (LinkError for a bad one).

    Works once; a second click, or the partner's after the first, changes nothing and
    says so. A mentorship already closed stays closed (the link says how to get a match).
    """
    data = link_read(token, purpose=KEEP_OPEN_PURPOSE, max_age=dt.timedelta(days=60), now=now)
    try:
        warning_id, user_id = int(data["w"]), int(data["u"])
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("This link is not valid: it may have been cut short or changed.") from error
    warning = (
        ClosureWarning.objects.select_for_update()
        .select_related("mentorship__programme__organisation", "mentorship__mentor")
        .filter(pk=warning_id)
        .first()
    )
    if warning is None or user_id not in warning.mentorship.member_ids():
        raise LinkError("This link is not valid: it may have been cut short or changed.")
    mentorship = warning.mentorship
    first = link_claim(token, purpose=KEEP_OPEN_PURPOSE)
    if warning.closed_at is not None:
        return KeepOpenOutcome(
            mentorship, "This mentorship had already closed; nothing changed.", False
        )
    if warning.cancelled_at is not None or not first:
        return KeepOpenOutcome(
            mentorship, "This mentorship was already kept open; nothing changed.", False
        )
    warning.cancelled_at = now
    warning.cancelled_by_id = user_id
    warning.save(update_fields=["cancelled_at", "cancelled_by"])
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.KEPT_OPEN,
        key=f"kept_open:{warning.pk}",
        actor=User.objects.get(pk=user_id),
        at=now,
    )
    partner_id = mentorship.partner_of(user_id)
    organisation = mentorship.programme.organisation
    notify(
        organisation=organisation,
        user=User.objects.get(pk=partner_id),
        kind="closure.kept_open",
        text="Your mentorship was kept open. Propose a time to meet again when you can.",
        url=reverse("mentorship_detail", args=[organisation.slug, mentorship.pk]),
    )
    return KeepOpenOutcome(
        mentorship, "Your mentorship stays open. Propose a time to meet when you can.", True
    )


def propose_link_read(token: str) -> dict[str, int]:
    """The mentorship and person a "propose a time" link was made for (LinkError if bad)."""
    data = link_read(token, purpose=PROPOSE_PURPOSE, max_age=PROPOSE_MAX_AGE)
    try:
        return {"m": int(data["m"]), "u": int(data["u"])}
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("This link is not valid: it may have been cut short or changed.") from error
