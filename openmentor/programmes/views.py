from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import (
    MANAGERS,
    PENDING_JOIN_SESSION_KEY,
    OrganisationRequest,
    organisation_view,
)
from openmentor.organisations.models import Membership
from openmentor.programmes import selectors
from openmentor.programmes.access import programme_for
from openmentor.programmes.forms import (
    EnrolmentForm,
    ProgrammeForm,
    ProgrammeInviteForm,
    QuestionForm,
)
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.opening import draft_warning_for_manager
from openmentor.programmes.services import enrolment as programmes_enrolment
from openmentor.programmes.services import lifecycle as programmes_lifecycle
from openmentor.programmes.services import questions as programmes_questions

# The join link an anonymous visitor opened, kept through sign-up and e-mail verification
# (read by core.views.home and the account adapter, like a pending invitation).


def _detail(programme: Programme) -> HttpResponse:
    return redirect("programme_detail", programme.organisation.slug, programme.slug)


# --- Programmes ------------------------------------------------------------------------


@organisation_view()
def programme_list(request: OrganisationRequest) -> HttpResponse:
    membership = request.membership
    if membership.is_manager:
        programmes = selectors.programme_summaries(organisation=membership.organisation)
        return render(request, "programmes/list_manager.html", {"programmes": programmes})
    enrolments = selectors.enrolments_for_member(membership=membership)
    # "Programmes you can join": not the ones the person is in already (listed above).
    programmes = selectors.programmes_open_to_member(membership=membership).exclude(
        enrolments__user=membership.user
    )
    return render(
        request,
        "programmes/list_participant.html",
        {"programmes": programmes, "enrolments": enrolments},
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def programme_create(request: OrganisationRequest) -> HttpResponse:
    membership = request.membership
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programmes_lifecycle.programme_create(
                organisation=membership.organisation, actor=membership, values=form.cleaned_data
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request, f"{programme.name} is ready as a draft. Add its questionnaire next."
            )
            return _detail(programme)
    status = 400 if request.method == "POST" else 200
    return render(request, "programmes/form.html", {"form": form, "programme": None}, status=status)


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def programme_settings(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    membership = request.membership
    programme = selectors.programme_for_manager(
        organisation=membership.organisation, slug=programme_slug
    )
    locked = programmes_lifecycle.settings_locked(programme)
    form = ProgrammeForm(
        request.POST or None, initial=ProgrammeForm.initial_for(programme), locked=locked
    )
    if request.method == "POST" and form.is_valid():
        try:
            programmes_lifecycle.programme_update(
                programme=programme, actor=membership, values=form.cleaned_data
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "The settings are saved.")
            return _detail(programme)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/form.html",
        {"form": form, "programme": programme, "closed": programme.status == "closed"},
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def programme_status(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    membership = request.membership
    programme = selectors.programme_for_manager(
        organisation=membership.organisation, slug=programme_slug
    )
    try:
        programmes_lifecycle.programme_status_change(
            programme=programme, actor=membership, to=request.POST.get("to", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{programme.name} is now {programme.get_status_display().lower()}."
        )
    return _detail(programme)


@organisation_view(roles=MANAGERS)
@require_POST
def programme_join_link(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    membership = request.membership
    programme = selectors.programme_for_manager(
        organisation=membership.organisation, slug=programme_slug
    )
    replaced = bool(programme.join_token)
    programmes_lifecycle.programme_join_link_rotate(programme=programme, actor=membership)
    messages.success(
        request,
        "A new shareable link is ready; the old one no longer works."
        if replaced
        else "The shareable link is ready.",
    )
    return _detail(programme)


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def programme_invite(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    membership = request.membership
    programme = selectors.programme_for_manager(
        organisation=membership.organisation, slug=programme_slug
    )
    form = ProgrammeInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = programmes_enrolment.programme_invite(
                programme=programme,
                inviter=membership,
                emails=form.cleaned_data["emails"],
                programme_role=form.cleaned_data["programme_role"],
                duplicates=form.duplicates,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            _report_outcome(request, outcome)
            if warning := draft_warning_for_manager(programme):
                messages.warning(request, warning)
            return _detail(programme)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "programme": programme,
        "draft_warning": draft_warning_for_manager(programme),
    }
    return render(request, "programmes/invite.html", context, status=status)


def _report_outcome(request: HttpRequest, outcome: programmes_enrolment.InvitationOutcome) -> None:
    def listed(addresses: list[str]) -> str:
        return ", ".join(addresses[:20]) + (
            f" and {len(addresses) - 20} more" if len(addresses) > 20 else ""
        )

    if outcome.invited:
        messages.success(
            request, f"Invitation sent to {len(outcome.invited)}: {listed(outcome.invited)}."
        )
    if outcome.members_notified:
        messages.success(
            request,
            f"Already members, sent a link to enrol: {listed(outcome.members_notified)}.",
        )
    if outcome.already_enrolled:
        messages.warning(
            request, f"Already enrolled, not invited: {listed(outcome.already_enrolled)}."
        )
    if outcome.already_invited:
        messages.warning(
            request,
            "An invitation to the organisation is open already (withdraw it from "
            f"Invitations to send a new one): {listed(outcome.already_invited)}.",
        )
    if outcome.duplicates:
        messages.info(request, f"Listed twice, invited once: {listed(outcome.duplicates)}.")


# --- Questionnaire builder -------------------------------------------------------------


def _questions_url(programme: Programme) -> str:
    return reverse("question_list", args=[programme.organisation.slug, programme.slug])


@organisation_view(roles=MANAGERS)
def question_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    questions = list(selectors.questions_for_programme(programme=programme))
    return render(
        request,
        "programmes/questions.html",
        {
            "programme": programme,
            "questions": questions,
            "locked": programmes_questions.questionnaire_lock_reason(programme),
        },
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def question_create(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    return _question_form(request, programme, None)


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def question_edit(
    request: OrganisationRequest, programme_slug: str, question_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    question = selectors.question_for_programme(programme=programme, question_id=question_id)
    return _question_form(request, programme, question)


def _question_form(
    request: OrganisationRequest, programme: Programme, question: Any
) -> HttpResponse:
    locked = programmes_questions.questionnaire_lock_reason(programme)
    initial = QuestionForm.initial_for(question) if question else None
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and not locked and form.is_valid():
        membership = request.membership
        try:
            if question is None:
                programmes_questions.question_create(
                    programme=programme, actor=membership, values=form.cleaned_data
                )
            else:
                programmes_questions.question_update(
                    question=question, actor=membership, values=form.cleaned_data
                )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "The question is saved.")
            return redirect(_questions_url(programme))
    if request.method == "POST" and locked:
        form.is_valid()
        form.add_error(None, locked)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/question_form.html",
        {"form": form, "programme": programme, "question": question, "locked": locked},
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def question_delete(
    request: OrganisationRequest, programme_slug: str, question_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    question = selectors.question_for_programme(programme=programme, question_id=question_id)
    try:
        programmes_questions.question_delete(question=question, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The question “{question.text}” is deleted.")
    return redirect(_questions_url(programme))


@organisation_view(roles=MANAGERS)
@require_POST
def question_move(
    request: OrganisationRequest, programme_slug: str, question_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    question = selectors.question_for_programme(programme=programme, question_id=question_id)
    try:
        programmes_questions.question_move(
            question=question,
            actor=request.membership,
            direction=request.POST.get("direction", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_questions_url(programme) + f"#question-{question.pk}")


@organisation_view(roles=MANAGERS)
def questionnaire_preview(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    questions = list(selectors.questions_for_programme(programme=programme))
    form = EnrolmentForm(programme=programme, questions=questions)
    return render(request, "programmes/preview.html", {"programme": programme, "form": form})


# --- Approval queue --------------------------------------------------------------------


@organisation_view(roles=MANAGERS)
def approval_queue(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    enrolments = list(selectors.pending_enrolments(programme=programme)[:500])
    return render(
        request, "programmes/approvals.html", {"programme": programme, "enrolments": enrolments}
    )


@organisation_view(roles=MANAGERS)
@require_POST
def approval_decide(
    request: OrganisationRequest, programme_slug: str, enrolment_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    enrolment = selectors.pending_enrolment(programme=programme, enrolment_id=enrolment_id)
    decision = request.POST.get("decision")
    url = reverse("approval_queue", args=[programme.organisation.slug, programme.slug])
    if decision not in ("approve", "decline"):
        messages.error(request, "Choose Approve or Decline.")
        return redirect(url)
    try:
        programmes_enrolment.enrolment_decide(
            enrolment=enrolment, actor=request.membership, approve=decision == "approve"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        verb = "approved" if decision == "approve" else "declined"
        messages.success(
            request,
            f"{enrolment.user.name} ({enrolment.get_role_display().lower()}) is {verb}; "
            "they have been told by e-mail.",
        )
    return redirect(url)


# --- Enrolment -------------------------------------------------------------------------


@organisation_view()
@require_http_methods(["GET", "POST"])
def programme_enrol(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    membership = request.membership
    programme = selectors.programme_for_enrolment(membership=membership, slug=programme_slug)
    if not selectors.programme_accepts_enrolment(programme):
        return render(request, "programmes/enrol_closed.html", {"programme": programme}, status=409)
    taken = selectors.member_enrolments_in(programme=programme, user=membership.user)
    questions = list(selectors.questions_for_programme(programme=programme))
    form = EnrolmentForm(
        request.POST or None,
        programme=programme,
        questions=questions,
        taken_roles=taken,
        initial={"role": request.GET.get("role"), "via": request.GET.get("via", "")},
    )
    role_field = form.fields["role"]
    if not role_field.choices:  # type: ignore[attr-defined]
        messages.info(request, f"You are already enrolled in {programme.name}.")
        return _detail(programme)
    if request.method == "POST" and form.is_valid():
        campaign, ambassador = selectors.enrolment_attribution(
            programme, form.cleaned_data.get("via")
        )
        try:
            enrolments = programmes_enrolment.enrolment_create(
                programme=programme,
                membership=membership,
                roles=form.roles(),
                answers=form.answers(),
                agreement_accepted=bool(form.cleaned_data.get("agreement")),
                campaign=campaign,
                ambassador=ambassador,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            request.session.pop(PENDING_JOIN_SESSION_KEY, None)
            if enrolments[0].status == Enrolment.Status.PENDING:
                messages.success(
                    request,
                    f"Thank you. A programme manager will review your enrolment in "
                    f"{programme.name}; we will e-mail you.",
                )
            else:
                messages.success(request, f"You are enrolled in {programme.name}.")
            return _detail(programme)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/enrol.html",
        {"programme": programme, "form": form, "taken": list(taken.values())},
        status=status,
    )


# --- Shareable join link (public) ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def programme_join(request: HttpRequest, token: str) -> HttpResponse:
    programme = selectors.programme_for_join_token(token=token)
    if programme is None:
        request.session.pop(PENDING_JOIN_SESSION_KEY, None)
        return render(
            request,
            "programmes/join_invalid.html",
            {
                "reason": "This link is not valid. Check that you copied all of it; the "
                "organisation may also have replaced it with a new one."
            },
            status=404,
        )
    if not selectors.programme_accepts_enrolment(programme):
        request.session.pop(PENDING_JOIN_SESSION_KEY, None)
        closed = programme.status == Programme.Status.CLOSED
        return render(
            request,
            "programmes/join_invalid.html",
            {
                "reason": f"{programme.name} is closed and takes no new people."
                if closed
                else f"{programme.name} is not taking enrolments at the moment.",
            },
            status=410 if closed else 409,
        )
    via = request.GET.get("via", "")[:64]
    enrol_url = reverse("programme_enrol", args=[programme.organisation.slug, programme.slug])
    if via:
        enrol_url += "?" + urlencode({"via": via})
    if not request.user.is_authenticated:
        # Come back here after sign-up (and e-mail verification) or login.
        here = request.get_full_path()
        request.session[PENDING_JOIN_SESSION_KEY] = here
        return render(
            request,
            "programmes/join_welcome.html",
            {"programme": programme, "next": urlencode({"next": here})},
        )
    is_member = Membership.objects.filter(
        organisation=programme.organisation, user=request.user
    ).exists()
    if is_member:
        request.session.pop(PENDING_JOIN_SESSION_KEY, None)
        return redirect(enrol_url)
    if request.method == "POST":
        try:
            programmes_enrolment.programme_join_membership(programme=programme, user=request.user)
        except ValidationError as error:
            return render(
                request,
                "programmes/join_invalid.html",
                {"reason": " ".join(error.messages)},
                status=409,
            )
        request.session.pop(PENDING_JOIN_SESSION_KEY, None)
        messages.success(request, f"Welcome to {programme.organisation.name}.")
        return redirect(enrol_url)
    request.session.pop(PENDING_JOIN_SESSION_KEY, None)
    return render(request, "programmes/join_confirm.html", {"programme": programme})
