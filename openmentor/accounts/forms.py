"""The extra question of sign-up: the person's name, so nobody appears as a bare address."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from openmentor.accounts.models import User


class SignupForm(forms.Form):
    """Mixed into allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="As colleagues know you; shown to your mentoring partners and in invitations.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please give your name.")
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["name"]
        user.save(update_fields=["display_name"])
