"""Meeting pages of a mentorship, the calendar-feed page and the public feed itself."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openmentor.accounts.models import User
from openmentor.meetings import calendar, selectors, services, times
from openmentor.meetings import forms as meeting_forms
from openmentor.meetings.forms import AgendaItemForm, MeetingNoteForm, MeetingTimeForm, ProposeForm
from openmentor.meetings.models import Meeting
from openmentor.mentorships import members
from openmentor.mentorships import selectors as mentorship_selectors
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import journey as mentorships_journey
from openmentor.organisations.access import OrganisationRequest, organisation_view
from openmentor.organisations.models import Membership


def _mentorship(request: OrganisationRequest, mentorship_id: int) -> Mentorship:
    membership: Membership = request.membership
    return selectors.mentorship_for_viewer(membership=membership, mentorship_id=mentorship_id)


def _member_only(request: OrganisationRequest, mentorship: Mentorship) -> User:
    user: User = request.user
    if not selectors.is_member(mentorship=mentorship, user=user):
        # Managers may read meetings but only the pair plans them.
        raise PermissionDenied("Only the mentor and the mentee can change their meetings.")
    return user


def _viewer_tz(request: OrganisationRequest, mentorship: Mentorship) -> str:
    user_id = int(request.user.pk)
    zones = selectors.profile_timezones(
        organisation_id=mentorship.programme.organisation_id, user_ids=[user_id]
    )
    return zones[user_id]


def _service_errors(form: forms.Form, error: ValidationError, time_field: str) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, field_errors in error.message_dict.items():
        target = time_field if field == "starts_at" else field
        for message in field_errors:
            form.add_error(target if target in form.fields else None, message)


def _detail_url(meeting: Meeting) -> str:
    mentorship = meeting.mentorship
    return reverse(
        "meeting_detail",
        kwargs={
            "slug": mentorship.programme.organisation.slug,
            "mentorship_id": mentorship.pk,
            "meeting_id": meeting.pk,
        },
    )


@organisation_view()
def meeting_list(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    if request.method not in ("GET", "HEAD"):
        # Checked after the lookup, so another organisation's mentorship is a 404 first.
        return HttpResponseNotAllowed(["GET"])
    meetings = list(
        selectors.mentorship_meetings(mentorship=mentorship)
        .annotate(agenda_count=Count("agenda_items"))
        # A GROUP BY query drops the model's default ordering: order explicitly.
        .order_by("starts_at", "pk")
    )
    now = timezone.now()
    context = {
        "mentorship": mentorship,
        "upcoming": [m for m in meetings if m.ends_at >= now and m.is_open],
        # The most recent first: that is the one people look back at.
        "past": [m for m in reversed(meetings) if not (m.ends_at >= now and m.is_open)],
        "viewer_tz": _viewer_tz(request, mentorship),
        "is_member": selectors.is_member(mentorship=mentorship, user=request.user),
    }
    return render(request, "meetings/list.html", context)


@organisation_view()
@require_http_methods(["GET", "POST"])
def meeting_propose(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    user = _member_only(request, mentorship)
    tz_name = _viewer_tz(request, mentorship)
    default_minutes = min(max(mentorship.agreed_session_minutes, 15), 240)
    suggestions = selectors.common_free_starts(
        mentorship=mentorship, viewer_tz=tz_name, duration_minutes=default_minutes
    )
    form = ProposeForm(
        request.POST or None,
        suggestions=suggestions,
        tz_name=tz_name,
        default_minutes=default_minutes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings = services.meeting_propose(
                mentorship=mentorship,
                proposer=user,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                every_weeks=data.get("repeat_every_weeks"),
                count=data.get("repeat_count"),
                local_tz=tz_name,
                location=data.get("location") or "",
            )
        except ValidationError as error:
            _service_errors(form, error, form.time_field)
        else:
            asked = (
                "The other members of the circle have been asked to confirm it."
                if mentorship.is_circle
                else f"{members.others_of(mentorship, user)[0].name} has been asked to accept."
            )
            what = (
                "Meeting proposed" if len(meetings) == 1 else f"{len(meetings)} meetings proposed"
            )
            messages.success(request, f"{what}. {asked}")
            if form.ambiguous_note:
                messages.warning(request, form.ambiguous_note)
            return redirect(_detail_url(meetings[0]))
    status = 400 if request.method == "POST" else 200
    context = {"mentorship": mentorship, "form": form, "viewer_tz": tz_name}
    return render(request, "meetings/propose.html", context, status=status)


@organisation_view()
def meeting_detail(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _render_detail(request, meeting)


def _render_detail(
    request: OrganisationRequest,
    meeting: Meeting,
    *,
    agenda_form: AgendaItemForm | None = None,
    note_form: MeetingNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    mentorship = meeting.mentorship
    user: User = request.user
    member = selectors.is_member(mentorship=mentorship, user=user)
    now = timezone.now()
    future = meeting.starts_at > now
    held = not future and meeting.status not in (
        Meeting.Status.CANCELLED,
        Meeting.Status.DECLINED,
    )
    context = {
        "mentorship": mentorship,
        "meeting": meeting,
        "agenda": selectors.agenda_items(meeting=meeting),
        "agenda_form": agenda_form or AgendaItemForm(),
        # Notes are the pair's own: managers read the meeting page without them.
        # A refused note is shown with its message even where notes are not offered.
        "show_notes": member and (held or bool(note_form and note_form.errors)),
        "notes": (
            list(
                mentorship_selectors.notes_for_meeting(mentorship=mentorship, meeting_id=meeting.pk)
            )
            if member and held
            else []
        ),
        "note_form": note_form or MeetingNoteForm(),
        "join_open": bool(meeting.call_link_at(now)),
        "viewer_tz": _viewer_tz(request, mentorship),
        "is_member": member,
        "can_answer": member
        and future
        and meeting.status == Meeting.Status.PROPOSED
        and meeting.proposed_by_id != user.pk,
        "can_change": member and meeting.is_open,
        "series_left": (
            meeting.series.meetings.filter(status=Meeting.Status.PROPOSED).count()
            if meeting.series_id and meeting.series
            else 0
        ),
    }
    return render(request, "meetings/detail.html", context, status=status)


def _answer(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int, action: str
) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    user = _member_only(request, mentorship)
    try:
        if action == "accept":
            services.meeting_accept(meeting=meeting, actor=user)
            messages.success(request, "Meeting accepted. It is in both your calendars.")
        elif action == "decline":
            services.meeting_decline(meeting=meeting, actor=user)
            messages.success(
                request, "Meeting declined. Propose another time whenever it suits you."
            )
        else:
            services.meeting_cancel(meeting=meeting, actor=user)
            messages.success(request, "Meeting cancelled. Both calendars have been updated.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_detail_url(meeting))


@organisation_view()
@require_POST
def meeting_accept(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    return _answer(request, mentorship_id, meeting_id, "accept")


@organisation_view()
@require_POST
def meeting_decline(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    return _answer(request, mentorship_id, meeting_id, "decline")


@organisation_view()
@require_POST
def meeting_cancel(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    return _answer(request, mentorship_id, meeting_id, "cancel")


@organisation_view()
@require_http_methods(["GET", "POST"])
def meeting_reschedule(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    """Moves a meeting, or answers a proposal with another time."""
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    user = _member_only(request, mentorship)
    tz_name = _viewer_tz(request, mentorship)
    suggestions = selectors.common_free_starts(
        mentorship=mentorship,
        viewer_tz=tz_name,
        duration_minutes=meeting.duration_minutes,
        exclude_meeting_id=meeting.pk,
    )
    local_start = meeting.starts_at.astimezone(times.zone(tz_name))
    form = MeetingTimeForm(
        request.POST or None,
        suggestions=suggestions,
        tz_name=tz_name,
        default_minutes=meeting.duration_minutes,
        # The meeting's own time and place to start from, so changing only the place is
        # one edit; a suggested time chosen instead wins.
        initial={
            "slot": meeting_forms.OTHER,
            # As text: a date input only takes ISO dates, whatever the locale's format.
            "date": local_start.date().isoformat(),
            "time": local_start.strftime("%H:%M"),
            "location": meeting.location,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.meeting_reschedule(
                meeting=meeting,
                actor=user,
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                location=form.cleaned_data.get("location") or "",
            )
        except ValidationError as error:
            _service_errors(form, error, form.time_field)
        else:
            if changed.status == Meeting.Status.PROPOSED and changed.proposed_by_id == user.pk:
                messages.success(
                    request, "New time sent. Your mentoring partner is asked to accept."
                )
            else:
                messages.success(request, "Change sent. Both calendars have been updated.")
            if form.ambiguous_note:
                messages.warning(request, form.ambiguous_note)
            return redirect(_detail_url(meeting))
    status = 400 if request.method == "POST" else 200
    context = {"mentorship": mentorship, "meeting": meeting, "form": form, "viewer_tz": tz_name}
    return render(request, "meetings/reschedule.html", context, status=status)


@organisation_view()
def meeting_ics(request: OrganisationRequest, mentorship_id: int, meeting_id: int) -> HttpResponse:
    """ "Add to calendar": the meeting as an .ics file for the pair's own calendar app."""
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    if request.method not in ("GET", "HEAD"):
        # Checked after the lookup, so another organisation's meeting is a 404 first.
        return HttpResponseNotAllowed(["GET"])
    _member_only(request, mentorship)
    response = HttpResponse(
        calendar.meeting_download(meeting), content_type="text/calendar; charset=utf-8"
    )
    day = meeting.starts_at.astimezone(timezone.get_current_timezone()).date()
    response["Content-Disposition"] = f'attachment; filename="mentoring-{day.isoformat()}.ics"'
    return response


@organisation_view()
@require_POST
def agenda_item_add(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    user = _member_only(request, mentorship)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, actor=user, text=form.cleaned_data["text"])
        except ValidationError as error:
            _service_errors(form, error, "text")
        else:
            return redirect(_detail_url(meeting) + "#agenda")
    return _render_detail(request, meeting, agenda_form=form, status=400)


@organisation_view()
@require_POST
def meeting_note_add(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    """A shared note from a meeting that has started, by either member of the pair."""
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    user = _member_only(request, mentorship)
    form = MeetingNoteForm(request.POST)
    if form.is_valid():
        try:
            mentorships_journey.note_create(
                mentorship=mentorship,
                user=user,
                body=form.cleaned_data["body"],
                private=False,
                meeting=meeting,
            )
        except ValidationError as error:
            _service_errors(form, error, "body")
        else:
            messages.success(request, "Note shared with your mentoring partner.")
            return redirect(_detail_url(meeting) + "#notes")
    return _render_detail(request, meeting, note_form=form, status=400)


@organisation_view()
@require_POST
def agenda_item_toggle(
    request: OrganisationRequest, mentorship_id: int, meeting_id: int
) -> HttpResponse:
    mentorship = _mentorship(request, mentorship_id)
    meeting = selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    user = _member_only(request, mentorship)
    item_id = request.POST.get("item", "")
    if not item_id.isdigit():
        return HttpResponseBadRequest("Choose an agenda item.")
    item = selectors.agenda_item(meeting=meeting, item_id=int(item_id))
    services.agenda_item_toggle(item=item, actor=user)
    return redirect(_detail_url(meeting) + "#agenda")


@organisation_view()
@require_http_methods(["GET", "POST"])
def calendar_feed(request: OrganisationRequest) -> HttpResponse:
    """Create, replace or switch off the person's private calendar address."""
    organisation = request.organisation
    user: User = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            services.calendar_feed_create(user=user, organisation=organisation)
            messages.success(request, "Your calendar address is ready; any earlier one stopped.")
            return redirect("calendar_feed", slug=organisation.slug)
        elif action == "revoke":
            if services.calendar_feed_revoke(user=user, organisation=organisation):
                messages.success(request, "Your calendar address no longer works.")
            return redirect("calendar_feed", slug=organisation.slug)
        else:
            messages.error(request, "Choose to make a new address or to switch it off.")
            return redirect("calendar_feed", slug=organisation.slug)
    feed = selectors.live_calendar_feed(user=user, organisation=organisation)
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed_ics", kwargs={"token": feed.token}))
        if feed and feed.token
        else ""
    )
    return render(request, "meetings/calendar_feed.html", {"feed": feed, "feed_url": feed_url})


@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription itself: no login (calendar apps cannot log in); the secret in the
    address is the key, and an unknown or switched-off one is a plain 404."""
    feed = selectors.calendar_feed_for_token(token=token)
    meetings = selectors.upcoming_feed_meetings(user=feed.user, organisation=feed.organisation)
    body = calendar.subscription_feed(
        meetings,
        name=f"Mentoring — {feed.organisation.name}",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
