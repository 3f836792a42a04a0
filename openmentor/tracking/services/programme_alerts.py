"""What the programme team's health page shows beside health: the alerts raised by
check-ins ("not working" at the pairing fit) and meeting ratings in aggregate."""

from __future__ import annotations

from typing import Any

from openmentor.feedback.surveys.selectors import meeting_rating_aggregate
from openmentor.mentorships.models import Activity
from openmentor.programmes.models import Programme

ALERTS_SHOWN = 20


def context(*, programme: Programme) -> dict[str, Any]:
    """Two queries: the latest alerts (with the pair's names) and the rating aggregate."""
    alerts = (
        Activity.objects.filter(
            programme=programme,
            kind=Activity.Kind.MANAGER_ALERTED,
            data__reason="not_working",
            mentorship__status__in=["active", "paused"],
        )
        .select_related("mentorship__mentor", "mentorship__mentee")
        .order_by("-occurred_at")[:ALERTS_SHOWN]
    )
    rows = []
    for alert in alerts:
        m = alert.mentorship
        role = alert.data.get("role", "mentee")
        # Fit alerts come from a pair's feedback (circles have no one partner to judge).
        who, partner = (m.pair_mentee, m.mentor) if role == "mentee" else (m.mentor, m.pair_mentee)
        rows.append(
            {
                "text": f"{who.name} ({role}) says the match with {partner.name} is not working.",
                "at": alert.occurred_at,
            }
        )
    return {"fit_alerts": rows, "meeting_feedback": meeting_rating_aggregate(programme=programme)}
