"""Pages of mentee choice: the mentee's recommendations and requests, the mentor's
requests and suggested mentees, and the answers to a request.

Thin: each view reads through `choice` selectors scoped to the programme (which is scoped
to the organisation), calls one service and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.accounts.models import User
from openmentor.core.forms import error_messages, errors_to_form
from openmentor.matching.choice import selectors as choice_selectors
from openmentor.matching.choice import services as choice
from openmentor.matching.choice.forms import ChoiceForm, InviteForm
from openmentor.matching.explain import why_lines
from openmentor.matching.models import MentorRequest
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship
from openmentor.organisations.access import OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.roles import explain_words, role_words


def _is_active(programme: Programme, user: User, role: str) -> bool:
    return Enrolment.objects.filter(
        programme=programme, user=user, role=role, status=Enrolment.Status.ACTIVE
    ).exists()


def _with_why(
    mentorships: list[Mentorship], role: str, programme: Programme
) -> list[tuple[Mentorship, list[str]]]:
    words = explain_words(programme)
    return [(m, why_lines(m.match_reasons, viewer_role=role, words=words)) for m in mentorships]


@organisation_view()
@require_http_methods(["GET", "POST"])
def recommendations(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    """The mentee's page: invitations, their requests, and (when they may choose) their
    recommended mentors with the form to rank and ask them."""
    programme = programme_for(request, programme_slug)
    user = request.user
    settings = choice_selectors.settings_for(programme)
    context: dict[str, Any] = {
        "programme": programme,
        "enabled": choice_selectors.choice_enabled(programme),
        "settings": settings,
        "fair_share_note": choice_selectors.FAIR_SHARE_NOTE,
    }
    if not context["enabled"]:
        if request.method == "POST":
            context["post_error"] = "Requests are closed: the programme managers match people."
            return render(request, "matching/choice/recommendations.html", context, status=400)
        return render(request, "matching/choice/recommendations.html", context)
    is_mentee = _is_active(programme, user, Enrolment.Role.MENTEE)
    invitations = list(choice_selectors.invitations_for_mentee(programme=programme, mentee=user))
    own_requests = list(choice_selectors.requests_of_mentee(programme=programme, mentee=user))
    mentorships = list(
        Mentorship.objects.filter(
            programme=programme, mentee=user, status__in=OPEN_STATUSES
        ).select_related("mentor")
    )
    needed = programme.mentors_per_mentee - len(mentorships)
    waiting = any(r.status in choice_selectors.OPEN for r in own_requests)
    context.update(
        is_mentee=is_mentee,
        needed=needed,
        waiting=waiting,
        mentorships=_with_why(mentorships, "mentee", programme),
        invitation_cards=choice_selectors.cards_for(
            programme=programme, viewer=user, viewer_role="mentee", requests=invitations
        ),
        own_requests=own_requests,
    )
    may_choose = is_mentee and needed > 0 and not waiting
    status = 200
    if may_choose:
        try:
            ranked = choice_selectors.ranked_mentors(programme=programme, mentee=user) or []
        except choice_selectors.RecommendationsUnavailable:
            context["unavailable"] = True
            ranked = []
        cards = choice_selectors.cards_for(
            programme=programme,
            viewer=user,
            viewer_role="mentee",
            ranked=ranked[: settings.recommendations_shown],
        )
        form = ChoiceForm(request.POST or None, cards=cards)
        context.update(cards=cards, form=form)
        if request.method == "POST":
            if form.is_valid():
                chosen = form.chosen()
                try:
                    created = choice.mentor_requests_send(
                        programme=programme,
                        mentee=user,
                        mentor_ids=[mentor_id for _, mentor_id in chosen],
                        message=form.cleaned_data.get("message") or "",
                    )
                except ValidationError as error:
                    names = {f"choice_{n}": name for n, (name, _) in enumerate(chosen, start=1)}
                    errors_to_form(form, error, names)
                else:
                    sent = [r.mentor.name for r in created if r.status == "pending"]
                    messages.success(
                        request,
                        f"Your request went to {' and '.join(sent)}. We will e-mail you "
                        "when they answer.",
                    )
                    return redirect("recommendations", programme.organisation.slug, programme.slug)
            status = 400
    elif request.method == "POST":
        words = role_words(programme)
        if not is_mentee:
            context["post_error"] = f"You are not an active {words.mentee} in {programme.name}."
        elif needed <= 0:
            context["post_error"] = (
                f"You already have as many {words.mentors} as this programme allows."
            )
        else:
            context["post_error"] = "Your earlier requests are still waiting for answers."
        status = 400
    return render(request, "matching/choice/recommendations.html", context, status=status)


def _mentor_page(
    request: OrganisationRequest, programme: Programme, *, invite_errors: list[str] | None = None
) -> HttpResponse:
    user = request.user
    settings = choice_selectors.settings_for(programme)
    context: dict[str, Any] = {
        "programme": programme,
        "enabled": choice_selectors.choice_enabled(programme),
        "settings": settings,
        "invite_errors": invite_errors or [],
    }
    status = 400 if invite_errors else 200
    if not context["enabled"]:
        return render(request, "matching/choice/mentor_requests.html", context, status=status)
    is_mentor = _is_active(programme, user, Enrolment.Role.MENTOR)
    pending = list(choice_selectors.pending_for_mentor(programme=programme, mentor=user))
    invited = list(choice_selectors.invitations_by_mentor(programme=programme, mentor=user))
    mentorships = list(
        Mentorship.objects.filter(
            programme=programme, mentor=user, status__in=OPEN_STATUSES
        ).select_related("mentee")
    )
    context.update(
        is_mentor=is_mentor,
        request_cards=choice_selectors.cards_for(
            programme=programme, viewer=user, viewer_role="mentor", requests=pending
        ),
        invited=invited,
        mentorships=_with_why(mentorships, "mentor", programme),
    )
    if is_mentor:
        try:
            ranked = choice_selectors.ranked_mentees(
                programme=programme, mentor=user, top=settings.recommendations_shown
            )
        except choice_selectors.RecommendationsUnavailable:
            context["unavailable"] = True
            ranked = []
        context["has_room"] = ranked is not None
        context["suggestion_cards"] = choice_selectors.cards_for(
            programme=programme, viewer=user, viewer_role="mentor", ranked=ranked or []
        )
    return render(request, "matching/choice/mentor_requests.html", context, status=status)


@organisation_view()
def mentor_requests(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    """The mentor's page: requests waiting for their answer, and suggested mentees."""
    programme = programme_for(request, programme_slug)
    # Answered after the lookup, so naming another organisation's programme is a 404
    # whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _mentor_page(request, programme)


@organisation_view()
@require_POST
def mentee_invite(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
        return _mentor_page(request, programme, invite_errors=errors)
    try:
        invitation = choice.mentee_invite(
            programme=programme, mentor=request.user, mentee_id=form.cleaned_data["mentee"]
        )
    except ValidationError as error:
        errors = [str(m) for field_errors in error_messages(error).values() for m in field_errors]
        return _mentor_page(request, programme, invite_errors=errors)
    messages.success(
        request,
        f"Your invitation went to {invitation.mentee.name}. We will e-mail you their answer.",
    )
    return redirect("mentor_requests", programme.organisation.slug, programme.slug)


def _back(mentor_request: MentorRequest, programme: Programme) -> HttpResponse:
    page = (
        "mentor_requests"
        if mentor_request.direction == choice_selectors.ASKS
        else "recommendations"
    )
    return redirect(page, programme.organisation.slug, programme.slug)


def _answer(
    request: OrganisationRequest,
    programme_slug: str,
    request_id: int,
    answer: Callable[..., object],
    said: Callable[[User], str],
) -> HttpResponse:
    """Accepts or declines a request or invitation addressed to the signed-in person."""
    programme = programme_for(request, programme_slug)
    found = choice_selectors.request_for_answerer(
        programme=programme, user=request.user, request_id=request_id
    )
    asker = found.mentee if found.direction == choice_selectors.ASKS else found.mentor
    try:
        answer(mentor_request=found, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, said(asker))
    return _back(found, programme)


@organisation_view()
@require_POST
def mentor_request_accept(
    request: OrganisationRequest, programme_slug: str, request_id: int
) -> HttpResponse:
    return _answer(
        request,
        programme_slug,
        request_id,
        choice.mentor_request_accept,
        lambda asker: (
            f"You said yes to {asker.name}. Your mentorship is proposed: read and accept the "
            "agreement to start it."
        ),
    )


@organisation_view()
@require_POST
def mentor_request_decline(
    request: OrganisationRequest, programme_slug: str, request_id: int
) -> HttpResponse:
    return _answer(
        request,
        programme_slug,
        request_id,
        choice.mentor_request_decline,
        lambda asker: f"You declined {asker.name}'s request; we have let them know kindly.",
    )


@organisation_view()
@require_POST
def mentor_requests_withdraw(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    try:
        count = choice.mentor_requests_withdraw(programme=programme, mentee=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Withdrawn: {count} request{'s' if count != 1 else ''}. You can choose again.",
        )
    return redirect("recommendations", programme.organisation.slug, programme.slug)
