"""The notification centre, e-mail preferences, and the one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.links import LinkError
from openmentor.notifications import selectors, services
from openmentor.notifications.forms import PreferencesForm
from openmentor.organisations.access import OrganisationRequest, organisation_view


@organisation_view()
@require_http_methods(["GET"])
def notification_list(request: OrganisationRequest) -> HttpResponse:
    rows = selectors.notifications_for(membership=request.membership)
    return render(request, "notifications/list.html", {"notifications": rows})


@organisation_view()
@require_POST
def notifications_read(request: OrganisationRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    ids: list[int] | None = None
    if raw:
        if not raw.isdigit():
            return HttpResponse("Unknown notification.", status=400)
        ids = [int(raw)]
    services.notifications_mark_read(
        organisation_id=request.organisation.pk, user_id=request.user.pk, ids=ids
    )
    return redirect("notification_list", request.organisation.slug)


@organisation_view()
@require_http_methods(["GET", "POST"])
def notification_preferences(request: OrganisationRequest) -> HttpResponse:
    current = selectors.preferences_for(membership=request.membership)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial_choices=current
    )
    if request.method == "POST":
        if form.is_valid():
            for category, choice in form.cleaned_data.items():
                services.preference_set(
                    organisation_id=request.organisation.pk,
                    user_id=request.user.pk,
                    category=category,
                    email=choice,
                )
            messages.success(request, "Your notification settings are saved.")
            return redirect("notification_preferences", request.organisation.slug)
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # the token in the address is the authority; mail clients POST without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST, from that button or from a
    mail client's one-click (List-Unsubscribe-Post), turns the category's e-mail off."""
    if request.method == "GET":
        try:
            from openmentor.core.links import link_read

            link_read(
                token, purpose=services.UNSUBSCRIBE_PURPOSE, max_age=services.UNSUBSCRIBE_MAX_AGE
            )
        except LinkError as error:
            return render(
                request, "notifications/unsubscribe.html", {"error": str(error)}, status=400
            )
        return render(request, "notifications/unsubscribe.html", {"token": token})
    try:
        outcome = services.unsubscribe(token=token)
    except LinkError as error:
        return render(request, "notifications/unsubscribe.html", {"error": str(error)}, status=400)
    return render(request, "notifications/unsubscribe.html", {"outcome": outcome})
