from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError

from openmentor.sso.models import SsoProvider
from openmentor.sso.selectors import sso_required_for


class LoginForm(AllauthLoginForm):
    """Refuses a password for someone whose organisation requires its single sign-on."""

    def clean(self) -> dict[str, Any]:
        rule = sso_required_for(str(self.data.get("login", "")))
        if rule is not None:
            raise ValidationError(
                f"{rule.organisation.name} signs in people at {rule.domain} with its single "
                "sign-on. Use “Sign in with single sign-on” below."
            )
        return super().clean()  # type: ignore[no-any-return]


class SignOnStartForm(forms.Form):
    email = forms.EmailField(label="Work e-mail address")


class OidcForm(forms.Form):
    issuer = forms.CharField(
        label="Issuer URL",
        max_length=500,
        help_text="e.g. https://login.microsoftonline.com/<tenant>/v2.0, https://acme.okta.com, https://accounts.google.com or https://keycloak.example/realms/acme",
    )
    client_id = forms.CharField(label="Client id", max_length=191)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        widget=forms.PasswordInput,
        help_text="Leave blank to keep the one saved.",
    )
    jit_role = forms.ChoiceField(label="New people join as", choices=SsoProvider.Role.choices)


class SamlForm(forms.Form):
    metadata = forms.CharField(
        label="IdP metadata (XML)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paste the metadata, or upload it below, or fill in the three fields after.",
    )
    metadata_file = forms.FileField(label="Or upload the metadata file", required=False)
    entity_id = forms.CharField(label="IdP entity id", max_length=500, required=False)
    sso_url = forms.CharField(label="IdP sign-on URL", max_length=500, required=False)
    x509cert = forms.CharField(
        label="IdP signing certificate", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    jit_role = forms.ChoiceField(label="New people join as", choices=SsoProvider.Role.choices)

    def clean_metadata_file(self) -> str:
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return ""
        if upload.size > 500_000:
            raise ValidationError("The metadata file is over 500 KB.")
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise ValidationError("The metadata file is not UTF-8 XML.") from error


class DomainForm(forms.Form):
    domain = forms.CharField(max_length=253, help_text="Your own address must be at it.")
    sso_required = forms.BooleanField(
        label="Require single sign-on (no passwords) for members at this domain", required=False
    )
