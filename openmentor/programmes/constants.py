"""Names the programmes app's services and selectors share (selectors never import services)."""

from __future__ import annotations

from openmentor.programmes.models import Programme

STATUS_ORDER = [
    Programme.Status.DRAFT,
    Programme.Status.ENROLLING,
    Programme.Status.MATCHING,
    Programme.Status.RUNNING,
    Programme.Status.CLOSED,
]

# Settings a manager may change; those in FIXED_ONCE_MATCHING are locked from matching on.
SETTING_FIELDS = (
    "name",
    "description",
    "kind",
    "evergreen",
    "starts_on",
    "ends_on",
    "mentors_per_mentee",
    "default_mentor_capacity",
    "matching_mode",
    "cadence_weeks",
    "session_minutes",
    "skills",
    "related_skills",
    "requires_approval",
    "agreement_text",
    "welcome_message",
)
FIXED_ONCE_MATCHING = frozenset({"kind", "matching_mode", "mentors_per_mentee"})
