"""Feedback pages: a member's check-in on their own mentorship, and ending it with an
optional rating (both in one transaction, feedback.services.mentorship_end_with_rating)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openmentor.accounts.models import User
from openmentor.core.forms import errors_to_form
from openmentor.feedback import selectors, services
from openmentor.feedback.forms import CheckinForm, EndForm
from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships import members
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.selectors import mentorship_for_member
from openmentor.mentorships.services.lifecycle import NO_FAULT
from openmentor.organisations.access import OrganisationRequest, organisation_view


@organisation_view()
@require_http_methods(["GET", "POST"])
def feedback_checkin(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    # Members only: a manager of the organisation gets a 404 here, like anyone else.
    mentorship = mentorship_for_member(membership=request.membership, mentorship_id=mentorship_id)
    user: User = request.user
    existing = selectors.own_rating(
        mentorship=mentorship, author=user, moment=MentorshipRating.Moment.CHECKIN
    )
    refusal = services.checkin_refusal(mentorship)
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {"rating": existing.rating, "comment": existing.comment}
    form = CheckinForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.rating_submit(
                mentorship=mentorship,
                author=user,
                rating=form.cleaned_data["rating"],
                moment=MentorshipRating.Moment.CHECKIN,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Thank you. Your check-in is saved; only you can see it.")
            return redirect("mentorship_detail", request.organisation.slug, mentorship.pk)
    return render(
        request,
        "feedback/checkin.html",
        {
            "mentorship": mentorship,
            "partner": members.partner_or_circle(mentorship, user),
            "form": form,
            "existing": existing,
            "refusal": refusal,
        },
        status=400 if request.method == "POST" else 200,
    )


@organisation_view()
@require_http_methods(["GET", "POST"])
def mentorship_end(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = mentorship_for_member(membership=request.membership, mentorship_id=mentorship_id)
    user = request.user
    if mentorship.is_circle:  # a circle is left, not ended: the circle's page says how
        return redirect("mentorship_detail", request.organisation.slug, mentorship.pk)
    role = "mentor" if user.pk == mentorship.mentor_id else "mentee"
    if mentorship.status == Mentorship.Status.ENDED:
        messages.info(request, "This mentorship has already ended.")
        return redirect("mentorship_detail", request.organisation.slug, mentorship.pk)
    form = EndForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            # Ends it and records the optional rating in one transaction.
            services.mentorship_end_with_rating(
                mentorship=mentorship,
                user=user,
                reason=form.cleaned_data["reason"],
                reflection=form.cleaned_data["reflection"],
                want_rematch=form.cleaned_data["want_rematch"],
                rating=form.cleaned_data["rating"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            text = "Your mentorship has ended. Thank you for the time you gave to it."
            if form.cleaned_data["want_rematch"]:
                text += " We have asked the programme team to find you a new match."
            messages.success(request, text)
            return redirect("mentorship_detail", request.organisation.slug, mentorship.pk)
    status = 400 if request.method == "POST" else 200
    partner = members.partner_or_circle(mentorship, user)
    return render(
        request,
        "mentorships/end.html",
        {"mentorship": mentorship, "form": form, "partner": partner, "no_fault": NO_FAULT},
        status=status,
    )
