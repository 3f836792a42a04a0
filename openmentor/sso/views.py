"""The owner's single sign-on page and the public "sign in with single sign-on" start."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import OWNERS, OrganisationRequest, organisation_view
from openmentor.sso import selectors, services
from openmentor.sso.forms import DomainForm, OidcForm, SamlForm, SignOnStartForm
from openmentor.sso.models import SsoDomain, SsoProvider


def _urls(slug: str) -> dict[str, str]:
    base = settings.SITE_URL
    return {
        "oidc_redirect": base
        + reverse("openid_connect_callback", kwargs={"provider_id": f"om-{slug}"}),
        "saml_metadata": base + reverse("saml_metadata", args=[slug]),
        "saml_acs": base + reverse("saml_acs", args=[slug]),
    }


@organisation_view(roles=OWNERS)
@require_http_methods(["GET", "POST"])
def sso_settings(request: OrganisationRequest) -> HttpResponse:
    organisation = request.organisation
    providers = selectors.sso_providers(organisation=organisation)
    oidc = providers.get(SsoProvider.Protocol.OIDC)
    saml = providers.get(SsoProvider.Protocol.SAML)
    which = request.POST.get("form") if request.method == "POST" else None
    oidc_form = OidcForm(
        request.POST if which == "oidc" else None,
        initial={
            "issuer": oidc.social_app.settings.get("server_url", "") if oidc else "",
            "client_id": oidc.social_app.client_id if oidc else "",
            "jit_role": oidc.jit_role if oidc else "participant",
        },
        # Both forms have "New people join as": ids of their own, so each label names its
        # own field (the field names stay the same).
        auto_id="oidc_%s",
    )
    saml_idp = saml.social_app.settings.get("idp", {}) if saml else {}
    saml_form = SamlForm(
        request.POST if which == "saml" else None,
        request.FILES if which == "saml" else None,
        initial={
            "entity_id": saml_idp.get("entity_id", ""),
            "sso_url": saml_idp.get("sso_url", ""),
            "jit_role": saml.jit_role if saml else "participant",
        },
        auto_id="saml_%s",
    )
    domain_form = DomainForm(request.POST if which == "domain" else None)
    try:
        if which == "oidc" and oidc_form.is_valid():
            services.sso_oidc_save(
                organisation=organisation,
                actor=request.membership,
                issuer=oidc_form.cleaned_data["issuer"],
                client_id=oidc_form.cleaned_data["client_id"],
                client_secret=oidc_form.cleaned_data["client_secret"],
                jit_role=oidc_form.cleaned_data["jit_role"],
            )
            messages.success(request, "OpenID Connect sign-on saved.")
            return redirect("sso_settings", slug=organisation.slug)
        if which == "saml" and saml_form.is_valid():
            data = saml_form.cleaned_data
            services.sso_saml_save(
                organisation=organisation,
                actor=request.membership,
                metadata_xml=data["metadata_file"] or data["metadata"],
                entity_id=data["entity_id"],
                sso_url=data["sso_url"],
                x509cert=data["x509cert"],
                jit_role=data["jit_role"],
            )
            messages.success(request, "SAML sign-on saved.")
            return redirect("sso_settings", slug=organisation.slug)
        if which == "domain" and domain_form.is_valid():
            services.sso_domain_add(
                organisation=organisation,
                actor=request.membership,
                domain=domain_form.cleaned_data["domain"],
                sso_required=domain_form.cleaned_data["sso_required"],
            )
            messages.success(request, "Domain added.")
            return redirect("sso_settings", slug=organisation.slug)
    except ValidationError as error:
        errors_to_form(
            {"oidc": oidc_form, "saml": saml_form, "domain": domain_form}[which or "oidc"], error
        )
    return render(
        request,
        "sso/settings.html",
        {
            "oidc": oidc,
            "saml": saml,
            "oidc_form": oidc_form,
            "saml_form": saml_form,
            "domain_form": domain_form,
            "domains": selectors.sso_domains(organisation=organisation),
            "urls": _urls(organisation.slug),
        },
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=OWNERS)
@require_POST
def sso_domain_change(request: OrganisationRequest, sso_domain_id: int) -> HttpResponse:
    domain = get_object_or_404(SsoDomain, organisation=request.organisation, pk=sso_domain_id)
    try:
        if request.POST.get("action") == "remove":
            services.sso_domain_remove(domain=domain, actor=request.membership)
            messages.success(request, f"{domain.domain} removed.")
        else:
            services.sso_domain_update(
                domain=domain,
                actor=request.membership,
                sso_required=request.POST.get("sso_required") == "on",
            )
            messages.success(request, f"{domain.domain} saved.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("sso_settings", slug=request.organisation.slug)


@organisation_view(roles=OWNERS)
@require_POST
def sso_provider_remove(request: OrganisationRequest, sso_provider_id: int) -> HttpResponse:
    provider = get_object_or_404(SsoProvider, organisation=request.organisation, pk=sso_provider_id)
    services.sso_provider_delete(provider=provider, actor=request.membership)
    messages.success(request, "Sign-on provider removed.")
    return redirect("sso_settings", slug=request.organisation.slug)


@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    """Someone types their work address; their organisation's sign-on takes over."""
    form = SignOnStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = selectors.sign_on_url(form.cleaned_data["email"])
        if url:
            return redirect(url)
        form.add_error("email", "No organisation signs in this address with single sign-on.")
    return render(
        request, "sso/start.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
