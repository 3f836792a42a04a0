"""The one place where domain events are recorded."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Model
from django.dispatch import Signal

from openmentor.core.models import Event


class EventKind(models.TextChoices):
    """Every kind of domain event, in one place: reports read these, so a new one is
    added here (a misspelt kind is then an error, not a report that silently misses it)."""

    AMBASSADOR_ADDED = "ambassador.added"
    AMBASSADOR_REMOVED = "ambassador.removed"
    CAMPAIGN_CREATED = "campaign.created"
    CAMPAIGN_QUEUED = "campaign.queued"
    CAMPAIGN_SENT = "campaign.sent"
    ENROLMENT_APPROVED = "enrolment.approved"
    ENROLMENT_CREATED = "enrolment.created"
    ENROLMENT_DECLINED = "enrolment.declined"
    FEEDBACK_GIVEN = "feedback.given"
    GOAL_REACHED = "goal.reached"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    MATCHING_MENTEE_INVITED = "matching.mentee_invited"
    MATCHING_PAIR_FORBIDDEN = "matching.pair_forbidden"
    MATCHING_PAIR_LOCKED = "matching.pair_locked"
    MATCHING_PAIR_SWAPPED = "matching.pair_swapped"
    MATCHING_PUBLISHED = "matching.published"
    MATCHING_REQUEST_ACCEPTED = "matching.request_accepted"
    MATCHING_REQUEST_DECLINED = "matching.request_declined"
    MATCHING_REQUESTS_SENT = "matching.requests_sent"
    MATCHING_RUN_STARTED = "matching.run_started"
    MATCHING_SETTINGS_UPDATED = "matching.settings_updated"
    MEETING_HELD = "meeting.held"
    MEETING_LOGGED_EXTERNAL = "meeting.logged_external"
    MEETING_ACCEPTED = "meeting_accepted"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_DECLINED = "meeting_declined"
    MEETING_PLACE_CHANGED = "meeting_place_changed"
    MEETING_PROPOSED = "meeting_proposed"
    MEETING_RESCHEDULED = "meeting_rescheduled"
    MEMBERSHIP_JOINED_BY_LINK = "membership.joined_by_link"
    MEMBERSHIP_JOINED_BY_SSO = "membership.joined_by_sso"
    # Emitted by the tracking work (relationship health); webhooks and chat subscribe.
    MENTORSHIP_AT_RISK = "mentorship.at_risk"
    MENTORSHIP_CREATED = "mentorship.created"
    MENTORSHIP_ENDED = "mentorship.ended"
    MENTORSHIP_PAUSED = "mentorship.paused"
    MENTORSHIP_RESUMED = "mentorship.resumed"
    MENTORSHIP_STARTED = "mentorship.started"
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_MFA_OPTIONAL = "organisation.mfa_optional"
    ORGANISATION_MFA_REQUIRED = "organisation.mfa_required"
    PARTICIPANTS_IMPORTED = "participants.imported"
    PERSON_DEPROVISIONED = "person.deprovisioned"
    PERSON_PROVISIONED = "person.provisioned"
    PROGRAMME_CREATED = "programme.created"
    PROGRAMME_INVITED = "programme.invited"
    PROGRAMME_JOIN_LINK_REPLACED = "programme.join_link_replaced"
    PROGRAMME_STATUS_CHANGED = "programme.status_changed"
    PROGRAMME_UPDATED = "programme.updated"
    REMATCH_REQUESTED = "rematch.requested"
    REMATCH_RESOLVED = "rematch.resolved"


# Sent inside the recording transaction with `event` (an Event): integrations (webhooks,
# chat) listen without core importing them, and queue their work on commit.
event_recorded = Signal()


def event_record(
    *,
    organisation: Model,
    kind: EventKind,
    actor: Model | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Records that `kind` happened in `organisation` (an Organisation), by `actor` (a User).

    Typed as models only: core is the foundation and imports no other app.
    """
    # A plain string that is no known kind fails here, not later in a report.
    kind = EventKind(kind)
    event = Event.objects.create(
        organisation_id=organisation.pk,
        actor_id=actor.pk if actor is not None else None,
        kind=kind,
        data=data or {},
    )
    event_recorded.send(sender=Event, event=event)
    return event
