"""Feedback pages: a member's check-in on their own mentorship, and the managers'
aggregate report of self-identification (the one report that reads those answers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from openmentor.accounts.models import User
from openmentor.feedback import selectors, services
from openmentor.feedback.forms import CheckinForm, PeopleReportForm
from openmentor.feedback.models import MentorshipRating
from openmentor.mentorships.selectors import mentorship_for_member, partner_for
from openmentor.organisations.access import MANAGERS, organisation_view
from openmentor.organisations.models import Membership


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _errors_to_form(form: CheckinForm, error: ValidationError) -> None:
    pairs = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    for name, field_errors in pairs:
        for message in field_errors:
            form.add_error(name if name in form.fields else None, message)


@organisation_view()
@require_http_methods(["GET", "POST"])
def feedback_checkin(request: HttpRequest, mentorship_id: int) -> HttpResponse:
    # Members only: a manager of the organisation gets a 404 here, like anyone else.
    mentorship = mentorship_for_member(membership=_membership(request), mentorship_id=mentorship_id)
    user: User = request.user  # type: ignore[assignment]
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
            _errors_to_form(form, error)
        else:
            messages.success(request, "Thank you. Your check-in is saved; only you can see it.")
            return redirect("mentorship_detail", request.organisation.slug, mentorship.pk)  # type: ignore[attr-defined]
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


@organisation_view(roles=MANAGERS)
@require_GET
def self_identification_report(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    bound = "programme" in request.GET
    form = PeopleReportForm(request.GET if bound else None, organisation=organisation)
    programme = None
    status = 200
    if bound:
        if form.is_valid():
            programme = form.cleaned_data["programme"]
        else:
            status = 400
    report = (
        selectors.self_identification_report(organisation=organisation, programme=programme)
        if status == 200
        else []
    )
    return render(
        request,
        "feedback/people_report.html",
        {"form": form, "programme": programme, "report": report},
        status=status,
    )
