"""The survey builder: a programme's own questions on its surveys (after each meeting,
pairing fit, pulse, closing), of the enrolment questionnaire's kinds and checked by the
same rules (programmes.questionnaire.answer_clean), and their answers in aggregate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from openmentor.feedback.models import Checkin, MeetingFeedback, SurveyQuestion
from openmentor.organisations.models import Membership
from openmentor.programmes.models import Programme, Question
from openmentor.programmes.questionnaire import (
    SCALE_CHOICES,
    TEXT_ANSWER_MAX,
    answer_clean,
    is_empty,
)

MAX_QUESTIONS = 10
MAX_CHOICES = 20
SHOWN_FROM = 5


def survey_questions(*, programme: Programme, survey: str) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(programme=programme, survey=survey))


def _require_manager(programme: Programme, manager: Membership) -> None:
    if manager.organisation_id != programme.organisation_id or not manager.is_manager:
        raise PermissionDenied("Only the programme team can change its surveys.")


@transaction.atomic
def survey_question_add(
    *, programme: Programme, manager: Membership, values: dict[str, Any]
) -> SurveyQuestion:
    """Adds a question at the end of one survey; ValidationError at the field otherwise."""
    _require_manager(programme, manager)
    survey = values.get("survey")
    if survey not in SurveyQuestion.Survey.values:
        raise ValidationError({"survey": "Choose the survey to add the question to."})
    kind = values.get("kind")
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": "Choose the kind of question."})
    text = str(values.get("text", "")).strip()
    if not text:
        raise ValidationError({"text": "Write the question."})
    if len(text) > 300:
        raise ValidationError({"text": "Keep the question under 300 characters."})
    choices: list[str] = []
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        raw = values.get("choices", [])
        choices = list(dict.fromkeys(c.strip() for c in raw if isinstance(c, str) and c.strip()))
        if len(choices) < 2:
            raise ValidationError({"choices": "Give at least two answers, one a line."})
        if len(choices) > MAX_CHOICES or any(len(c) > 100 for c in choices):
            raise ValidationError({"choices": "Give at most 20 answers of 100 characters."})
    if kind == Question.Kind.SKILLS and not programme.skills:
        raise ValidationError(
            {"kind": "Add skills to the programme's taxonomy (in its settings) first."}
        )
    existing = SurveyQuestion.objects.select_for_update().filter(programme=programme, survey=survey)
    if existing.count() >= MAX_QUESTIONS:
        raise ValidationError("A survey takes at most 10 questions of your own; keep it short.")
    position = (existing.aggregate(top=Max("position"))["top"] or 0) + 1
    return SurveyQuestion.objects.create(
        programme=programme,
        survey=survey,
        kind=kind,
        text=text,
        help_text=str(values.get("help_text", "")).strip()[:300],
        required=bool(values.get("required")),
        choices=choices,
        position=position,
    )


@transaction.atomic
def survey_question_remove(*, question: SurveyQuestion, manager: Membership) -> None:
    """Removes a question; answers already given stay with their survey rows."""
    _require_manager(question.programme, manager)
    question.delete()


def custom_answers_clean(
    *, programme: Programme, questions: list[SurveyQuestion], answers: dict[str, Any]
) -> dict[str, Any]:
    """Checks each answer by its question's kind; ValidationError keyed `q_<id>`."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for question in questions:
        value = answers.get(f"q_{question.pk}")
        if is_empty(value):
            if question.required:
                errors[f"q_{question.pk}"] = "Answer this question."
            continue
        try:
            cleaned[str(question.pk)] = answer_clean(question, value, skills=programme.skills)
        except ValidationError as error:
            errors[f"q_{question.pk}"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def form_fields(questions: list[SurveyQuestion], programme: Programme) -> dict[str, forms.Field]:
    """The form fields of a survey's own questions, like the enrolment form's."""
    fields: dict[str, forms.Field] = {}
    for q in questions:
        common: dict[str, Any] = {
            "label": q.text,
            "help_text": q.help_text,
            "required": q.required,
            "error_messages": {
                "required": "Answer this question.",
                "invalid_choice": "Choose a number from 1 to 5."
                if q.kind == Question.Kind.SCALE
                else "Choose from the listed answers.",
            },
        }
        if q.kind == Question.Kind.SINGLE:
            field_: forms.Field = forms.ChoiceField(
                choices=[(c, c) for c in q.choices], widget=forms.RadioSelect, **common
            )
        elif q.kind in (Question.Kind.MULTIPLE, Question.Kind.SKILLS):
            options = q.choices if q.kind == Question.Kind.MULTIPLE else programme.skills
            field_ = forms.MultipleChoiceField(
                choices=[(c, c) for c in options], widget=forms.CheckboxSelectMultiple, **common
            )
        elif q.kind == Question.Kind.SCALE:
            field_ = forms.TypedChoiceField(
                choices=SCALE_CHOICES,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        else:
            common["error_messages"]["max_length"] = (
                f"Keep the answer under {TEXT_ANSWER_MAX} characters."
            )
            field_ = forms.CharField(
                max_length=TEXT_ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        fields[f"q_{q.pk}"] = field_
    return fields


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int
    shown: bool
    mean: float | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)
    shared_texts: list[str] = field(default_factory=list)


def survey_results(*, programme: Programme) -> list[QuestionResult]:
    """Each of the programme's questions with its answers in aggregate: from SHOWN_FROM
    answers on, a mean (scale) or counts (choices); free text only as shared by its
    author. Three queries."""
    questions = list(SurveyQuestion.objects.filter(programme=programme))
    if not questions:
        return []
    rows: list[tuple[dict[str, Any], bool]] = [
        (answers, shared)
        for answers, shared in MeetingFeedback.objects.filter(mentorship__programme=programme)
        .exclude(answers={})
        .values_list("answers", "shared")
    ]
    rows += [
        (answers, shared)
        for answers, shared in Checkin.objects.filter(mentorship__programme=programme)
        .exclude(answers={})
        .values_list("answers", "shared")
    ]
    results = []
    for q in questions:
        values = [(a[str(q.pk)], shared) for a, shared in rows if str(q.pk) in a]
        result = QuestionResult(question=q, answered=len(values), shown=len(values) >= SHOWN_FROM)
        if q.kind == Question.Kind.TEXT:
            result.shared_texts = [str(v) for v, shared in values if shared][:20]
            result.shown = True
        elif result.shown:
            if q.kind == Question.Kind.SCALE:
                numbers = [int(v) for v, _ in values]
                result.mean = round(sum(numbers) / len(numbers), 1)
            else:
                tally: Counter[str] = Counter()
                for v, _ in values:
                    tally.update(v if isinstance(v, list) else [v])
                result.counts = tally.most_common()
        results.append(result)
    return results
