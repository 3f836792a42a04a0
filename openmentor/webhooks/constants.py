from __future__ import annotations

from openmentor.core.events import EventKind

# The domain events an organisation can subscribe to, as the types its receivers see.
# "meeting.held" and "mentorship.at_risk" come from the activity record
# (openmentor/mentorships/activity.py), once each.
EVENT_TYPES: dict[str, str] = {
    EventKind.MENTORSHIP_STARTED: "Mentorship started",
    EventKind.MENTORSHIP_ENDED: "Mentorship ended",
    EventKind.MEETING_HELD: "Meeting held",
    EventKind.MEETING_LOGGED_EXTERNAL: "Meeting held elsewhere (logged by the pair)",
    EventKind.FEEDBACK_GIVEN: "Feedback given",
    EventKind.ENROLMENT_CREATED: "Participant enrolled",
    EventKind.MENTORSHIP_AT_RISK: "Mentorship at risk",
}

# Attempts in all, and the wait before each retry: 30 s, 2 min, 8 min, 32 min, ~2 h, ~8.5 h.
MAX_ATTEMPTS = 7
FIRST_RETRY_SECONDS = 30
BACKOFF_FACTOR = 4
MAX_ENDPOINTS = 20


def retry_delay_seconds(attempts: int) -> int:
    """The wait after the `attempts`-th failed attempt (1-based)."""
    return int(FIRST_RETRY_SECONDS * BACKOFF_FACTOR ** (attempts - 1))
