"""Form helpers every app's views share."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def errors_to_form(
    form: forms.BaseForm, error: ValidationError, names: Mapping[str, str] | None = None
) -> None:
    """Shows a service's ValidationError on the form that led to it.

    A message keyed by a field the form has goes under that field; any other (a plain
    error, or one keyed by a model field the form does not show) goes above the form, so
    no message is lost. `names` maps a service's keys to the form's field names where the
    two differ.
    """
    for key, messages in error_messages(error).items():
        name = (names or {}).get(key, key)
        field = name if name in form.fields and key != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(field, message)


def error_messages(error: ValidationError) -> Mapping[str, list[str]]:
    """A ValidationError as {field or NON_FIELD_ERRORS: messages}."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: list(error.messages)}
