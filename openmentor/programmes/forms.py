from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms

from openmentor.programmes import questionnaire
from openmentor.programmes.models import Enrolment, Programme, Question
from openmentor.programmes.services.enrolment import emails_parse
from openmentor.programmes.services.lifecycle import MAX_INVITATIONS_AT_ONCE

MAX_SKILLS = 200
SKILL_MAX_LENGTH = 60
MAX_CHOICES = 30
CHOICE_MAX_LENGTH = 100


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


def skills_parse(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """Reads one skill per line, optionally "skill: related, related".

    Related names that are not listed on a line of their own join the taxonomy, so that
    people can choose them. Raises ValidationError naming the line at fault.
    """
    skills: list[str] = []
    related: dict[str, list[str]] = {}
    seen: dict[str, str] = {}  # lower-case -> as written first
    headed: set[str] = set()  # skills that started a line

    def add(name: str, line_number: int) -> str:
        if len(name) > SKILL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Line {line_number}: keep each skill under {SKILL_MAX_LENGTH} characters."
            )
        key = name.lower()
        if key not in seen:
            seen[key] = name
            skills.append(name)
        return seen[key]

    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, tail = line.partition(":")
        name = _normalise(head)
        if not name:
            raise forms.ValidationError(f"Line {line_number}: write the skill before the colon.")
        if name.lower() in headed:
            raise forms.ValidationError(f"Line {line_number}: “{name}” is listed twice.")
        headed.add(name.lower())
        name = add(name, line_number)
        others = [_normalise(o) for o in tail.split(",") if _normalise(o)]
        for other in others:
            if other.lower() == name.lower():
                raise forms.ValidationError(
                    f"Line {line_number}: a skill cannot be related to itself."
                )
        if others:
            related[name] = list(dict.fromkeys(add(o, line_number) for o in others))
    if len(skills) > MAX_SKILLS:
        raise forms.ValidationError(f"List at most {MAX_SKILLS} skills.")
    return skills, related


def skills_format(skills: list[str], related: dict[str, list[str]]) -> str:
    lines = []
    for skill in skills:
        others = related.get(skill)
        lines.append(f"{skill}: {', '.join(others)}" if others else skill)
    return "\n".join(lines)


class DateInput(forms.DateInput):
    input_type = "date"


class ProgrammeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    description = forms.CharField(
        label="Description", required=False, max_length=5000, widget=forms.Textarea
    )
    kind = forms.ChoiceField(label="Kind of mentoring", choices=Programme.Kind.choices)
    evergreen = forms.BooleanField(
        label="Evergreen (rolling enrolment, no fixed dates)", required=False
    )
    starts_on = forms.DateField(
        label="Starts on",
        required=False,
        widget=DateInput,
        help_text="Needed unless the programme is evergreen.",
    )
    ends_on = forms.DateField(label="Ends on", required=False, widget=DateInput)
    mentors_per_mentee = forms.IntegerField(
        label="Mentors per mentee", min_value=1, max_value=3, initial=1
    )
    default_mentor_capacity = forms.IntegerField(
        label="Mentees per mentor (default capacity)",
        min_value=1,
        max_value=20,
        initial=2,
        help_text="Each mentor can change their own capacity in their profile.",
    )
    matching_mode = forms.ChoiceField(label="Matching", choices=Programme.MatchingMode.choices)
    cadence_weeks = forms.IntegerField(
        label="Weeks between meetings", min_value=1, max_value=12, initial=2
    )
    session_minutes = forms.IntegerField(
        label="Session length (minutes)", min_value=15, max_value=240, initial=30
    )
    skills_text = forms.CharField(
        label="Skills and topics",
        required=False,
        widget=forms.Textarea,
        help_text="One skill per line. Add related skills after a colon: "
        "“python: django, data analysis”.",
    )
    requires_approval = forms.BooleanField(
        label="A manager approves each enrolment", required=False
    )
    agreement_text = forms.CharField(
        label="Mentoring agreement",
        required=False,
        max_length=10000,
        widget=forms.Textarea,
        help_text="Each person accepts it when they enrol. Leave empty for none.",
    )
    welcome_message = forms.CharField(
        label="Welcome message",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="Sent by e-mail when someone joins.",
    )

    def __init__(self, *args: Any, locked: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in locked:
            if name in self.fields:
                # Disabled fields ignore what is posted: the stored value stays.
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once matching has started."

    @classmethod
    def initial_for(cls, programme: Programme) -> dict[str, Any]:
        values = {
            name: getattr(programme, name) for name in cls.base_fields if name != "skills_text"
        }
        values["skills_text"] = skills_format(programme.skills, programme.related_skills)
        return values

    def clean_name(self) -> str:
        name = _normalise(self.cleaned_data["name"])
        if len(name) < 2:
            raise forms.ValidationError("Enter a name of at least 2 characters.")
        return name

    def clean_skills_text(self) -> str:
        text: str = self.cleaned_data["skills_text"]
        self.cleaned_data["skills"], self.cleaned_data["related_skills"] = skills_parse(text)
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts: date | None = data.get("starts_on")
        ends: date | None = data.get("ends_on")
        if data.get("evergreen"):
            if starts or ends:
                self.add_error(
                    "evergreen",
                    "An evergreen programme has no fixed dates: clear the dates or untick this.",
                )
        else:
            if "starts_on" in data and starts is None:
                self.add_error("starts_on", "Enter the start date, or make it evergreen.")
            if "ends_on" in data and ends is None:
                self.add_error("ends_on", "Enter the end date, or make it evergreen.")
            if starts and ends and ends <= starts:
                self.add_error("ends_on", "The end date must be after the start date.")
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=300)
    kind = forms.ChoiceField(label="Kind of answer", choices=Question.Kind.choices)
    choices_text = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea,
        help_text="One per line; needed for single and multiple choice.",
    )
    help_text = forms.CharField(label="Help text", required=False, max_length=300)
    audience = forms.ChoiceField(label="Asked of", choices=Question.Audience.choices)
    required = forms.BooleanField(label="An answer is required", required=False)
    feeds_matching = forms.BooleanField(label="Use the answers in matching", required=False)
    matching_weight = forms.FloatField(
        label="Weight in matching",
        min_value=0,
        max_value=5,
        initial=0,
        required=False,
        help_text="From 0 to 5; how much agreement on this question counts.",
    )

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "text": question.text,
            "kind": question.kind,
            "choices_text": "\n".join(question.choices),
            "help_text": question.help_text,
            "audience": question.audience,
            "required": question.required,
            "feeds_matching": question.feeds_matching,
            "matching_weight": question.matching_weight,
        }

    def clean_text(self) -> str:
        text = _normalise(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("Write the question.")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        choices = [_normalise(c) for c in data.get("choices_text", "").splitlines()]
        choices = [c for c in choices if c]
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            lowered = [c.lower() for c in choices]
            if len(choices) < 2:
                self.add_error("choices_text", "Give at least two answers, one per line.")
            elif len(set(lowered)) != len(lowered):
                self.add_error("choices_text", "Each answer may appear only once.")
            elif len(choices) > MAX_CHOICES:
                self.add_error("choices_text", f"Give at most {MAX_CHOICES} answers.")
            elif any(len(c) > CHOICE_MAX_LENGTH for c in choices):
                self.add_error(
                    "choices_text", f"Keep each answer under {CHOICE_MAX_LENGTH} characters."
                )
            data["choices"] = choices
        else:
            if choices:
                self.add_error(
                    "choices_text", "Only single and multiple choice questions list answers."
                )
            data["choices"] = []
        weight = data.get("matching_weight")
        if data.get("feeds_matching"):
            if not weight:
                self.add_error("matching_weight", "Give a weight above 0 to use it in matching.")
            if kind == Question.Kind.TEXT:
                self.add_error(
                    "feeds_matching", "Free-text answers cannot be compared in matching."
                )
        else:
            # A weight on a question that does not feed matching would mislead later readers.
            data["matching_weight"] = 0.0
        if data.get("matching_weight") is None:
            data["matching_weight"] = 0.0
        return data


class EnrolmentForm(forms.Form):
    """Role, questionnaire and agreement in one form; questions follow the chosen role."""

    def __init__(
        self,
        *args: Any,
        programme: Programme,
        questions: list[Question],
        taken_roles: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.questions = questions
        taken = set(taken_roles)
        choices = [
            (value, label)
            for value, label in questionnaire.role_choices(programme)
            if not set(questionnaire.roles_for_choice(value)) & taken
        ]
        self.fields["role"] = forms.ChoiceField(
            label="I join as", choices=choices, widget=forms.RadioSelect
        )
        self.fields["role"].is_group = True  # type: ignore[attr-defined]
        for question in questions:
            self.fields[f"q_{question.pk}"] = self._field_for(question)
        if programme.agreement_text:
            self.fields["agreement"] = forms.BooleanField(
                label="I accept the mentoring agreement",
                error_messages={"required": "Accept the agreement to join."},
            )
        self.fields["via"] = forms.CharField(
            required=False, max_length=64, widget=forms.HiddenInput
        )

    def _field_for(self, question: Question) -> forms.Field:
        label = question.text
        if question.audience == Question.Audience.MENTORS:
            label += " (mentors only)"
        elif question.audience == Question.Audience.MENTEES:
            label += " (mentees only)"
        # Required-ness depends on the chosen role, so it is checked in clean(); the
        # field is marked required (with its asterisk) only when it applies to everyone.
        required = question.required and question.audience == Question.Audience.EVERYONE
        common: dict[str, Any] = {
            "label": label,
            "help_text": question.help_text,
            "required": required,
            "error_messages": {"required": "Answer this question."},
        }
        field: forms.Field
        group = True
        if question.kind == Question.Kind.SINGLE:
            field = forms.ChoiceField(
                choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
            )
        elif question.kind == Question.Kind.MULTIPLE:
            field = forms.MultipleChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        elif question.kind == Question.Kind.SKILLS:
            field = forms.MultipleChoiceField(
                choices=[(s, s) for s in self.programme.skills],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        elif question.kind == Question.Kind.SCALE:
            field = forms.TypedChoiceField(
                choices=questionnaire.SCALE_CHOICES,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        else:
            group = False
            field = forms.CharField(
                max_length=questionnaire.TEXT_ANSWER_MAX, widget=forms.Textarea, **common
            )
        # Read by the questionnaire template: fieldset or not, and the required mark.
        setattr(field, "is_group", group)  # noqa: B010
        setattr(field, "question_required", question.required)  # noqa: B010
        return field

    def roles(self) -> list[str]:
        return questionnaire.roles_for_choice(self.cleaned_data.get("role", ""))

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "role" not in data:
            return data
        roles = questionnaire.roles_for_choice(data["role"])
        for question in self.questions:
            name = f"q_{question.pk}"
            if (
                question.required
                and questionnaire.question_applies(question, roles)
                and name not in self.errors
                and questionnaire.is_empty(data.get(name))
            ):
                self.add_error(name, "Answer this question.")
        return data


class ProgrammeInviteForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        widget=forms.Textarea,
        help_text="One address, or many: one per line or separated by commas.",
    )
    programme_role = forms.ChoiceField(
        label="Invite as",
        required=False,
        choices=[("", "Let each person choose"), *Enrolment.Role.choices],
    )

    def clean_emails(self) -> list[str]:
        valid, invalid, duplicates = emails_parse(self.cleaned_data["emails"])
        if invalid:
            shown = ", ".join(invalid[:10]) + (" …" if len(invalid) > 10 else "")
            raise forms.ValidationError(
                f"These are not valid e-mail addresses: {shown}. Correct them and send again."
            )
        if not valid:
            raise forms.ValidationError("Enter at least one e-mail address.")
        if len(valid) > MAX_INVITATIONS_AT_ONCE:
            raise forms.ValidationError(
                f"Invite at most {MAX_INVITATIONS_AT_ONCE} addresses at a time."
            )
        self.duplicates = duplicates
        return valid
