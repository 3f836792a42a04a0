"""Editing a programme's questionnaire, allowed until the first answer is stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from openmentor.organisations.models import Membership
from openmentor.programmes.models import (
    Programme,
    Question,
)
from openmentor.programmes.selectors import (
    questionnaire_answered,
)
from openmentor.programmes.services.lifecycle import QUESTION_FIELDS, _require_manager

# --- Questionnaire -------------------------------------------------------------------


def questionnaire_lock_reason(programme: Programme) -> str | None:
    if programme.status == Programme.Status.CLOSED:
        return "The programme is closed: its questionnaire can no longer change."
    if questionnaire_answered(programme=programme):
        return (
            "People have answered the questionnaire already, so it can no longer change: "
            "every answer must have been given to the same questions."
        )
    return None


def _require_questionnaire_editable(programme: Programme) -> None:
    reason = questionnaire_lock_reason(programme)
    if reason:
        raise ValidationError(reason)


def _check_question(programme: Programme, question: Question) -> None:
    if question.kind == Question.Kind.SKILLS and not programme.skills:
        raise ValidationError(
            {"kind": "Add skills to the programme's taxonomy (in its settings) first."}
        )
    question.full_clean(exclude=["programme", "position"])


@transaction.atomic
def question_create(*, programme: Programme, actor: Membership, values: dict[str, Any]) -> Question:
    """Adds a question at the end of the questionnaire."""
    _require_manager(actor, programme.organisation_id)
    # Lock the programme row: concurrent additions get distinct positions.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    _require_questionnaire_editable(programme)
    last = Question.objects.filter(programme=programme).aggregate(m=Max("position"))["m"]
    question = Question(programme=programme, position=(last or 0) + 1)
    for name in QUESTION_FIELDS:
        if name in values:
            setattr(question, name, values[name])
    _check_question(programme, question)
    question.save()
    return question


@transaction.atomic
def question_update(*, question: Question, actor: Membership, values: dict[str, Any]) -> None:
    programme = question.programme
    _require_manager(actor, programme.organisation_id)
    _require_questionnaire_editable(programme)
    for name in QUESTION_FIELDS:
        if name in values:
            setattr(question, name, values[name])
    _check_question(programme, question)
    question.save()


@transaction.atomic
def question_delete(*, question: Question, actor: Membership) -> None:
    _require_manager(actor, question.programme.organisation_id)
    _require_questionnaire_editable(question.programme)
    question.delete()


@transaction.atomic
def question_move(*, question: Question, actor: Membership, direction: str) -> bool:
    """Swaps the question with its neighbour above or below; False at either end."""
    programme = question.programme
    _require_manager(actor, programme.organisation_id)
    _require_questionnaire_editable(programme)
    if direction not in ("up", "down"):
        raise ValidationError("Move a question up or down.")
    ordered = list(
        Question.objects.select_for_update().filter(programme=programme).order_by("position", "id")
    )
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumber all: positions may have gaps or ties from older data.
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return True
