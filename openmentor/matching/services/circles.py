"""Filling a group programme's circles with the matching engine (its circles mode).

The manager forms circles (topic, places, mentors) and asks the engine to place the
mentees who are not in one yet: each mentee joins at most one circle, no circle goes past
its places, and nobody joins a circle they lead or their manager leads; the assignment is
the engine's exact optimum. The placements are added at once (each through
`circle_member_add`, so every rule a manager adding by hand meets holds here too): a
circle's people can still be changed by hand afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from openmentor.accounts.models import User
from openmentor.matching.engine import EmbeddingUnavailable, ProblemError, load_problem, solve
from openmentor.matching.explain import engine_error_text
from openmentor.matching.problem import engine_options, user_id_of
from openmentor.matching.problem_circles import build_circle_problem, circle_id_of
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services.circles import circle_member_add
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CircleFill:
    placed: int  # mentees who joined a circle
    unplaced: int  # mentees the engine found no place for
    skipped: int  # placements refused when added (the circle changed meanwhile)


def circles_fill(*, programme: Programme, manager: Membership) -> CircleFill:
    """Places the programme's mentees who are in no circle into its circles with room,
    by the engine's circles mode. ValidationError with a plain message when there is
    nothing to fill or the engine cannot run."""
    if not manager.is_manager or manager.organisation_id != programme.organisation_id:
        raise PermissionDenied("Only the programme's managers can fill its circles.")
    if programme.kind != Programme.Kind.GROUP:
        raise ValidationError("Circles belong to group programmes; this programme is not one.")
    built = build_circle_problem(programme=programme)
    if not any(c["capacity"] > 0 for c in built.data["circles"]):
        raise ValidationError("No circle has a free place: form a circle or give one more places.")
    if not built.data["mentees"]:
        raise ValidationError("Every active mentee is already in a circle.")
    try:
        result = solve(load_problem(built.data), **engine_options())
    except (ProblemError, EmbeddingUnavailable) as error:
        raise ValidationError(engine_error_text(error)) from error
    circles = {
        c.pk: c
        for c in Mentorship.objects.filter(
            pk__in={circle_id_of(m.mentor) for m in result.matches}, programme=programme
        ).select_related("programme__organisation")
    }
    people = User.objects.in_bulk([user_id_of(m.mentee) for m in result.matches])
    placed = skipped = 0
    for match in result.matches:
        circle = circles.get(circle_id_of(match.mentor))
        person = people.get(user_id_of(match.mentee))
        if circle is None or person is None:
            skipped += 1
            continue
        try:
            circle_member_add(circle=circle, manager=manager, user=person, role="mentee")
        except ValidationError as error:
            logger.info("circle placement skipped: %s", "; ".join(error.messages))
            skipped += 1
        else:
            placed += 1
    return CircleFill(placed=placed, unplaced=len(result.unmatched), skipped=skipped)
