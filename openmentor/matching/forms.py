from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from openmentor.matching.models import MatchingSettings
from openmentor.programmes.models import Programme, Question

WEIGHT_HELP = "0 leaves it out; 5 makes it count five times as much as a factor at 1."
FACTOR_LABELS = {
    "skills": "Weight of skills (wanted by the mentee, offered by the mentor)",
    "goals": "Weight of goals (the mentee's goals and what the mentor can help with)",
    "bio": "Weight of bios (compared by meaning)",
    "availability": "Weight of common free time each week",
    "seniority": "Weight of seniority (the mentor further in their career)",
}


def _weight(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=5,
        decimal_places=1,
        max_digits=2,
        help_text=WEIGHT_HELP,
        error_messages={
            "required": "Give a weight from 0 to 5.",
            "invalid": "Give a weight from 0 to 5, such as 1 or 2.5.",
            "min_value": "A weight cannot be below 0.",
            "max_value": "A weight cannot be above 5.",
            "max_decimal_places": "Use at most one decimal place, such as 2.5.",
            "max_digits": "Give a weight from 0 to 5, such as 1 or 2.5.",
        },
    )


def _whole(
    label: str, low: int, high: int, below: str, above: str, *, unit: str = "", help_text: str = ""
) -> forms.IntegerField:
    """A whole number from `low` to `high` whose every refusal says what to give instead."""
    what = f"number of {unit} " if unit else "number "
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": f"Give a {what}from {low} to {high}.",
            "invalid": f"Give a whole {what}from {low} to {high}.",
            "min_value": below,
            "max_value": above,
        },
    )


class MatchingSettingsForm(forms.Form):
    """Every matching control of part 1; question weights are added per question."""

    weight_skills = _weight(FACTOR_LABELS["skills"])
    weight_goals = _weight(FACTOR_LABELS["goals"])
    weight_bio = _weight(FACTOR_LABELS["bio"])
    weight_availability = _weight(FACTOR_LABELS["availability"])
    weight_seniority = _weight(FACTOR_LABELS["seniority"])
    require_common_language = forms.BooleanField(label="Require a common language", required=False)
    max_timezone_gap_hours = forms.IntegerField(
        label="Largest time-zone gap (hours)",
        required=False,
        min_value=0,
        max_value=14,
        help_text="Leave empty for no limit.",
        error_messages={
            "invalid": "Give a whole number of hours from 0 to 14, or leave it empty.",
            "min_value": "The gap cannot be negative.",
            "max_value": "Time zones are at most 14 hours apart here; leave it empty for no limit.",
        },
    )
    min_availability_overlap_minutes = forms.IntegerField(
        label="Least common free time (minutes a week)",
        min_value=0,
        max_value=7 * 24 * 60,
        help_text="Pairs with less free time in common are never proposed. 0 for no minimum.",
        error_messages={
            "required": "Give a number of minutes (0 for no minimum).",
            "invalid": "Give a whole number of minutes, such as 60.",
            "min_value": "The minimum cannot be negative.",
            "max_value": "A week has 10,080 minutes.",
        },
    )
    same_department = forms.ChoiceField(
        label="People from the same department",
        choices=MatchingSettings.SameDepartment.choices,
        error_messages={"invalid_choice": "Choose allow, avoid or forbid."},
    )
    forbid_reporting_line = forms.BooleanField(
        label="Never match someone with their manager or their manager's manager",
        required=False,
    )
    require_junior_mentor = forms.BooleanField(
        label="Only propose pairs whose mentor is less senior than the mentee",
        required=False,
        help_text=(
            "Reverse mentoring: without this the more junior mentor is preferred, not "
            "required. People whose seniority is unknown are then not matched."
        ),
    )
    min_score_percent = forms.IntegerField(
        label="Minimum match score (%)",
        min_value=0,
        max_value=100,
        help_text="Pairs scoring below this are never proposed.",
        error_messages={
            "required": "Give a score from 0 to 100.",
            "invalid": "Give a whole percentage from 0 to 100.",
            "min_value": "The minimum score cannot be below 0.",
            "max_value": "The minimum score cannot be above 100.",
        },
    )
    candidates_per_mentee = _whole(
        "Mentors considered per mentee",
        1,
        500,
        "Consider at least 1 mentor per mentee.",
        "Consider at most 500 mentors per mentee.",
        help_text="The engine proves its answer is optimal whatever this is; it only changes speed.",
    )
    mentors_per_mentee = _whole(
        "Mentors per mentee",
        1,
        3,
        "Each mentee gets at least 1 mentor.",
        "A mentee can have at most 3 mentors.",
    )
    default_mentor_capacity = _whole(
        "Mentees per mentor (default capacity)",
        1,
        20,
        "A mentor takes at least 1 mentee.",
        "A mentor takes at most 20 mentees.",
        help_text="Mentors can set their own capacity in their profile.",
    )

    # Mentee choice (used when the programme lets mentees choose).
    recommendations_shown = _whole(
        "Recommendations shown to each mentee",
        1,
        20,
        "Show at least 1 recommendation.",
        "Show at most 20 recommendations.",
    )
    max_open_requests = _whole(
        "Mentors a mentee may ask at once",
        1,
        5,
        "A mentee may ask at least 1 mentor at a time.",
        "A mentee may ask at most 5 mentors at a time.",
    )
    response_days = _whole(
        "Days a mentor has to answer a request",
        1,
        14,
        "Give mentors at least 1 day.",
        "Give mentors at most 14 days.",
        unit="days",
        help_text="After this the request moves on to the mentee's next choice.",
    )

    def __init__(
        self,
        *args: Any,
        questions: Iterable[Question] = (),
        locked: Iterable[str] = (),
        reverse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not reverse:  # the setting only means something in reverse mentoring
            del self.fields["require_junior_mentor"]
        self.question_fields: list[tuple[int, str]] = []
        for question in questions:
            name = f"question_{question.pk}"
            self.fields[name] = _weight(f"Weight of the question “{question.text}”")
            self.question_fields.append((question.pk, name))
        for name in locked:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once matching has started."

    @classmethod
    def initial_for(
        cls, programme: Programme, match_settings: MatchingSettings, questions: Iterable[Question]
    ) -> dict[str, Any]:
        weights = match_settings.weights or {}
        initial: dict[str, Any] = {
            f"weight_{name}": weights.get(name, 0.0)
            for name in ("skills", "goals", "bio", "availability", "seniority")
        }
        initial.update(
            require_common_language=match_settings.require_common_language,
            max_timezone_gap_hours=match_settings.max_timezone_gap_hours,
            min_availability_overlap_minutes=match_settings.min_availability_overlap_minutes,
            same_department=match_settings.same_department,
            forbid_reporting_line=match_settings.forbid_reporting_line,
            require_junior_mentor=match_settings.require_junior_mentor,
            min_score_percent=round(match_settings.min_score * 100),
            candidates_per_mentee=match_settings.candidates_per_mentee,
            mentors_per_mentee=programme.mentors_per_mentee,
            default_mentor_capacity=programme.default_mentor_capacity,
            recommendations_shown=match_settings.recommendations_shown,
            max_open_requests=match_settings.max_open_requests,
            response_days=match_settings.response_days,
        )
        for question in questions:
            initial[f"question_{question.pk}"] = question.matching_weight
        return initial

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        names = [f"weight_{n}" for n in ("skills", "goals", "bio", "availability", "seniority")]
        names += [name for _, name in self.question_fields]
        factor_total = sum(float(data.get(name) or 0) for name in names)
        if not self.errors and factor_total <= 0:
            self.add_error(
                "weight_skills", "Give at least one factor a weight above 0, or nothing can score."
            )
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["question_weights"] = {pk: data.pop(name) for pk, name in self.question_fields}
        for name, field in self.fields.items():
            if field.disabled:
                data.pop(name, None)
        return data


class PairForm(forms.Form):
    """A pair of the proposal, named by engine ids ("u<user id>")."""

    mentee = forms.RegexField(regex=r"^u\d{1,12}$", error_messages={"invalid": "Unknown person."})
    mentor = forms.RegexField(regex=r"^u\d{1,12}$", error_messages={"invalid": "Unknown person."})


class PinForm(PairForm):
    kind = forms.ChoiceField(choices=[("lock", "Lock"), ("forbid", "Forbid"), ("clear", "Clear")])


class SwapForm(PairForm):
    new_mentor = forms.RegexField(
        regex=r"^u\d{1,12}$", error_messages={"invalid": "Choose one of the mentors offered."}
    )
