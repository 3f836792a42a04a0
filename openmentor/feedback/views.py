"""Feedback pages: a member's check-in on their own mentorship, and the managers'
aggregate report of self-identification (the one report that reads those answers)."""

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
from openmentor.feedback.forms import CheckinForm
from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships.selectors import mentorship_for_member, partner_for
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
            "partner": partner_for(mentorship, user),
            "form": form,
            "existing": existing,
            "refusal": refusal,
        },
        status=400 if request.method == "POST" else 200,
    )
