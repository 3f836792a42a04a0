"""The managers' pages for a programme's icebreakers: the questions a pair is offered
for its first meetings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.mentorships import selectors
from openmentor.mentorships.forms import IcebreakerForm
from openmentor.mentorships.services import journey as mentorships_journey
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def icebreaker_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = IcebreakerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mentorships_journey.icebreaker_create(
                programme=programme,
                manager=request.membership,
                meeting_number=form.cleaned_data["meeting_number"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Icebreaker added.")
            return redirect("icebreaker_list", programme.organisation.slug, programme.slug)
    icebreakers = selectors.icebreakers_for(programme=programme)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mentorships/icebreakers.html",
        {
            "programme": programme,
            "form": form,
            "icebreakers": icebreakers,
            "defaults": selectors.DEFAULT_ICEBREAKERS,
        },
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def icebreaker_edit(
    request: OrganisationRequest, programme_slug: str, icebreaker_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    icebreaker = selectors.icebreaker_for_manager(programme=programme, icebreaker_id=icebreaker_id)
    form = IcebreakerForm(
        request.POST or None,
        initial={"meeting_number": icebreaker.meeting_number, "text": icebreaker.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            mentorships_journey.icebreaker_update(
                icebreaker=icebreaker,
                manager=request.membership,
                meeting_number=form.cleaned_data["meeting_number"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Icebreaker saved.")
            return redirect("icebreaker_list", programme.organisation.slug, programme.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mentorships/icebreaker_edit.html",
        {"programme": programme, "form": form, "icebreaker": icebreaker},
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def icebreaker_delete(
    request: OrganisationRequest, programme_slug: str, icebreaker_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    icebreaker = selectors.icebreaker_for_manager(programme=programme, icebreaker_id=icebreaker_id)
    mentorships_journey.icebreaker_delete(icebreaker=icebreaker, manager=request.membership)
    messages.success(request, "Icebreaker removed.")
    return redirect("icebreaker_list", programme.organisation.slug, programme.slug)
