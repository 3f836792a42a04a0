"""Writing notifications: the in-app notice, and the e-mail the person's preferences allow.

Every notice goes through `notify`: it always makes the in-app row (the notification
centre), then e-mails it at once, keeps it for the weekly digest, or does neither, as the
person chose for its category. Each e-mail carries a one-click unsubscribe for its
category (`List-Unsubscribe` and `List-Unsubscribe-Post`, RFC 8058).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from openmentor.core.email import email_send
from openmentor.core.links import LinkError, link_claim, link_read, link_token
from openmentor.notifications.models import (
    Category,
    EmailChoice,
    Notification,
    NotificationPreference,
)

UNSUBSCRIBE_PURPOSE = "unsubscribe"
UNSUBSCRIBE_MAX_AGE = dt.timedelta(days=365)

# The first word of a notification's kind decides its category.
_CATEGORY_OF_PREFIX = {
    "nudge": Category.NUDGES,
    "closure": Category.NUDGES,
    "feedback": Category.FEEDBACK,
    "checkin": Category.FEEDBACK,
    "meeting": Category.MEETINGS,
    "event": Category.MEETINGS,  # programme events: reminders of an event one is going to
    "milestone": Category.MILESTONES,
    "goal": Category.MILESTONES,
    "alert": Category.ALERTS,
}


def category_of(kind: str) -> str:
    return str(_CATEGORY_OF_PREFIX.get(kind.split(".")[0], Category.MENTORSHIP))


@dataclass(frozen=True)
class EmailSpec:
    """The e-mail that goes with a notice: `<template>.txt` and `.html` are rendered."""

    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def notification_create(
    *, organisation_id: int, user_id: int, kind: str, text: str, url: str = ""
) -> Notification:
    """An in-app notice only (the callers that send their own e-mail use this)."""
    return Notification.objects.create(
        organisation_id=organisation_id, user_id=user_id, kind=kind, text=text[:300], url=url
    )


def email_choice(*, organisation_id: int, user_id: int, category: str) -> str:
    row = NotificationPreference.objects.filter(
        organisation_id=organisation_id, user_id=user_id, category=category
    ).first()
    return row.email if row is not None else str(EmailChoice.IMMEDIATE)


def unsubscribe_url(*, organisation_id: int, user_id: int, category: str) -> str:
    token = link_token(
        purpose=UNSUBSCRIBE_PURPOSE, payload={"o": organisation_id, "u": user_id, "c": category}
    )
    return settings.SITE_URL + reverse("notifications_unsubscribe", args=[token])


def notify(
    *,
    organisation: Model,
    user: Model,
    kind: str,
    text: str,
    url: str = "",
    email: EmailSpec | None = None,
) -> Notification:
    """Tells `user` (a User) about `kind` in `organisation`: in the app always, by e-mail
    as their preference for the kind's category says (each at once, weekly, or never)."""
    notice = notification_create(
        organisation_id=organisation.pk, user_id=user.pk, kind=kind, text=text, url=url
    )
    if email is None:
        return notice
    category = category_of(kind)
    choice = email_choice(organisation_id=organisation.pk, user_id=user.pk, category=category)
    if choice == EmailChoice.DIGEST:
        notice.digest_pending = True
        notice.save(update_fields=["digest_pending"])
    elif choice == EmailChoice.IMMEDIATE:
        leave = unsubscribe_url(organisation_id=organisation.pk, user_id=user.pk, category=category)
        email_send(
            to=[str(getattr(user, "email", ""))],
            subject=email.subject,
            template=email.template,
            context={
                **email.context,
                "unsubscribe_url": leave,
                "category_label": Category(category).label,
                "notifications_url": settings.SITE_URL
                + reverse("notification_list", args=[getattr(organisation, "slug", "")]),
            },
            headers={
                "List-Unsubscribe": f"<{leave}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
    return notice


@transaction.atomic
def preference_set(*, organisation_id: int, user_id: int, category: str, email: str) -> None:
    """Sets how one category is e-mailed; ValueError for an unknown category or choice."""
    category, email = str(Category(category)), str(EmailChoice(email))
    NotificationPreference.objects.update_or_create(
        organisation_id=organisation_id,
        user_id=user_id,
        category=category,
        defaults={"email": email},
    )
    if email != EmailChoice.DIGEST:
        # Notices waiting for a digest the person no longer wants stay in the app only.
        Notification.objects.filter(
            organisation_id=organisation_id, user_id=user_id, digest_pending=True
        ).filter(kind__in=_kinds_pending(organisation_id, user_id, category)).update(
            digest_pending=False
        )


def _kinds_pending(organisation_id: int, user_id: int, category: str) -> list[str]:
    kinds = Notification.objects.filter(
        organisation_id=organisation_id, user_id=user_id, digest_pending=True
    ).values_list("kind", flat=True)
    return [kind for kind in set(kinds) if category_of(kind) == category]


@dataclass(frozen=True)
class UnsubscribeOutcome:
    category_label: str
    first_time: bool


@transaction.atomic
def unsubscribe(*, token: str) -> UnsubscribeOutcome:
    """Turns off e-mail for the category the link names (LinkError when it is not valid).

    A second use changes nothing and says so.
    """
    data = link_read(token, purpose=UNSUBSCRIBE_PURPOSE, max_age=UNSUBSCRIBE_MAX_AGE)
    try:
        category = Category(data["c"])
        organisation_id, user_id = int(data["o"]), int(data["u"])
    except (KeyError, ValueError, TypeError) as error:
        raise LinkError("This link is not valid: it may have been cut short or changed.") from error
    first = link_claim(token, purpose=UNSUBSCRIBE_PURPOSE)
    if first:
        preference_set(
            organisation_id=organisation_id,
            user_id=user_id,
            category=category,
            email=EmailChoice.OFF,
        )
    return UnsubscribeOutcome(category_label=str(category.label), first_time=first)


@transaction.atomic
def notifications_mark_read(*, organisation_id: int, user_id: int, ids: list[int] | None) -> int:
    """Marks the person's notices read (only theirs: another person's ids change nothing)."""
    rows = Notification.objects.filter(
        organisation_id=organisation_id, user_id=user_id, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def digest_send(*, now: dt.datetime) -> int:
    """E-mails each person their notices waiting for the weekly digest; returns how many
    e-mails were queued. Each notice is part of one digest at most."""
    from openmentor.accounts.models import User
    from openmentor.organisations.models import Organisation

    sent = 0
    pairs = (
        Notification.objects.filter(digest_pending=True)
        .values_list("user_id", "organisation_id")
        .distinct()
    )
    for user_id, organisation_id in list(pairs):
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update()
                .filter(user_id=user_id, organisation_id=organisation_id, digest_pending=True)
                .order_by("created_at")
            )
            if not rows:
                continue
            user = User.objects.get(pk=user_id)
            organisation = Organisation.objects.get(pk=organisation_id)
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(digest_pending=False)
            email_send(
                to=[user.email],
                subject=f"Your week in {organisation.name}: {len(rows)} update"
                + ("s" if len(rows) != 1 else ""),
                template="notifications/email/digest",
                context={
                    "name": user.name,
                    "organisation_name": organisation.name,
                    "items": [
                        {"text": r.text, "url": settings.SITE_URL + r.url if r.url else ""}
                        for r in rows
                    ],
                    "notifications_url": settings.SITE_URL
                    + reverse("notification_list", args=[organisation.slug]),
                },
            )
            sent += 1
    return sent
