"""The community page's forms: searching the directory, and a person's own opt-ins."""

from __future__ import annotations

from typing import Any

from django import forms


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search with at most 100 characters."},
    )
    skill = forms.ChoiceField(
        label="Skill",
        required=False,
        error_messages={"invalid_choice": "Choose a skill from the programme's list."},
    )

    def __init__(self, *args: Any, skills: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["skill"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any skill"), *((s, s) for s in skills)]


class OptInForm(forms.Form):
    listed = forms.BooleanField(
        label="List me in the directory of my programmes",
        required=False,
        help_text="Other participants and the programme team see your name, role, job title, "
        "skills and the start of your bio.",
    )
    share_milestones = forms.BooleanField(
        label="Share my milestones on the community page",
        required=False,
        help_text="First and fifth meeting, halfway, goals reached (never what the goal is). "
        "Your partner is named only if they share theirs too.",
    )
