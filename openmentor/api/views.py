"""The owner's pages for API tokens (under Integrations)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.api import selectors, services
from openmentor.api.forms import ApiTokenForm
from openmentor.api.scopes import scope_label
from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import OWNERS, OrganisationRequest, organisation_view


@organisation_view(roles=OWNERS)
@require_http_methods(["GET", "POST"])
def api_token_list(request: OrganisationRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    created = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            created, secret = services.api_token_create(
                actor=request.membership,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + dt.timedelta(days=int(days)) if days else None,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            form = ApiTokenForm()
    tokens = [
        (token, [scope_label(s) for s in token.scopes])
        for token in selectors.api_tokens(organisation=request.organisation)[:100]
    ]
    status = 400 if request.method == "POST" and secret is None else 200
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "secret": secret,
            "created": created,
            "now": timezone.now(),
        },
        status=status,
    )


@organisation_view(roles=OWNERS)
@require_POST
def api_token_revoke(request: OrganisationRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_in(organisation=request.organisation, token_id=token_id)
    services.api_token_revoke(token=token, actor=request.membership)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("api_token_list", slug=request.organisation.slug)
