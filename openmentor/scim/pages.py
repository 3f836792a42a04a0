"""The owner's provisioning page: the SCIM address, tokens, and roles of pushed groups."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import OWNERS, OrganisationRequest, organisation_view
from openmentor.scim import selectors, services
from openmentor.scim.forms import GroupRoleForm, ScimTokenForm
from openmentor.scim.models import ScimGroup, ScimToken


@organisation_view(roles=OWNERS)
@require_http_methods(["GET", "POST"])
def provisioning(request: OrganisationRequest) -> HttpResponse:
    form = ScimTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.scim_token_create(
                actor=request.membership,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            form = ScimTokenForm()
    groups = [
        (group, GroupRoleForm(initial={"role": group.role}, prefix=f"g{group.pk}"))
        for group in selectors.scim_groups_of(organisation=request.organisation)[:200]
    ]
    return render(
        request,
        "scim/provisioning.html",
        {
            "form": form,
            "secret": secret,
            "tokens": selectors.scim_tokens(organisation=request.organisation)[:50],
            "groups": groups,
            "base_url": f"{settings.SITE_URL}/scim/v2",
        },
        status=400 if request.method == "POST" and secret is None else 200,
    )


@organisation_view(roles=OWNERS)
@require_POST
def scim_token_revoke(request: OrganisationRequest, scim_token_id: int) -> HttpResponse:
    token = get_object_or_404(ScimToken, organisation=request.organisation, pk=scim_token_id)
    services.scim_token_revoke(token=token, actor=request.membership)
    messages.success(request, f"The SCIM token “{token.name}” no longer works.")
    return redirect("scim_settings", slug=request.organisation.slug)


@organisation_view(roles=OWNERS)
@require_POST
def scim_group_role(request: OrganisationRequest, scim_group_id: int) -> HttpResponse:
    group = get_object_or_404(ScimGroup, organisation=request.organisation, pk=scim_group_id)
    form = GroupRoleForm(request.POST, prefix=f"g{group.pk}")
    if form.is_valid():
        services.scim_group_role_set(
            actor=request.membership, group=group, role=form.cleaned_data["role"]
        )
        messages.success(request, f"Members of {group.display_name} now have that role.")
    else:
        messages.error(request, "Choose one of the roles offered.")
    return redirect("scim_settings", slug=request.organisation.slug)
