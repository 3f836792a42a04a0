from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.views.decorators.http import require_http_methods

from openmentor.accounts.models import User
from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import OrganisationRequest, organisation_view
from openmentor.people import selectors, services
from openmentor.people.completeness import profile_completeness
from openmentor.people.forms import ProfileForm, SelfIdentificationForm
from openmentor.people.timezones import timezone_choices


@organisation_view()
@require_http_methods(["GET", "POST"])
def profile_edit(request: OrganisationRequest) -> HttpResponse:
    organisation = request.organisation
    user: User = request.user
    profile, created = services.profile_get_or_create(organisation=organisation, user=user)
    form_kwargs = {
        "profile": profile,
        "people": selectors.organisation_people(organisation=organisation),
        "taxonomy": selectors.skills_taxonomy(organisation=organisation),
    }
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, **form_kwargs)  # type: ignore[arg-type]
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(
                    profile=profile,
                    job_title=data["job_title"],
                    department=data["department"],
                    reports_to=data["reports_to"],
                    seniority_years=data["seniority_years"],
                    skills_offered=data["skills_offered"],
                    skills_wanted=data["skills_wanted"],
                    goals=data["goals"],
                    bio=data["bio"],
                    timezone=data["timezone"],
                    languages=data["languages"],
                    availability=data["availability"],
                    mentor_capacity=data["mentor_capacity"],
                    photo=data["photo"],
                    photo_remove=data["photo_remove"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("profile_edit", slug=organisation.slug)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile, fresh=created), **form_kwargs)  # type: ignore[arg-type]
    roles = selectors.profile_roles(organisation=organisation, user=user)
    percent, missing = profile_completeness(profile, roles)
    return render(
        request,
        "people/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "percent": percent,
            "missing": missing,
            "roles": sorted(roles),
            "timezones": timezone_choices(),
            "own_questionnaires": selectors.own_questionnaires(
                organisation=organisation, user=user
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="{label}">'
    '<rect width="64" height="64" fill="#d5dbe3"/>'
    '<text x="32" y="40" font-family="sans-serif" font-size="24" text-anchor="middle" '
    'fill="#1b2330">{initials}</text></svg>'
)


@organisation_view()
def person_photo(request: OrganisationRequest, user_id: int) -> HttpResponse:
    """A member's photo, for other members of the same organisation only.

    Media files have no public URL; this view is the only way to them. A member without
    a photo gets a placeholder with their initials.
    """
    organisation = request.organisation
    person, profile = selectors.member_with_profile(organisation=organisation, user_id=user_id)
    # The object is looked up first, so naming someone elsewhere is 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if profile is not None and profile.photo:
        try:
            # Re-encoded photos are small (at most 512 px), so reading one whole is fine.
            with profile.photo.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            pass
        else:
            response = HttpResponse(content, content_type="image/webp")
            response["Cache-Control"] = "private, max-age=300"
            return response
    initials = "".join(part[0] for part in person.name.split()[:2] if part).upper() or "?"
    svg = _PLACEHOLDER.format(label=escape(f"No photo of {person.name}"), initials=escape(initials))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@organisation_view()
@require_http_methods(["GET", "POST"])
def self_identification(request: OrganisationRequest) -> HttpResponse:
    """The person's own voluntary answers; nobody else ever sees them individually."""
    organisation = request.organisation
    user: User = request.user
    if request.method == "POST" and "clear" in request.POST:
        if services.self_identification_clear(organisation=organisation, user=user):
            messages.success(request, "Your answers are deleted.")
        else:
            messages.info(request, "You had no answers stored.")
        return redirect("self_identification", slug=organisation.slug)
    existing = selectors.own_self_identification(organisation=organisation, user=user)
    if request.method == "POST":
        form = SelfIdentificationForm(request.POST)
        if form.is_valid():
            try:
                saved = services.self_identification_save(
                    organisation=organisation, user=user, **form.cleaned_data
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    "Thank you, your answers are saved."
                    if saved
                    else "You left every question unanswered, so nothing is stored.",
                )
                return redirect("self_identification", slug=organisation.slug)
    else:
        initial = (
            {
                "gender": existing.gender,
                "ethnicity": existing.ethnicity,
                "age_band": existing.age_band,
                "disability": existing.disability,
            }
            if existing
            else {}
        )
        form = SelfIdentificationForm(initial=initial)
    return render(
        request,
        "people/self_identification.html",
        {"form": form, "has_answers": existing is not None},
        status=400 if request.method == "POST" else 200,
    )
