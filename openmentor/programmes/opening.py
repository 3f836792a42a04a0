"""What an invitation says about when its programme can be joined.

One sentence for the manager who invites and one for the person invited, so inviting
into a draft is never a silent dead end (the person accepts, then finds a closed door).
"""

from __future__ import annotations

from openmentor.programmes.models import Programme


def _planned(programme: Programme) -> str:
    if programme.starts_on is None:
        return ""
    return f" It is planned to start on {programme.starts_on.day} {programme.starts_on:%B %Y}."


def opening_for_invitee(programme: Programme) -> str:
    """When the invited person can enrol, in their words."""
    if programme.status == Programme.Status.DRAFT:
        return (
            f"{programme.name} is not open yet: you can accept now, and you can enrol as "
            f"soon as the organisers open it; we will show you the way in." + _planned(programme)
        )
    if programme.status == Programme.Status.ENROLLING:
        return f"{programme.name} is open: you can enrol as soon as you accept."
    if programme.status == Programme.Status.CLOSED:
        return f"{programme.name} has closed."
    return f"{programme.name} is under way: accept, and enrol to be matched in its next round."


def draft_warning_for_manager(programme: Programme) -> str:
    """The warning shown when a manager invites into a programme nobody can enrol in yet."""
    if programme.status != Programme.Status.DRAFT:
        return ""
    return (
        f"{programme.name} is still a draft: people you invite can accept, but they can enrol "
        "only once you open enrolment. Their invitation says so."
    )
