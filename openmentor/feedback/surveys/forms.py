from __future__ import annotations

from typing import Any

from django import forms

from openmentor.feedback.forms import RATING_CHOICES, RATING_MESSAGE
from openmentor.feedback.models import Checkin, SurveyQuestion
from openmentor.programmes.models import Question

SHARE_HELP = (
    "Unticked, the programme team sees your answers only in averages over many people. "
    "Your comment is yours alone either way."
)
COMMENT_HELP = "Only you will ever see this: not your partner, not the programme team."


def _comment() -> forms.CharField:
    return forms.CharField(
        label="A private comment (optional)",
        help_text=COMMENT_HELP,
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep your comment under 5,000 characters."},
    )


def _rating(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": RATING_MESSAGE, "invalid_choice": RATING_MESSAGE},
    )


def _share() -> forms.BooleanField:
    return forms.BooleanField(
        label="Share my answers with the programme team", required=False, help_text=SHARE_HELP
    )


class MeetingFeedbackForm(forms.Form):
    happened = forms.TypedChoiceField(
        label="Did the meeting happen?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Tell us whether the meeting happened.",
            "invalid_choice": "Answer yes or no.",
        },
    )
    rating = _rating("How useful was the meeting for you?", required=False)
    comment = _comment()
    shared = _share()

    def __init__(
        self, *args: Any, ask_happened: bool, extra: dict[str, forms.Field], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not ask_happened:
            del self.fields["happened"]
        comment, shared = self.fields.pop("comment"), self.fields.pop("shared")
        self.fields.update(extra)  # the programme's own questions, before the comment
        self.fields["comment"], self.fields["shared"] = comment, shared

    def custom(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k.startswith("q_")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = data.get("happened", True) is not False and data.get("rating") is None
        if missing and "rating" not in self.errors:
            self.add_error("rating", RATING_MESSAGE)
        return data


class CheckinForm(forms.Form):
    def __init__(
        self, *args: Any, survey: str, extra: dict[str, forms.Field], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if survey == Checkin.Survey.PAIRING_FIT:
            self.fields["comfortable"] = forms.ChoiceField(
                label="Do you feel comfortable with your partner?",
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Answer yes or no.",
                    "invalid_choice": "Answer yes or no.",
                },
            )
            self.fields["fit"] = forms.ChoiceField(
                label="Does the match work for you?",
                choices=Checkin.Fit.choices,
                widget=forms.RadioSelect,
                help_text="If it is not working, the programme team is told, so they can help; "
                "you are offered a no-fault ending and a new match.",
                error_messages={
                    "required": "Choose the answer that fits best.",
                    "invalid_choice": "Choose the answer that fits best.",
                },
            )
        else:
            self.fields["rating"] = _rating(
                "How useful is this mentorship for you?"
                if survey == Checkin.Survey.PULSE
                else "How useful was this mentorship for you?"
            )
            if survey == Checkin.Survey.CLOSING:
                self.fields["nps"] = forms.TypedChoiceField(
                    label="How likely are you to recommend this programme to a colleague? "
                    "(0 not at all, 10 very)",
                    choices=[(n, str(n)) for n in range(11)],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": "Choose a number from 0 to 10.",
                        "invalid_choice": "Choose a number from 0 to 10.",
                    },
                )
            self.fields["shared"] = _share()
        self.fields.update(extra)  # the programme's own questions
        self.fields["comment"] = _comment()


class SurveyQuestionForm(forms.Form):
    survey = forms.ChoiceField(
        label="Survey",
        choices=SurveyQuestion.Survey.choices,
        error_messages={"required": "Choose the survey.", "invalid_choice": "Choose the survey."},
    )
    kind = forms.ChoiceField(
        label="Kind of question",
        choices=Question.Kind.choices,
        error_messages={
            "required": "Choose the kind of question.",
            "invalid_choice": "Choose the kind of question.",
        },
    )
    text = forms.CharField(
        label="Question",
        max_length=300,
        error_messages={
            "required": "Write the question.",
            "max_length": "Keep the question under 300 characters.",
        },
    )
    help_text = forms.CharField(label="Help text (optional)", required=False, max_length=300)
    choices = forms.CharField(
        label="Answers to choose from (one a line; single and multiple choice)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    required = forms.BooleanField(label="An answer is required", required=False)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = data.get("choices", "").splitlines()
        return data
