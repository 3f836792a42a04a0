"""The event page: details, RSVP for participants in the audience, attendance for managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openmentor.events import selectors, services
from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.organisations.access import OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for


@organisation_view()
@require_http_methods(["GET", "POST"])
def event_detail(request: OrganisationRequest, programme_slug: str, event_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    event = ProgrammeEvent.objects.filter(programme=programme, pk=event_id).first()
    if event is None:
        raise Http404
    manager = request.membership.is_manager
    # Anyone who can see the programme sees its events; only the audience answers.
    invited = services.event_invited(event=event, user=request.user)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("going", "not_going", "attended"):
            return HttpResponse("Choose going, not going or attended.", status=400)
        try:
            if answer == "attended":
                services.event_attended(event=event, user=request.user)
            else:
                services.event_rsvp(event=event, user=request.user, going=answer == "going")
        except PermissionDenied:
            return HttpResponse("This event is not for your role in the programme.", status=403)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        return redirect(request.path)
    mine = EventRsvp.objects.filter(event=event, user=request.user).first()
    attended = selectors.event_attendance(event=event) if manager else []
    return render(
        request,
        "events/detail.html",
        {
            "programme": programme,
            "event": event,
            "mine": mine,
            "attended": attended,
            "manager": manager,
            "invited": invited,
        },
    )
