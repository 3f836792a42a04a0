"""Pages of group mentoring circles: a member's circle page (the pair's page, for many),
its agreement and leaving; the managers' list of circles, forming one, adding and
removing people. Thin, like views.py: services decide, these parse and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.accounts.models import User
from openmentor.core.forms import errors_to_form
from openmentor.mentorships import selectors
from openmentor.mentorships.forms import (
    CircleAgreementForm,
    CircleForm,
    CircleMemberForm,
    GoalForm,
    NoteForm,
)
from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services import circles as circle_services
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Enrolment, Programme

CIRCLE_NOTE_CHOICES = [("shared", "Shared with the circle"), ("private", "Private: only me")]


def circle_note_form(*args: Any, **kwargs: Any) -> NoteForm:
    form = NoteForm(*args, **kwargs)
    form.fields["visibility"].choices = CIRCLE_NOTE_CHOICES  # type: ignore[attr-defined]
    return form


def render_circle(
    request: OrganisationRequest, circle: Mentorship, *, status: int = 200, **forms: Form
) -> HttpResponse:
    """A member's page of their circle: who is in it, the agreement, the ways to meet and
    talk, shared goals and notes, and leaving."""
    user = request.user
    rows = selectors.circle_member_rows(circle=circle)
    mine = next((r for r in rows if r.user_id == user.pk), None)
    if mine is None:  # left between the lookup and now
        raise Http404("No such mentorship")
    context: dict[str, Any] = {
        "mentorship": circle,
        "rows": rows,
        "mine": mine,
        "mentee_count": sum(1 for r in rows if r.role == "mentee"),
        "is_open": circle.status != Mentorship.Status.ENDED,
        "goals": selectors.goals_for(mentorship=circle),
        "notes": selectors.notes_for_member(mentorship=circle, user=user),
        "milestones": selectors.milestones_for(mentorship=circle),
        "agreement_form": forms.get("agreement_form") or CircleAgreementForm(),
        "goal_form": forms.get("goal_form") or GoalForm(prefix="goal"),
        "note_form": forms.get("note_form") or circle_note_form(prefix="note"),
    }
    return render(request, "mentorships/circle_detail.html", context, status=status)


def render_circle_manager(
    request: OrganisationRequest, circle: Mentorship, *, status: int = 200, form: Form | None = None
) -> HttpResponse:
    """What managers see of a circle: its people and their agreement, never its
    conversation, notes or goals' details (as for pairs)."""
    context = {
        "mentorship": circle,
        "programme": circle.programme,
        "rows": selectors.circle_member_rows(circle=circle),
        "transitions": circle.transitions.select_related("actor").order_by("at", "pk"),
        "add_form": form or CircleMemberForm(people=selectors.circle_candidates(circle=circle)),
        "is_open": circle.status != Mentorship.Status.ENDED,
    }
    return render(request, "mentorships/circle_manager.html", context, status=status)


def _member_circle(request: OrganisationRequest, circle_id: int) -> Mentorship:
    circle = selectors.mentorship_for_member(membership=request.membership, mentorship_id=circle_id)
    if not circle.is_circle:
        raise Http404("No such circle")
    return circle


def _to_circle(circle: Mentorship, anchor: str = "") -> HttpResponse:
    response = redirect("mentorship_detail", circle.programme.organisation.slug, circle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@organisation_view()
@require_POST
def circle_agreement(request: OrganisationRequest, circle_id: int) -> HttpResponse:
    circle = _member_circle(request, circle_id)
    form = CircleAgreementForm(request.POST)
    if form.is_valid():
        try:
            circle = circle_services.circle_accept_agreement(
                circle=circle,
                user=request.user,
                hopes=form.cleaned_data["hopes"],
                confidentiality=form.cleaned_data["confidentiality"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if circle.status == Mentorship.Status.ACTIVE:
                messages.success(request, "You have accepted: the circle is under way.")
            else:
                messages.success(request, "You have accepted. The circle starts once a mentor "
                                 "and a mentee have accepted.")  # fmt: skip
            return _to_circle(circle, "agreement")
    return render_circle(request, circle, status=400, agreement_form=form)


@organisation_view()
@require_POST
def circle_leave(request: OrganisationRequest, circle_id: int) -> HttpResponse:
    circle = _member_circle(request, circle_id)
    try:
        circle_services.circle_leave(circle=circle, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_circle(circle)
    messages.success(
        request, f"You have left the {circle.topic} circle. Thank you for the time you gave it."
    )
    return redirect("home")


# --- Managers ----------------------------------------------------------------------------


def _circle_form(programme: Programme, data: Any = None) -> CircleForm:
    return CircleForm(
        data,
        mentors=selectors.active_enrolments(programme=programme, role=Enrolment.Role.MENTOR),
        mentees=selectors.active_enrolments(programme=programme, role=Enrolment.Role.MENTEE),
    )


@organisation_view(roles=MANAGERS)
def circle_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    context = {"programme": programme, "circles": selectors.programme_circles(programme=programme)}
    return render(request, "mentorships/circle_list.html", context)


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def circle_create(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = _circle_form(programme, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circle = circle_services.circle_create(
                programme=programme,
                manager=request.membership,
                topic=data["topic"],
                capacity=data["capacity"],
                mentors=[e.user for e in data["mentors"]],
                mentees=[e.user for e in data["mentees"]],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request, f"Circle formed: everyone in “{circle.topic}” has been sent its agreement."
            )
            return redirect("mentorship_detail", programme.organisation.slug, circle.pk)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "form": form}
    return render(request, "mentorships/circle_create.html", context, status=status)


def _manager_circle(request: OrganisationRequest, circle_id: int) -> Mentorship:
    circle = selectors.mentorship_for_manager(
        membership=request.membership, mentorship_id=circle_id
    )
    if not circle.is_circle:
        raise Http404("No such circle")
    return circle


@organisation_view(roles=MANAGERS)
@require_POST
def circle_member_add(request: OrganisationRequest, circle_id: int) -> HttpResponse:
    circle = _manager_circle(request, circle_id)
    form = CircleMemberForm(request.POST, people=selectors.circle_candidates(circle=circle))
    if form.is_valid():
        enrolment = form.cleaned_data["person"]
        try:
            circle_services.circle_member_add(
                circle=circle, manager=request.membership, user=enrolment.user, role=enrolment.role
            )
        except ValidationError as error:
            errors_to_form(form, error, {"user": "person", "role": "person"})
        else:
            messages.success(request, f"{enrolment.user.name} has joined the circle.")
            return _to_circle(circle, "people")
    return render_circle_manager(request, circle, status=400, form=form)


@organisation_view(roles=MANAGERS)
@require_POST
def circle_member_remove(
    request: OrganisationRequest, circle_id: int, user_id: int
) -> HttpResponse:
    circle = _manager_circle(request, circle_id)
    person = User.objects.filter(pk=user_id).first()
    if person is None or person.pk not in circle.member_ids():
        raise Http404("No such member")
    try:
        circle_services.circle_member_remove(circle=circle, manager=request.membership, user=person)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"{person.name} is no longer in the circle.")
    return _to_circle(circle, "people")
