"""The programme dashboard's filters (GET): a cohort and a date range, each with its message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from openmentor.dashboard.programme_report import Filters

DEFAULT_SPAN = dt.timedelta(weeks=26)
LONGEST_SPAN = dt.timedelta(days=3 * 366)


class ReportFilterForm(forms.Form):
    cohort = forms.ChoiceField(
        label="Cohort (quarter enrolled)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed cohorts."},
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start as a date, such as 2026-01-31."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the end as a date, such as 2026-06-30."},
    )

    def __init__(self, *args: Any, cohorts: list[str], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["cohort"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Everyone"), *((c, c) for c in cohorts)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or self.today
        start = data.get("start") or end - DEFAULT_SPAN
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            self.add_error("end", "The end must be on or after the start.")
        elif end - start > LONGEST_SPAN:
            self.add_error("start", "Choose a range of at most three years.")
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> Filters:
        """The filters chosen (call after is_valid())."""
        data = self.cleaned_data
        return Filters(start=data["start"], end=data["end"], cohort=data.get("cohort") or "")
