"""What mentee choice tells people: the e-mail and in-app notice of a request, and the
answer's e-mail to whoever asked, in the programme's words for the two sides."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from openmentor.core.email import email_send
from openmentor.matching.choice.selectors import ASKS
from openmentor.matching.explain import why_lines
from openmentor.matching.models import MentorRequest
from openmentor.notifications.services import notification_create
from openmentor.programmes.models import Programme
from openmentor.programmes.roles import explain_words, role_words


def page_url(programme: Programme, name: str) -> str:
    return settings.SITE_URL + reverse(name, args=[programme.organisation.slug, programme.slug])


def notify(programme: Programme, user_id: int, kind: str, text: str, page: str) -> None:
    notification_create(
        organisation_id=programme.organisation_id,
        user_id=user_id,
        kind=kind,
        text=text,
        url=reverse(page, args=[programme.organisation.slug, programme.slug]),
    )


def send_request(request: MentorRequest, now: dt.datetime, response_days: int) -> None:
    """Makes a queued request pending and tells the person who answers it."""
    request.status = MentorRequest.Status.PENDING
    request.sent_at = now
    request.expires_at = now + dt.timedelta(days=response_days)
    request.save(update_fields=["status", "sent_at", "expires_at"])
    programme = request.programme
    asks = request.direction == ASKS
    asker, answerer = (request.mentee, request.mentor) if asks else (request.mentor, request.mentee)
    words = role_words(programme)
    email_send(
        to=[answerer.email],
        subject=(
            f"{asker.name} would like you as their {words.mentor}"
            if asks
            else f"{asker.name} invites you to be their {words.mentee}"
        ),
        template="matching/choice/email/request",
        context={
            "name": answerer.name,
            "asker_name": asker.name,
            "asks": asks,
            "words": words,
            "programme_name": programme.name,
            "message": request.message,
            "why": why_lines(
                request.reasons,
                viewer_role="mentor" if asks else "mentee",
                words=explain_words(programme),
            ),
            "expires_at": request.expires_at,
            "url": page_url(programme, "mentor_requests" if asks else "recommendations"),
        },
    )
    asking = (
        f"asks you to be their {words.mentor}"
        if asks
        else f"invites you to be their {words.mentee}"
    )
    notify(
        programme,
        answerer.pk,
        "matching.request",
        f"{asker.name} {asking} in {programme.name}.",
        "mentor_requests" if asks else "recommendations",
    )


def tell_requester(request: MentorRequest, outcome: str, *, next_name: str = "") -> None:
    """E-mails the person who asked how it went (kindly: nobody is judged by a no)."""
    programme = request.programme
    asks = request.direction == ASKS
    asker, answerer = (request.mentee, request.mentor) if asks else (request.mentor, request.mentee)
    subjects = {
        "accepted": f"{answerer.name} said yes",
        "declined": f"About your request to {answerer.name}",
        "full": f"About your request to {answerer.name}",
        "expired": f"No answer yet from {answerer.name}",
    }
    email_send(
        to=[asker.email],
        subject=subjects[outcome],
        template="matching/choice/email/answered",
        context={
            "name": asker.name,
            "answerer_name": answerer.name,
            "asks": asks,
            "words": role_words(programme),
            "outcome": outcome,
            "programme_name": programme.name,
            "next_name": next_name,
            "why": why_lines(
                request.reasons,
                viewer_role="mentee" if asks else "mentor",
                words=explain_words(programme),
            ),
            "url": page_url(programme, "recommendations" if asks else "mentor_requests"),
        },
    )
    texts = {
        "accepted": f"{answerer.name} accepted: you have a new mentorship in {programme.name}.",
        "declined": f"{answerer.name} cannot take this on right now.",
        "full": f"{answerer.name} has no place left.",
        "expired": f"{answerer.name} did not answer in time.",
    }
    text = texts[outcome]
    if next_name:
        text += f" We have asked your next choice, {next_name}."
    notify(
        programme,
        asker.pk,
        f"matching.request_{outcome}",
        text,
        "recommendations" if asks else "mentor_requests",
    )
