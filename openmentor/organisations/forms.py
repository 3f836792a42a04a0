from __future__ import annotations

from typing import Any

from django import forms

from openmentor.organisations.models import Membership, Role


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label="Organisation name",
        max_length=120,
        min_length=2,
        help_text="As your people know it, for example “Northwind Traders”.",
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise forms.ValidationError("Enter a name of at least 2 characters.")
        return name


class SecurityForm(forms.Form):
    require_mfa_for_managers = forms.BooleanField(
        label="Require two-factor authentication for owners and managers",
        required=False,
        help_text=(
            "Owners and managers without it are sent to set it up (an authenticator app) "
            "before they can open this organisation's pages. Participants are not affected."
        ),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.PARTICIPANT)

    def __init__(self, *args: Any, inviter: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not inviter.is_owner:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [(Role.PARTICIPANT.value, Role.PARTICIPANT.label)]
