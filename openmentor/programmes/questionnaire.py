"""The enrolment questionnaire: which questions apply to whom, and what a valid answer is.

The same rules serve the enrolment form (messages at each field) and the enrolment
service (which re-checks, so that no caller can store an answer the form would refuse).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.core.exceptions import ValidationError

from openmentor.programmes.models import Enrolment, Programme, Question

TEXT_ANSWER_MAX = 2000
SCALE_CHOICES = [(1, "1 (least)"), (2, "2"), (3, "3"), (4, "4"), (5, "5 (most)")]

BOTH = "both"


def role_choices(programme: Programme) -> list[tuple[str, str]]:
    """Mentor and mentee, and "both" except in reverse mentoring, whose point is a clear
    direction between the two people; in a peer programme, only "peer"."""
    if programme.kind == Programme.Kind.PEER:
        return [(Enrolment.Role.PEER.value, "Peer — be matched with another participant")]
    if programme.kind == Programme.Kind.REVERSE:
        return [
            (Enrolment.Role.MENTEE.value, "Senior mentee — learn from a more junior colleague"),
            (
                Enrolment.Role.MENTOR.value,
                "Junior mentor — share what you know with a senior colleague",
            ),
        ]
    choices = [
        (Enrolment.Role.MENTEE.value, "Mentee — I want a mentor"),
        (Enrolment.Role.MENTOR.value, "Mentor — I want to mentor someone"),
    ]
    if programme.kind != Programme.Kind.REVERSE:
        choices.append((BOTH, "Both — mentor someone and be mentored"))
    return choices


def roles_for_choice(choice: str) -> list[str]:
    if choice == BOTH:
        return [Enrolment.Role.MENTOR.value, Enrolment.Role.MENTEE.value]
    return [choice]


def question_applies(question: Question, roles: Iterable[str]) -> bool:
    roles = set(roles)
    if Enrolment.Role.PEER in roles:  # a peer is both
        roles |= {Enrolment.Role.MENTOR.value, Enrolment.Role.MENTEE.value}
    if question.audience == Question.Audience.MENTORS:
        return Enrolment.Role.MENTOR in roles
    if question.audience == Question.Audience.MENTEES:
        return Enrolment.Role.MENTEE in roles
    return True


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class AskedQuestion(Protocol):
    """What answer_clean reads of a question: the enrolment questionnaire's, or a
    survey's (feedback.SurveyQuestion), which use the same kinds."""

    @property
    def kind(self) -> str: ...

    @property
    def choices(self) -> Any: ...


def answer_clean(question: AskedQuestion, value: Any, *, skills: list[str]) -> Any:
    """Returns the answer as stored (str, list[str] or int), or raises ValidationError."""
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        if not isinstance(value, str) or value not in question.choices:
            raise ValidationError("Choose one of the listed answers.")
        return value
    if kind in (Question.Kind.MULTIPLE, Question.Kind.SKILLS):
        allowed = question.choices if kind == Question.Kind.MULTIPLE else skills
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Choose from the listed answers.")
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValidationError(f"Not one of the listed answers: {', '.join(unknown)}.")
        return list(dict.fromkeys(value))
    if kind == Question.Kind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError) as error:
            raise ValidationError("Choose a number from 1 to 5.") from error
        if str(number) != str(value).strip() or not 1 <= number <= 5:
            raise ValidationError("Choose a number from 1 to 5.")
        return number
    text = str(value).strip()
    if len(text) > TEXT_ANSWER_MAX:
        raise ValidationError(f"Keep the answer under {TEXT_ANSWER_MAX} characters.")
    return text


def answers_clean(
    *,
    programme: Programme,
    questions: Iterable[Question],
    roles: Iterable[str],
    answers: dict[int, Any],
) -> dict[int, Any]:
    """Checks every applicable answer; raises ValidationError keyed `q_<id>` per question."""
    roles = list(roles)
    errors: dict[str, str] = {}
    cleaned: dict[int, Any] = {}
    for question in questions:
        if not question_applies(question, roles):
            continue
        value = answers.get(question.pk)
        if is_empty(value):
            if question.required:
                errors[f"q_{question.pk}"] = "Answer this question."
            continue
        try:
            cleaned[question.pk] = answer_clean(question, value, skills=programme.skills)
        except ValidationError as error:
            errors[f"q_{question.pk}"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned
