"""The conversation page of a mentorship and its attachments.

Both answer 404 to anyone but the mentorship's two members, managers included:
messages are private to the pair (see selectors.py).
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openmentor.accounts.models import User
from openmentor.mentorships import members
from openmentor.mentorships.models import Mentorship
from openmentor.messaging import selectors, services
from openmentor.messaging.forms import MessageForm
from openmentor.messaging.models import MAX_BODY_CHARS
from openmentor.organisations.access import OrganisationRequest, organisation_view


def _errors_onto(form: MessageForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _before_id(request: HttpRequest) -> int | None:
    # A mangled "earlier messages" link shows the latest page rather than an error page.
    raw = request.GET.get("before", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**62 else None


@organisation_view()
@require_http_methods(["GET", "POST"])
def conversation(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    """The pair's messages, oldest first, and a form that works without JavaScript."""
    membership = request.membership
    organisation = request.organisation
    user: User = request.user
    mentorship = selectors.conversation_for_member(
        membership=membership, mentorship_id=mentorship_id
    )
    here = reverse("conversation", args=[organisation.slug, mentorship.pk])
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_send(
                    mentorship=mentorship,
                    author=user,
                    body=form.cleaned_data["body"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                return redirect(here + "#compose")
    else:
        form = MessageForm()
    if mentorship.is_circle:
        form.fields[
            "body"
        ].help_text = f"Up to {MAX_BODY_CHARS:,} characters. Only the circle's members can read it."
    before_id = _before_id(request)
    messages, has_earlier = selectors.conversation_page(mentorship=mentorship, before_id=before_id)
    if before_id is None and request.method == "GET":
        services.conversation_mark_read(mentorship=mentorship, user=user)
    tz_name = selectors.reader_timezone(membership=membership)
    context = {
        "mentorship": mentorship,
        "title": members.title_for(mentorship, user),
        "chat_messages": messages,
        "earlier_url": f"{here}?before={messages[0].pk}" if has_earlier and messages else "",
        "is_latest_page": before_id is None,
        "form": form,
        "can_send": mentorship.status != Mentorship.Status.ENDED,
        "reader_timezone": tz_name,
        "reader_zone": zoneinfo.ZoneInfo(tz_name),
        "ws_path": f"/ws/mentorships/{mentorship.pk}/messages/",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/conversation.html", context, status=status)


@organisation_view()
def message_attachment(
    request: OrganisationRequest, mentorship_id: int, message_id: int
) -> HttpResponse:
    """Downloads a message's file, for the pair only, never rendered by the browser."""
    mentorship = selectors.conversation_for_member(
        membership=request.membership,
        mentorship_id=mentorship_id,
    )
    message = selectors.message_with_attachment(mentorship=mentorship, message_id=message_id)
    # The objects are looked up first, so naming someone else's is 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        handle = message.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    # Streamed, so not an HttpResponse subclass; organisation_view's typing only names that.
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        handle,
        as_attachment=True,
        filename=message.attachment_name,
        content_type=message.attachment_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it anyway, it runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
