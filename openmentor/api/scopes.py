"""The resources of the API and the scopes a token may hold on them."""

from __future__ import annotations

# Every resource can be read; only those with write operations offer a write scope.
READ_RESOURCES = (
    "programmes",
    "participants",
    "enrolments",
    "mentorships",
    "meetings",
    "feedback",
    "matching_runs",
)
WRITE_RESOURCES = ("programmes", "enrolments", "matching_runs")

ALL_SCOPES: tuple[str, ...] = tuple(
    [f"{r}:read" for r in READ_RESOURCES] + [f"{r}:write" for r in WRITE_RESOURCES]
)

LABELS = {
    "programmes": "Programmes",
    "participants": "Participants",
    "enrolments": "Enrolments",
    "mentorships": "Mentorships",
    "meetings": "Meetings",
    "feedback": "Feedback aggregates",
    "matching_runs": "Matching runs",
}


def scope_label(scope: str) -> str:
    resource, _, access = scope.partition(":")
    return f"{LABELS[resource]}: {access}"
