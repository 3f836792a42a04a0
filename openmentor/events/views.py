"""Programme events' pages: the list (participants and managers), the event page (RSVP,
"I attended", the group room, attendance for managers) and the managers' pages to
schedule, change, cancel and add a recording."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.events import selectors, services
from openmentor.events.forms import EventForm, RecordingForm
from openmentor.events.models import EventRsvp, ProgrammeEvent
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Programme

ANSWERS = ("going", "not_going", "attended")


def _detail_url(programme: Programme, event: ProgrammeEvent) -> str:
    return reverse("event_detail", args=[programme.organisation.slug, programme.slug, event.pk])


@organisation_view()
def event_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method not in ("GET", "HEAD"):
        # After the lookup, so another organisation's programme is a 404 whatever the method.
        return HttpResponseNotAllowed(["GET"])
    manager = request.membership.is_manager
    lists = selectors.event_lists(
        programme=programme,
        now=timezone.now(),
        include_cancelled=manager,
        viewer=None if manager else request.user,
    )
    mine = selectors.answers_of(user=request.user, events=lists.upcoming + lists.past)
    return render(
        request,
        "events/list.html",
        {
            "programme": programme,
            "manager": manager,
            "upcoming": [(e, mine.get(e.pk)) for e in lists.upcoming],
            "past": [(e, mine.get(e.pk)) for e in lists.past],
        },
    )


@organisation_view()
@require_http_methods(["GET", "POST"])
def event_detail(request: OrganisationRequest, programme_slug: str, event_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    manager = request.membership.is_manager
    # Anyone who can see the programme sees its events (but a circle's only its members
    # and the managers: a 404 for anyone else, whatever the method); only the audience
    # answers.
    event = selectors.event_in_programme(
        programme=programme, event_id=event_id, viewer=None if manager else request.user
    )
    invited = services.event_invited(event=event, user=request.user)
    refused = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ANSWERS:
            return HttpResponse("Choose going, not going or attended.", status=400)
        try:
            if answer == "attended":
                services.event_attended(event=event, user=request.user)
                messages.success(request, "Thank you: your attendance is noted.")
            else:
                services.event_rsvp(event=event, user=request.user, going=answer == "going")
                messages.success(
                    request,
                    "You are going: the invitation is on its way to your e-mail."
                    if answer == "going"
                    else "Noted: you are not going.",
                )
        except PermissionDenied:
            return HttpResponse("This event is not for your role in the programme.", status=403)
        except ValidationError as error:
            # Shown on the page itself, with a 4xx: nothing was written.
            refused = " ".join(error.messages)
        else:
            return redirect(request.path)
    now = timezone.now()
    mine = EventRsvp.objects.filter(event=event, user=request.user).first()
    going_to_room = (
        event.room_id is not None and mine is not None and mine.answer == EventRsvp.Answer.GOING
    )
    room_opens = event.starts_at - selectors.ROOM_OPENS
    window = (
        event.status == ProgrammeEvent.Status.SCHEDULED
        and room_opens <= now < event.ends_at + selectors.ROOM_STAYS
    )
    attendance = selectors.event_attendance_rows(event=event) if manager else []
    host = manager and event.room_id is not None and event.created_by_id == request.user.pk
    return render(
        request,
        "events/detail.html",
        {
            "programme": programme,
            "event": event,
            "mine": mine,
            "manager": manager,
            "invited": invited,
            "refused": refused,
            "started": event.starts_at <= now,
            "over": event.ends_at <= now,
            "going_to_room": going_to_room,
            "room_open": window and (going_to_room or host),
            "room_opens": room_opens,
            "host": host,
            "attendance": attendance,
            "attended_count": sum(row.attended for row in attendance),
            "recording_form": RecordingForm(initial={"recording_url": event.recording_url})
            if manager
            else None,
        },
        status=409 if refused else 200,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def event_create(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    tz_name = timezone.get_current_timezone_name()
    form = EventForm(
        request.POST or None, tz_name=tz_name, circles=selectors.event_circles(programme=programme)
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_schedule(
                programme=programme, actor=request.membership, values=form.values()
            )
        except ValidationError as error:
            errors_to_form(form, error, {"starts_at": "time", "ends_at": "duration_minutes"})
        else:
            messages.success(request, f"{event.title} is scheduled.")
            return redirect(_detail_url(programme, event))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "events/form.html", {"programme": programme, "form": form}, status=status
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def event_edit(request: OrganisationRequest, programme_slug: str, event_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    event = selectors.event_in_programme(programme=programme, event_id=event_id, viewer=None)
    tz_name = timezone.get_current_timezone_name()
    form = EventForm(
        request.POST or None,
        tz_name=tz_name,
        circles=selectors.event_circles(programme=programme, current=event.circle),
        editing=True,
        initial=EventForm.initial_for(event, tz_name),
    )
    if event.status == ProgrammeEvent.Status.CANCELLED:
        form.add_error(None, "This event was cancelled; schedule a new one instead.")
    elif request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, actor=request.membership, values=form.values())
        except ValidationError as error:
            errors_to_form(form, error, {"starts_at": "time", "ends_at": "duration_minutes"})
        else:
            messages.success(request, "Saved: the people going get the updated invitation.")
            return redirect(_detail_url(programme, event))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "events/form.html",
        {"programme": programme, "form": form, "event": event},
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def event_cancel(request: OrganisationRequest, programme_slug: str, event_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    event = selectors.event_in_programme(programme=programme, event_id=event_id, viewer=None)
    try:
        services.event_cancel(event=event, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(programme, event))
    messages.success(request, "The event is cancelled; the people going have been told.")
    return redirect(_detail_url(programme, event))


@organisation_view(roles=MANAGERS)
@require_POST
def event_recording(
    request: OrganisationRequest, programme_slug: str, event_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    event = selectors.event_in_programme(programme=programme, event_id=event_id, viewer=None)
    form = RecordingForm(request.POST)
    if form.is_valid():
        try:
            services.event_recording_set(
                event=event,
                actor=request.membership,
                url=(form.cleaned_data["recording_url"] or "").strip(),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "The recording link is saved.")
            return redirect(_detail_url(programme, event))
    return render(
        request,
        "events/recording_error.html",
        {"programme": programme, "event": event, "form": form},
        status=400,
    )
