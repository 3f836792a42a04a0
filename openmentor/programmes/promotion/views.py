"""Manager pages that promote a programme: campaign e-mails and ambassadors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Campaign
from openmentor.programmes.promotion import selectors as promotion_selectors
from openmentor.programmes.promotion import services as promotion
from openmentor.programmes.promotion.forms import AmbassadorForm, CampaignForm


@organisation_view(roles=MANAGERS)
def campaign_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    campaigns = promotion_selectors.campaigns_for(programme=programme)
    return render(
        request,
        "promotion/campaign_list.html",
        {"programme": programme, "campaigns": campaigns},
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def campaign_create(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = CampaignForm(request.POST or None)
    return _campaign_form(
        request,
        form,
        {"programme": programme, "campaign": None},
        lambda data: promotion.campaign_create(
            programme=programme, actor=request.membership, **data
        ),
        "Campaign saved as a draft. Check the preview, then send.",
    )


def _campaign_form(
    request: OrganisationRequest,
    form: CampaignForm,
    context: dict[str, Any],
    save: Callable[[dict[str, Any]], Campaign],
    saved: str,
) -> HttpResponse:
    """The campaign form, new or a draft's: on a valid POST, save it and go to its preview."""
    if request.method == "POST" and form.is_valid():
        try:
            campaign = save(form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, saved)
            programme = context["programme"]
            return redirect(
                "campaign_preview",
                slug=programme.organisation.slug,
                programme_slug=programme.slug,
                campaign_id=campaign.pk,
            )
    return render(
        request,
        "promotion/campaign_form.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def campaign_edit(
    request: OrganisationRequest, programme_slug: str, campaign_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    campaign = promotion_selectors.campaign_for(programme=programme, campaign_id=campaign_id)
    context = {"programme": programme, "campaign": campaign}
    if campaign.status != Campaign.Status.DRAFT:
        # Nothing to edit; say why instead of showing a form that would be refused.
        status = 409 if request.method == "POST" else 200
        return render(request, "promotion/campaign_locked.html", context, status=status)
    initial = {
        "subject": campaign.subject,
        "body_markdown": campaign.body_markdown,
        "audience": campaign.audience,
        "pasted_emails": campaign.pasted_emails,
    }
    form = CampaignForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Campaign:
        promotion.campaign_update(campaign=campaign, actor=request.membership, **data)
        return campaign

    return _campaign_form(request, form, context, save, "Campaign saved.")


@organisation_view(roles=MANAGERS)
def campaign_preview(
    request: OrganisationRequest, programme_slug: str, campaign_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    campaign = promotion_selectors.campaign_for(programme=programme, campaign_id=campaign_id)
    # Checked after the lookups so that another organisation's campaign is a 404 whatever
    # the method, like every other page.
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    recipients = (
        promotion_selectors.campaign_recipient_count(campaign=campaign)
        if campaign.status == Campaign.Status.DRAFT
        else None
    )
    return render(
        request,
        "promotion/campaign_preview.html",
        {
            "programme": programme,
            "campaign": campaign,
            "rendered": promotion.campaign_render(campaign=campaign),
            "recipient_count": recipients,
        },
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def campaign_send(
    request: OrganisationRequest, programme_slug: str, campaign_id: int
) -> HttpResponse:
    """GET asks for confirmation with the number of recipients; POST queues the sending."""
    programme = programme_for(request, programme_slug)
    campaign = promotion_selectors.campaign_for(programme=programme, campaign_id=campaign_id)
    error: str | None = None
    status = 200
    if request.method == "POST":
        try:
            count = promotion.campaign_send(
                campaign=campaign,
                actor=request.membership,
            )
        except promotion.CampaignAlreadySent as refused:
            error, status = " ".join(refused.messages), 409
            campaign.status = refused.status
        except ValidationError as refused:
            error, status = " ".join(refused.messages), 400
        else:
            messages.success(
                request,
                f"Sending “{campaign.subject}” to {count:,} "
                f"{'person' if count == 1 else 'people'}.",
            )
            return redirect(
                "campaign_preview",
                slug=programme.organisation.slug,
                programme_slug=programme.slug,
                campaign_id=campaign.pk,
            )
    recipients = (
        promotion_selectors.campaign_recipient_count(campaign=campaign)
        if campaign.status == Campaign.Status.DRAFT
        else 0
    )
    return render(
        request,
        "promotion/campaign_send.html",
        {
            "programme": programme,
            "campaign": campaign,
            "recipient_count": recipients,
            "error": error,
        },
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def ambassador_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = AmbassadorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ambassador = promotion.ambassador_add(
                programme=programme,
                actor=request.membership,
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request, f"{ambassador.user.name} is now an ambassador with their own link."
            )
            return redirect(
                "ambassador_list", slug=programme.organisation.slug, programme_slug=programme.slug
            )
    ambassadors = [
        (a, promotion_selectors.join_url(programme=programme, link_token=a.link_token))
        for a in promotion_selectors.ambassadors_for(programme=programme)
    ]
    return render(
        request,
        "promotion/ambassador_list.html",
        {"programme": programme, "form": form, "ambassadors": ambassadors},
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def ambassador_remove(
    request: OrganisationRequest, programme_slug: str, ambassador_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    ambassador = promotion_selectors.ambassador_for(
        programme=programme, ambassador_id=ambassador_id
    )
    name = ambassador.user.name
    promotion.ambassador_remove(ambassador=ambassador, actor=request.membership)
    messages.success(request, f"{name} is no longer an ambassador; their link stops counting.")
    return redirect(
        "ambassador_list", slug=programme.organisation.slug, programme_slug=programme.slug
    )
