"""Forms for the pair's space and the manager pages; each field carries its own message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from openmentor.programmes.models import Enrolment
from openmentor.programmes.roles import ONE_TO_ONE, PEER, RoleWords


class AgreementForm(forms.Form):
    hopes = forms.CharField(
        label="What do you hope for from this mentorship?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Write a sentence or two about what you hope for."},
    )
    cadence_weeks = forms.TypedChoiceField(
        label="How often will you meet?",
        coerce=int,
        choices=[(n, f"Every {n} week{'s' if n > 1 else ''}") for n in range(1, 13)],
        error_messages={"invalid_choice": "Choose how often you will meet."},
    )
    confidentiality = forms.BooleanField(
        label="I will keep what we share in our conversations confidential.",
        error_messages={"required": "Tick this to agree to keep what you share confidential."},
    )


class GoalForm(forms.Form):
    title = forms.CharField(label="Goal", max_length=200)
    description = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GoalEditForm(GoalForm):
    progress = forms.IntegerField(
        label="Progress (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": "Progress is a percentage from 0 to 100.",
            "max_value": "Progress is a percentage from 0 to 100.",
            "invalid": "Enter a whole number from 0 to 100.",
            "required": "Enter a whole number from 0 to 100.",
        },
    )


class MilestoneForm(forms.Form):
    text = forms.CharField(label="New milestone", max_length=200)


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    visibility = forms.ChoiceField(
        label="Who can read it?",
        choices=[
            ("shared", "Shared with my partner"),
            ("private", "Private: only me"),
        ],
        initial="shared",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose shared or private."},
    )


class ExternalMeetingForm(forms.Form):
    held_on = forms.DateField(
        label="Date of the meeting",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date such as 2025-03-14."},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=5,
        max_value=240,
        error_messages={
            "min_value": "Enter a length from 5 to 240 minutes.",
            "max_value": "Enter a length from 5 to 240 minutes.",
            "invalid": "Enter a length from 5 to 240 minutes.",
        },
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)


class _PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name} ({obj.user.email})"


class MentorshipCreateForm(forms.Form):
    """Two labelled selects of the programme's active mentors and mentees."""

    mentor = _PersonChoice(
        label="Mentor",
        queryset=Enrolment.objects.none(),
        empty_label="Choose a mentor",
        error_messages={
            "required": "Choose a mentor.",
            "invalid_choice": "Choose one of the listed mentors.",
        },
    )
    mentee = _PersonChoice(
        label="Mentee",
        queryset=Enrolment.objects.none(),
        empty_label="Choose a mentee",
        error_messages={
            "required": "Choose a mentee.",
            "invalid_choice": "Choose one of the listed mentees.",
        },
    )

    def __init__(
        self,
        *args: Any,
        mentors: QuerySet[Enrolment],
        mentees: QuerySet[Enrolment],
        words: RoleWords = ONE_TO_ONE,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]
        self.fields["mentee"].queryset = mentees  # type: ignore[attr-defined]
        if words != ONE_TO_ONE:
            self._label(words)

    def _label(self, words: RoleWords) -> None:
        """The programme's words on labels and messages ("Junior mentor", "First peer")."""
        for side, plural in (("mentor", words.mentors), ("mentee", words.mentees)):
            word = getattr(words, side)
            label = word[:1].upper() + word[1:]
            if words == PEER:  # both selects list the same peers
                label = "First peer" if side == "mentor" else "Second peer"
            field = self.fields[side]
            field.label = label
            field.empty_label = f"Choose a {word}"  # type: ignore[attr-defined]
            field.error_messages = {
                **field.error_messages,
                "required": f"Choose a {word}.",
                "invalid_choice": f"Choose one of the listed {plural}.",
            }


class RematchForm(forms.Form):
    partner = forms.TypedChoiceField(
        label="New partner",
        coerce=int,
        error_messages={
            "required": "Choose a new partner.",
            "invalid_choice": "Choose one of the listed people.",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "Choose someone"), *choices]  # type: ignore[attr-defined]


class IcebreakerForm(forms.Form):
    meeting_number = forms.TypedChoiceField(
        label="For which meeting?",
        coerce=int,
        choices=[(1, "First meeting"), (2, "Second meeting")],
        error_messages={"invalid_choice": "Choose the first or the second meeting."},
    )
    text = forms.CharField(label="Question or prompt", max_length=300)


# --- Circles -----------------------------------------------------------------------------


class _PeopleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name} ({obj.user.email})"


class CircleForm(forms.Form):
    """A circle formed by hand: topic, seats, one or two mentors, some mentees."""

    topic = forms.CharField(label="Topic", max_length=200)
    capacity = forms.IntegerField(
        label="Mentees it takes",
        min_value=1,
        max_value=50,
        initial=6,
        error_messages={
            "min_value": "A circle takes between 1 and 50 mentees.",
            "max_value": "A circle takes between 1 and 50 mentees.",
            "invalid": "Enter a number of mentees from 1 to 50.",
        },
    )
    mentors = _PeopleChoice(
        label="Mentors (one or two)",
        queryset=Enrolment.objects.none(),
        error_messages={
            "required": "Choose one or two mentors.",
            "invalid_choice": "Choose mentors from the list.",
            "invalid_pk_value": "Choose mentors from the list.",
        },
    )
    mentees = _PeopleChoice(
        label="Mentees (you can add more later, or let matching fill the circle)",
        queryset=Enrolment.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "Choose mentees from the list.",
            "invalid_pk_value": "Choose mentees from the list.",
        },
    )

    def __init__(
        self,
        *args: Any,
        mentors: QuerySet[Enrolment],
        mentees: QuerySet[Enrolment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentors"].queryset = mentors  # type: ignore[attr-defined]
        self.fields["mentees"].queryset = mentees  # type: ignore[attr-defined]


class _EnrolmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name} ({obj.user.email}), as {obj.role}"


class CircleMemberForm(forms.Form):
    person = _EnrolmentChoice(
        label="Person to add",
        queryset=Enrolment.objects.none(),
        empty_label="Choose someone",
        error_messages={
            "required": "Choose someone to add.",
            "invalid_choice": "Choose one of the listed people.",
        },
    )

    def __init__(self, *args: Any, people: QuerySet[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class CircleAgreementForm(forms.Form):
    hopes = forms.CharField(
        label="What do you hope for from this circle?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Write a sentence or two about what you hope for."},
    )
    confidentiality = forms.BooleanField(
        label="I will keep what the circle shares confidential.",
        error_messages={"required": "Tick this to agree to keep what you share confidential."},
    )
