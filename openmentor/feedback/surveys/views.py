"""Survey pages: a member's answer about a meeting, the e-mail's one-click rating, and
their check-ins. Each is the person's own: someone else's id is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openmentor.core.forms import errors_to_form
from openmentor.core.links import LinkError, link_used
from openmentor.feedback.models import Checkin, SurveyQuestion
from openmentor.feedback.surveys import builder, selectors, services
from openmentor.feedback.surveys.builder import form_fields, survey_questions
from openmentor.feedback.surveys.forms import CheckinForm, MeetingFeedbackForm, SurveyQuestionForm
from openmentor.mentorships import members
from openmentor.mentorships.services.lifecycle import NO_FAULT
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for


@organisation_view()
@require_http_methods(["GET", "POST"])
def meeting_feedback(request: OrganisationRequest, feedback_id: int) -> HttpResponse:
    feedback = selectors.own_meeting_feedback(
        membership=request.membership, feedback_id=feedback_id
    )
    initial = {"rating": feedback.rating, "comment": feedback.comment, "shared": feedback.shared}
    if feedback.happened is not None:
        initial["happened"] = "yes" if feedback.happened else "no"
    programme = feedback.mentorship.programme
    questions = survey_questions(programme=programme, survey="meeting")
    initial.update({f"q_{key}": value for key, value in feedback.answers.items()})
    form = MeetingFeedbackForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        ask_happened=feedback.ask_happened,
        extra=form_fields(questions, programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_feedback_submit(
                feedback=feedback,
                author=request.user,
                rating=form.cleaned_data["rating"],
                happened=form.cleaned_data.get("happened"),
                comment=form.cleaned_data["comment"],
                shared=form.cleaned_data["shared"],
                custom=form.custom(),
                now=timezone.now(),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Thank you: your answer is saved.")
            return redirect("mentorship_detail", request.organisation.slug, feedback.mentorship_id)
    return render(
        request,
        "feedback/surveys/meeting.html",
        {
            "feedback": feedback,
            "partner": members.partner_or_circle(feedback.mentorship, request.user),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def meeting_rating_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's one click: the rating is recorded without signing in (the signed link
    names the person and the meeting); the page then offers the full form.

    The GET of an unused link only shows a form that submits itself (POST records): mail
    scanners fetch every link in a message, and must not rate the meeting five times over.
    """
    try:
        if request.method == "GET" and not link_used(token):
            rating = services.meeting_rating_link_read(token=token, now=timezone.now())
            return render(request, "feedback/surveys/rated.html", {"confirm_rating": str(rating)})
        outcome = services.meeting_rating_by_link(token=token, now=timezone.now())
    except LinkError as error:
        return render(request, "feedback/surveys/rated.html", {"error": str(error)}, status=400)
    return render(request, "feedback/surveys/rated.html", {"outcome": outcome})


@organisation_view()
@require_http_methods(["GET", "POST"])
def checkin_answer(request: OrganisationRequest, checkin_id: int) -> HttpResponse:
    checkin = selectors.own_checkin(membership=request.membership, checkin_id=checkin_id)
    partner = members.partner_or_circle(checkin.mentorship, request.user)
    programme = checkin.mentorship.programme
    questions = survey_questions(programme=programme, survey=checkin.survey)
    form = CheckinForm(
        request.POST if request.method == "POST" else None,
        survey=checkin.survey,
        extra=form_fields(questions, programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_submit(
                checkin=checkin,
                author=request.user,
                answers=form.cleaned_data,
                now=timezone.now(),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if checkin.survey == Checkin.Survey.PAIRING_FIT and form.cleaned_data["fit"] == "no":
                return render(
                    request,
                    "feedback/surveys/not_working.html",
                    {"mentorship": checkin.mentorship, "partner": partner, "no_fault": NO_FAULT},
                )
            messages.success(request, "Thank you: your answers are saved.")
            return redirect("mentorship_detail", request.organisation.slug, checkin.mentorship_id)
    return render(
        request,
        "feedback/surveys/checkin.html",
        {"checkin": checkin, "partner": partner, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def survey_builder(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = SurveyQuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            builder.survey_question_add(
                programme=programme, manager=request.membership, values=form.values()
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "The question is added.")
            return redirect("survey_builder", request.organisation.slug, programme.slug)
    results = builder.survey_results(programme=programme)
    surveys = [
        (label, [r for r in results if r.question.survey == value])
        for value, label in SurveyQuestion.Survey.choices
    ]
    return render(
        request,
        "feedback/surveys/builder.html",
        {
            "programme": programme,
            "form": form,
            "surveys": surveys,
            "shown_from": builder.SHOWN_FROM,
        },
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["POST"])
def survey_question_delete(
    request: OrganisationRequest, programme_slug: str, survey_question_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    question = get_object_or_404(SurveyQuestion, pk=survey_question_id, programme=programme)
    builder.survey_question_remove(question=question, manager=request.membership)
    messages.success(request, "The question is removed; answers already given are kept.")
    return redirect("survey_builder", request.organisation.slug, programme.slug)
