"""Forms of the dashboard's reports (GET filters); each field carries its own message."""

from __future__ import annotations

from typing import Any

from django import forms

from openmentor.organisations.models import Organisation
from openmentor.programmes.models import Programme


class _ProgrammeChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PeopleReportForm(forms.Form):
    """Narrows the report to one of the organisation's programmes (GET)."""

    programme = _ProgrammeChoice(
        label="People in",
        queryset=Programme.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label="The whole organisation",
        error_messages={"invalid_choice": "Choose one of the listed programmes."},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Programme.objects.filter(organisation=organisation).order_by("name")
