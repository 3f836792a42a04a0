from __future__ import annotations

from django import forms

from openmentor.scim.models import ScimToken


class ScimTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Which system uses it, e.g. “Entra ID”.")
    role = forms.ChoiceField(
        label="People it provisions join as", choices=ScimToken.Role.choices, initial="participant"
    )


class GroupRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role of its members",
        choices=[
            ("", "No role (the group is only kept)"),
            ("participant", "Participant"),
            ("manager", "Programme manager"),
        ],
        required=False,
    )
