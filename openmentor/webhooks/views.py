"""The owner's webhook pages: endpoints, their delivery log, and replaying a delivery."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import OWNERS, OrganisationRequest, organisation_view
from openmentor.webhooks import selectors, services
from openmentor.webhooks.constants import EVENT_TYPES
from openmentor.webhooks.forms import EndpointForm, EndpointUpdateForm


@organisation_view(roles=OWNERS)
@require_http_methods(["GET", "POST"])
def webhook_list(request: OrganisationRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(
                actor=request.membership,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Endpoint added. Verify deliveries with its secret.")
            return redirect(
                "webhook_detail", slug=request.organisation.slug, endpoint_id=endpoint.pk
            )
    endpoints = selectors.webhook_endpoints(organisation=request.organisation)
    return render(
        request,
        "webhooks/list.html",
        {"form": form, "endpoints": endpoints, "labels": EVENT_TYPES},
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=OWNERS)
@require_http_methods(["GET", "POST"])
def webhook_detail(request: OrganisationRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_in(
        organisation=request.organisation, endpoint_id=endpoint_id
    )
    form = EndpointUpdateForm(
        request.POST or None,
        initial={"event_types": endpoint.event_types, "active": endpoint.active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(
                endpoint=endpoint,
                actor=request.membership,
                event_types=form.cleaned_data["event_types"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect(
                "webhook_detail", slug=request.organisation.slug, endpoint_id=endpoint.pk
            )
    deliveries = selectors.webhook_deliveries(endpoint=endpoint)[:50]
    return render(
        request,
        "webhooks/detail.html",
        {"endpoint": endpoint, "form": form, "deliveries": deliveries},
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=OWNERS)
@require_POST
def webhook_delete(request: OrganisationRequest, endpoint_id: int) -> HttpResponse:
    endpoint = selectors.webhook_endpoint_in(
        organisation=request.organisation, endpoint_id=endpoint_id
    )
    services.webhook_endpoint_delete(endpoint=endpoint, actor=request.membership)
    messages.success(request, f"The endpoint {endpoint.url} was removed.")
    return redirect("webhook_list", slug=request.organisation.slug)


@organisation_view(roles=OWNERS)
def webhook_delivery_detail(request: OrganisationRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.webhook_delivery_in(
        organisation=request.organisation, delivery_id=delivery_id
    )
    return render(
        request,
        "webhooks/delivery.html",
        {
            "delivery": delivery,
            "payload": json.dumps(delivery.payload, indent=2, sort_keys=True),
            "attempts": selectors.webhook_attempts(delivery=delivery),
        },
    )


@organisation_view(roles=OWNERS)
@require_POST
def webhook_delivery_replay(request: OrganisationRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.webhook_delivery_in(
        organisation=request.organisation, delivery_id=delivery_id
    )
    services.webhook_delivery_replay(delivery=delivery, actor=request.membership)
    messages.success(request, "The delivery is being sent again.")
    return redirect(
        "webhook_delivery_detail", slug=request.organisation.slug, delivery_id=delivery.pk
    )
