"""Tracking pages: the programme team's health list (at risk first), the ladder's
settings, a mentor's "away until", and the one-click links of nudges and warnings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openmentor.core.forms import errors_to_form
from openmentor.core.links import LinkError, link_claim, link_used
from openmentor.mentorships.models import Mentorship
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.people.models import Profile
from openmentor.people.services import profile_set_away
from openmentor.programmes.access import programme_for
from openmentor.tracking import selectors
from openmentor.tracking.forms import AwayForm, TrackingSettingsForm
from openmentor.tracking.services import ladder, programme_alerts


@organisation_view(roles=MANAGERS)
def programme_health(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    health = selectors.programme_health(programme=programme)
    return render(
        request,
        "tracking/health.html",
        {
            "programme": programme,
            "health": health,
            **programme_alerts.context(programme=programme),
        },
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def tracking_settings(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    instance = selectors.tracking_settings_for(programme)
    form = TrackingSettingsForm(
        request.POST if request.method == "POST" else None, instance=instance
    )
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "The nudge and survey settings are saved.")
            return redirect("programme_health", request.organisation.slug, programme.slug)
        return render(
            request, "tracking/settings.html", {"programme": programme, "form": form}, status=400
        )
    return render(request, "tracking/settings.html", {"programme": programme, "form": form})


@organisation_view()
@require_http_methods(["GET", "POST"])
def away(request: OrganisationRequest) -> HttpResponse:
    profile = Profile.objects.filter(organisation=request.organisation, user=request.user).first()
    current = profile.away_until if profile else None
    form = AwayForm(
        request.POST if request.method == "POST" else None, initial={"away_until": current}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                profile_set_away(
                    organisation=request.organisation,
                    user=request.user,
                    away_until=form.cleaned_data["away_until"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Saved.")
                return redirect("away", request.organisation.slug)
        return render(request, "tracking/away.html", {"form": form}, status=400)
    return render(request, "tracking/away.html", {"form": form})


@require_http_methods(["GET"])
def nudge_propose(request: HttpRequest, token: str) -> HttpResponse:
    """The nudge's one click: straight to proposing a time (after signing in)."""
    try:
        data = ladder.propose_link_read(token)
    except LinkError as error:
        return render(request, "tracking/link.html", {"error": str(error)}, status=400)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mentorship = (
        Mentorship.objects.select_related("programme__organisation").filter(pk=data["m"]).first()
    )
    if mentorship is None or request.user.pk != data["u"]:
        return render(
            request,
            "tracking/link.html",
            {"error": "This link was sent to someone else. Sign in as its owner to use it."},
            status=403,
        )
    if not link_claim(token, purpose=ladder.PROPOSE_PURPOSE):
        messages.info(request, "You have used this link before; here is the form again.")
    if mentorship.status != Mentorship.Status.ACTIVE:
        messages.info(request, "This mentorship is no longer active.")
        return redirect("mentorship_detail", mentorship.programme.organisation.slug, mentorship.pk)
    return redirect("meeting_propose", mentorship.programme.organisation.slug, mentorship.pk)


@require_http_methods(["GET", "POST"])
def closure_keep_open(request: HttpRequest, token: str) -> HttpResponse:
    """The warning's one click: keeps the mentorship open, no sign-in needed (the signed
    link names the person); a second click changes nothing and says so.

    The GET of an unused link only shows a form that submits itself (POST acts): a mail
    scanner fetching the link must not cancel the closure for everyone who never clicked.
    """
    try:
        if request.method == "GET" and not link_used(token):
            ladder.closure_link_read(token=token, now=timezone.now())
            return render(request, "tracking/link.html", {"confirm": True})
        outcome = ladder.closure_keep_open(token=token, now=timezone.now())
    except LinkError as error:
        return render(request, "tracking/link.html", {"error": str(error)}, status=400)
    return render(
        request,
        "tracking/link.html",
        {"message": outcome.message, "mentorship": outcome.mentorship, "kept": outcome.kept},
    )
