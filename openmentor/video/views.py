"""The call page (lobby and call in one page) and the call-settings form.

Only the members of a room see its page; anyone else in the organisation, managers
included, gets a 404 like a missing room. The page's content security policy allows
media and the configured ICE/Janus origins only, and it alone may ask for the camera.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from openmentor.accounts.models import User
from openmentor.meetings import selectors as meeting_selectors
from openmentor.meetings.models import Meeting
from openmentor.mentorships import selectors as mentorship_selectors
from openmentor.organisations.access import OrganisationRequest, organisation_view
from openmentor.video import ice, janus, selectors, services
from openmentor.video.forms import CallPreferenceForm
from openmentor.video.models import Room
from openmentor.video.selectors import RoomAccess

ROOM_PERMISSIONS = "camera=(self), microphone=(self), display-capture=(self)"


@organisation_view()
def meeting_call(request: OrganisationRequest, mentorship_id: int, meeting_id: int) -> HttpResponse:
    membership = request.membership
    mentorship = mentorship_selectors.mentorship_for_member(
        membership=membership, mentorship_id=mentorship_id
    )
    meeting = meeting_selectors.meeting_in_mentorship(mentorship=mentorship, meeting_id=meeting_id)
    room = services.room_for_meeting(meeting=meeting)
    return _room_page(request, room, meeting=meeting)


@organisation_view()
def mentorship_call(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    membership = request.membership
    mentorship = mentorship_selectors.mentorship_for_member(
        membership=membership, mentorship_id=mentorship_id
    )
    room = services.room_for_mentorship(mentorship=mentorship)
    return _room_page(request, room)


@organisation_view()
def group_call(request: OrganisationRequest, room_id: int) -> HttpResponse:
    membership = request.membership
    access = selectors.room_access(user=membership.user, room_id=room_id)
    if access is None or access.room.organisation_id != membership.organisation_id:
        raise Http404("No such call")
    if access.room.kind != Room.Kind.GROUP:
        raise Http404("No such call")
    return _room_page(request, access.room, access=access)


@organisation_view()
@require_POST
def call_preferences(request: OrganisationRequest) -> HttpResponse:
    membership = request.membership
    form = CallPreferenceForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("home")
    if form.is_valid():
        try:
            services.call_preference_save(
                user=membership.user, organisation=membership.organisation, **form.cleaned_data
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error("phone", text)
        else:
            messages.success(request, "Call settings saved.")
            return redirect(back)
    return render(request, "video/preferences_error.html", {"form": form, "back": back}, status=400)


def _room_page(
    request: HttpRequest,
    room: Room,
    *,
    meeting: Meeting | None = None,
    access: RoomAccess | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    access = access or selectors.room_access(user=user, room_id=room.pk)
    if access is None:
        raise Http404("No such call")
    if request.method not in ("GET", "HEAD"):
        # Checked after the lookup, so someone else's room is a 404 whatever the method.
        return HttpResponseNotAllowed(["GET"])
    now = timezone.now()
    others = [uid for uid in access.member_ids if uid != user.pk]
    janus_room = janus.janus_room_for(room.pk) if access.is_group else None
    if not access.is_group or len(access.member_ids) <= 2:
        mode = "p2p"
    elif janus_room is not None:
        mode = "janus"
    else:
        mode = "mesh"
    too_big_for_mesh = mode == "mesh" and len(access.member_ids) > _mesh_max()
    preference = selectors.preference_for(user_id=user.pk, organisation_id=room.organisation_id)
    config: dict[str, Any] = {
        "room": room.pk,
        "socket": f"/ws/calls/{room.pk}/",
        "me": {"id": user.pk, "name": access.names.get(user.pk, "")},
        "members": {str(uid): access.names[uid] for uid in access.member_ids},
        "iceServers": ice.ice_servers_for(user_id=user.pk),
        "mode": mode,
        "meshMax": _mesh_max(),
        "janus": (
            {"server": janus_room.server, "room": janus_room.room_number} if janus_room else None
        ),
        "autoAudioOnly": bool(preference and preference.auto_audio_only),
        "chat": [
            {
                "id": m.pk,
                "author": m.author_id,
                "author_name": m.author.name if m.author else "",
                "body": m.body,
                "created_at": m.created_at.isoformat(),
            }
            for m in selectors.call_messages(room=room)
        ],
    }
    context = {
        "room": room,
        "meeting": meeting,
        "mentorship": room.mentorship,
        "config": config,
        "is_open": access.is_open(now),
        "why_closed": access.why_closed(now),
        "partners": [access.names[uid] for uid in others],
        "phones": [
            (access.names[uid], phone)
            for uid, phone in selectors.shared_phones(room=room, user_ids=others).items()
        ],
        "icebreakers": _icebreakers(meeting) if meeting else [],
        "too_big_for_mesh": too_big_for_mesh,
        "preference_form": CallPreferenceForm(
            initial={
                "phone": preference.phone if preference else "",
                "share_phone": bool(preference and preference.share_phone),
                "auto_audio_only": bool(preference and preference.auto_audio_only),
            }
        ),
    }
    response = render(request, "video/room.html", context)
    response.headers["Permissions-Policy"] = ROOM_PERMISSIONS
    response._csp_replace = _room_csp()  # type: ignore[attr-defined]
    return response


def _mesh_max() -> int:
    from django.conf import settings

    return int(settings.VIDEO_MESH_MAX)


def _room_csp() -> dict[str, list[str]]:
    """Our origin, our websocket, the configured Janus gateways; media from the camera."""
    from django.conf import settings

    sockets = ["ws:", "wss:"] if settings.DEBUG else ["wss:"]
    return {
        "connect-src": ["'self'", *sockets, *janus.janus_origins()],
        "media-src": ["'self'", "blob:", "mediastream:"],
        "img-src": ["'self'", "data:", "blob:"],
    }


def _icebreakers(meeting: Meeting) -> list[str]:
    """Conversation starters for a pair's first two meetings; none after that."""
    earlier = (
        meeting_selectors.mentorship_meetings(mentorship=meeting.mentorship)
        .filter(status=Meeting.Status.ACCEPTED, starts_at__lt=meeting.starts_at)
        .count()
    )
    number = earlier + 1
    if number > 2:
        return []
    return mentorship_selectors.icebreakers_by_meeting(programme=meeting.mentorship.programme)[
        number
    ]
