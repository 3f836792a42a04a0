"""Pages of a mentorship (the pair's space) and the managers' mentorship pages.

The pair's pages answer only to the two members; a manager of the organisation sees a
summary of the mentorship page (never notes, hopes or reflections) and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.accounts.models import User
from openmentor.core.forms import errors_to_form
from openmentor.mentorships import circle_views, selectors
from openmentor.mentorships.forms import (
    AgreementForm,
    ExternalMeetingForm,
    GoalEditForm,
    GoalForm,
    MentorshipCreateForm,
    MilestoneForm,
    NoteForm,
    RematchForm,
)
from openmentor.mentorships.models import Mentorship, RematchRequest
from openmentor.mentorships.services import journey as mentorships_journey
from openmentor.mentorships.services import lifecycle as mentorships_lifecycle
from openmentor.mentorships.services import rematch as mentorships_rematch
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Programme
from openmentor.programmes.roles import enrolment_role, other_side, role_words


def _member_mentorship(request: OrganisationRequest, mentorship_id: int) -> Mentorship:
    return selectors.mentorship_for_member(
        membership=request.membership, mentorship_id=mentorship_id
    )


def _to_detail(mentorship: Mentorship, anchor: str = "") -> HttpResponse:
    response = redirect("mentorship_detail", mentorship.programme.organisation.slug, mentorship.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _get_only() -> HttpResponse:
    """405 for read-only pages, answered after the object lookup so that naming another
    organisation's object is a 404 whatever the method."""
    return HttpResponseNotAllowed(["GET"])


# --- The pair's space -------------------------------------------------------------------


def _render_detail(
    request: OrganisationRequest, mentorship: Mentorship, *, status: int = 200, **forms: Form
) -> HttpResponse:
    if mentorship.is_circle:
        return circle_views.render_circle(request, mentorship, status=status, **forms)
    user = request.user
    role = "mentor" if user.pk == mentorship.mentor_id else "mentee"
    partner = selectors.partner_for(mentorship, user)
    own_accepted = getattr(mentorship, f"{role}_accepted_at")
    external_meetings = list(selectors.external_meetings_for(mentorship))
    # Meetings held so far, for whether icebreakers still help: those logged as held
    # outside the meetings app (scheduled meetings have never counted here).
    held = len(external_meetings)
    rematch = RematchRequest.objects.filter(previous_mentorship=mentorship, requester=user).first()
    context: dict[str, Any] = {
        "mentorship": mentorship,
        "role": role,
        "partner": partner,
        "own_accepted": own_accepted,
        "own_hopes": getattr(mentorship, f"{role}_hopes"),
        "partner_hopes": mentorship.mentee_hopes if role == "mentor" else mentorship.mentor_hopes,
        "partner_accepted": getattr(
            mentorship, f"{'mentee' if role == 'mentor' else 'mentor'}_accepted_at"
        ),
        "goals": selectors.goals_for(mentorship=mentorship),
        "notes": selectors.notes_for_member(mentorship=mentorship, user=user),
        "reflection": selectors.reflection_of(mentorship=mentorship, author=user),
        "external_meetings": external_meetings,
        "milestones": selectors.milestones_for(mentorship=mentorship),
        "icebreakers": (
            selectors.icebreakers_by_meeting(programme=mentorship.programme)
            if held < 2 and mentorship.status != Mentorship.Status.ENDED
            else None
        ),
        "next_meeting_number": held + 1,
        "rematch": rematch,
        "is_open": mentorship.status != Mentorship.Status.ENDED,
        "agreement_form": forms.get("agreement_form")
        or AgreementForm(initial={"cadence_weeks": mentorship.agreed_cadence_weeks}),
        "goal_form": forms.get("goal_form") or GoalForm(prefix="goal"),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
    }
    return render(request, "mentorships/detail.html", context, status=status)


@organisation_view()
def mentorship_detail(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    membership = request.membership
    try:
        mentorship = _member_mentorship(request, mentorship_id)
    except Http404:
        # Not one of the pair: a manager sees the summary, anyone else a 404.
        mentorship = selectors.mentorship_for_manager(
            membership=membership, mentorship_id=mentorship_id
        )
        if request.method != "GET":
            return _get_only()
        if mentorship.is_circle:
            return circle_views.render_circle_manager(request, mentorship)
        context = {
            "mentorship": mentorship,
            "transitions": mentorship.transitions.select_related("actor").order_by("at", "pk"),
            "goals": selectors.goals_for(mentorship=mentorship),
            "external_count": selectors.external_meetings_for(mentorship).count(),
        }
        return render(request, "mentorships/detail_manager.html", context)
    if request.method != "GET":
        return _get_only()
    return _render_detail(request, mentorship)


@organisation_view()
@require_POST
def mentorship_agreement(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            mentorship = mentorships_lifecycle.mentorship_accept_agreement(
                mentorship=mentorship,
                user=request.user,
                hopes=form.cleaned_data["hopes"],
                confidentiality=form.cleaned_data["confidentiality"],
                cadence_weeks=form.cleaned_data["cadence_weeks"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if mentorship.status == Mentorship.Status.ACTIVE:
                messages.success(request, "You have both accepted: your mentorship has started.")
            else:
                messages.success(
                    request, "Thank you. We will let you know when your partner accepts."
                )
            return _to_detail(mentorship)
    return _render_detail(request, mentorship, status=400, agreement_form=form)


def _status_action(request: OrganisationRequest, mentorship_id: int, action: str) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    service = (
        mentorships_lifecycle.mentorship_pause
        if action == "pause"
        else mentorships_lifecycle.mentorship_resume
    )
    try:
        service(mentorship=mentorship, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Your mentorship is paused. Resume it whenever you are ready."
            if action == "pause"
            else "Welcome back: your mentorship is active again.",
        )
    return _to_detail(mentorship)


@organisation_view()
@require_POST
def mentorship_pause(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    return _status_action(request, mentorship_id, "pause")


@organisation_view()
@require_POST
def mentorship_resume(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    return _status_action(request, mentorship_id, "resume")


@organisation_view()
@require_POST
def mentorship_rematch(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    try:
        mentorships_rematch.rematch_request_create(mentorship=mentorship, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "We have asked the programme team to find you a new match.")
    return _to_detail(mentorship)


# --- Goals ---------------------------------------------------------------------------


def _celebrate(request: OrganisationRequest, title: str) -> None:
    messages.success(request, f"🎉 Goal reached: {title}! Well done, both of you.")


@organisation_view()
@require_POST
def goal_create(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        try:
            mentorships_journey.goal_create(
                mentorship=mentorship,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Goal added.")
            return _to_detail(mentorship, "goals")
    return _render_detail(request, mentorship, status=400, goal_form=form)


@organisation_view()
@require_http_methods(["GET", "POST"])
def goal_edit(request: OrganisationRequest, mentorship_id: int, goal_id: int) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    goal = selectors.goal_for_member(mentorship=mentorship, goal_id=goal_id)
    form = GoalEditForm(
        request.POST if request.method == "POST" else None,
        initial={"title": goal.title, "description": goal.description, "progress": goal.progress},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, reached = mentorships_journey.goal_update(
                goal=goal,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                progress=form.cleaned_data["progress"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if reached:
                _celebrate(request, goal.title)
            else:
                messages.success(request, "Goal updated.")
            return _to_detail(mentorship, "goals")
    status = 400 if request.method == "POST" else 200
    return _render_goal(request, mentorship, goal, form=form, status=status)


def _render_goal(
    request: OrganisationRequest,
    mentorship: Mentorship,
    goal: Any,
    *,
    form: Form | None = None,
    milestone_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = GoalEditForm(
            initial={
                "title": goal.title,
                "description": goal.description,
                "progress": goal.progress,
            }
        )
    context = {
        "mentorship": mentorship,
        "goal": goal,
        "form": form,
        "milestone_form": milestone_form or MilestoneForm(prefix="milestone"),
        "is_open": mentorship.status != Mentorship.Status.ENDED,
    }
    return render(request, "mentorships/goal_edit.html", context, status=status)


@organisation_view()
@require_POST
def milestone_create(
    request: OrganisationRequest, mentorship_id: int, goal_id: int
) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    goal = selectors.goal_for_member(mentorship=mentorship, goal_id=goal_id)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            mentorships_journey.milestone_add(
                goal=goal, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Milestone added.")
            return redirect(
                "goal_edit", mentorship.programme.organisation.slug, mentorship.pk, goal.pk
            )
    return _render_goal(request, mentorship, goal, milestone_form=form, status=400)


@organisation_view()
@require_POST
def milestone_toggle(
    request: OrganisationRequest, mentorship_id: int, goal_id: int, milestone_id: int
) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    goal = selectors.goal_for_member(mentorship=mentorship, goal_id=goal_id)
    milestone = selectors.milestone_for_member(goal=goal, milestone_id=milestone_id)
    try:
        reached = mentorships_journey.milestone_set_done(
            milestone=milestone, user=request.user, done=milestone.done_at is None
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if reached:
            _celebrate(request, goal.title)
    return _to_detail(mentorship, "goals")


# --- Notes and meetings held elsewhere ---------------------------------------------------


@organisation_view()
@require_POST
def note_create(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        private = form.cleaned_data["visibility"] == "private"
        try:
            mentorships_journey.note_create(
                mentorship=mentorship,
                user=request.user,
                body=form.cleaned_data["body"],
                private=private,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request, "Private note saved: only you can see it." if private else "Note shared."
            )
            return _to_detail(mentorship, "notes")
    return _render_detail(request, mentorship, status=400, note_form=form)


@organisation_view()
@require_http_methods(["GET", "POST"])
def meeting_log_external(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    mentorship = _member_mentorship(request, mentorship_id)
    form = ExternalMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mentorships_journey.meeting_log_external(
                mentorship=mentorship,
                user=request.user,
                held_on=form.cleaned_data["held_on"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Meeting logged. It is marked as self-reported.")
            return _to_detail(mentorship, "meetings-elsewhere")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mentorships/log_external.html",
        {"mentorship": mentorship, "form": form},
        status=status,
    )


# --- Managers ----------------------------------------------------------------------------


@organisation_view(roles=MANAGERS)
def mentorship_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method != "GET":
        return _get_only()
    context = {
        "programme": programme,
        "mentorships": selectors.programme_mentorships(programme=programme)[:500],
        "reason_counts": selectors.ending_reason_counts(programme=programme),
        "open_rematches": selectors.open_rematch_requests(programme=programme).count(),
    }
    return render(request, "mentorships/list_manager.html", context)


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def mentorship_create(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    form = MentorshipCreateForm(
        request.POST or None,
        # A peer programme's people are enrolled once, as peers, and either select lists them.
        mentors=selectors.active_enrolments(
            programme=programme, role=enrolment_role(programme, "mentor")
        ),
        mentees=selectors.active_enrolments(
            programme=programme, role=enrolment_role(programme, "mentee")
        ),
        words=role_words(programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            mentorship = mentorships_lifecycle.mentorship_create(
                programme=programme,
                mentor=form.cleaned_data["mentor"].user,
                mentee=form.cleaned_data["mentee"].user,
                created_by=request.user,
                source=Mentorship.Source.MANAGER,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                f"Mentorship proposed: {mentorship.mentor.name} and {mentorship.pair_mentee.name} "
                "have been e-mailed the agreement.",
            )
            return redirect("mentorship_list", programme.organisation.slug, programme.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "mentorships/create.html",
        {"programme": programme, "form": form},
        status=status,
    )


def _rematch_rows(
    programme: Programme, forms: dict[int, Form] | None = None
) -> list[dict[str, Any]]:
    requests = list(selectors.open_rematch_requests(programme=programme))
    # One query per role for candidates; each request then filters in Python, so the
    # page costs the same for 3 requests or 300.
    # (In a peer programme both sides are the programme's peers: one query.)
    candidates = {
        role: [
            (e.user_id, f"{e.user.name} ({e.user.email})")
            for e in selectors.active_enrolments(programme=programme, role=role)
        ]
        for role in {enrolment_role(programme, side) for side in ("mentor", "mentee")}
    }
    rows = []
    for request in requests:
        wanted = other_side(request.role)
        choices = [
            (user_id, label)
            for user_id, label in candidates[enrolment_role(programme, wanted)]
            if user_id not in (request.excluded_partner_id, request.requester_id)
        ]
        form = (forms or {}).get(request.pk) or RematchForm(
            choices=choices, prefix=f"rematch-{request.pk}"
        )
        rows.append({"request": request, "form": form, "wanted": wanted})
    return rows


@organisation_view(roles=MANAGERS)
def rematch_queue(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method != "GET":
        return _get_only()
    return render(
        request,
        "mentorships/rematch_queue.html",
        {"programme": programme, "rows": _rematch_rows(programme)},
    )


@organisation_view(roles=MANAGERS)
@require_POST
def rematch_resolve(
    request: OrganisationRequest, programme_slug: str, rematch_id: int
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    rematch = selectors.rematch_request_for_manager(programme=programme, rematch_id=rematch_id)
    new_partner: User | None = None
    form: RematchForm | None = None
    if "match" in request.POST:
        rows = {row["request"].pk: row for row in _rematch_rows(programme)}
        choices = rows[rematch.pk]["form"].fields["partner"].choices if rematch.pk in rows else []
        form = RematchForm(
            request.POST, choices=[c for c in choices if c[0] != ""], prefix=f"rematch-{rematch.pk}"
        )
        if form.is_valid():
            new_partner = User.objects.get(pk=form.cleaned_data["partner"])
    if form is None or new_partner is not None:
        try:
            mentorships_rematch.rematch_request_resolve(
                rematch_request=rematch, manager=request.membership, new_partner=new_partner
            )
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("rematch_queue", programme.organisation.slug, programme.slug)
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                f"New mentorship proposed for {rematch.requester.name}."
                if new_partner
                else f"The request of {rematch.requester.name} is marked as resolved.",
            )
            return redirect("rematch_queue", programme.organisation.slug, programme.slug)
    assert form is not None
    return render(
        request,
        "mentorships/rematch_queue.html",
        {"programme": programme, "rows": _rematch_rows(programme, {rematch.pk: form})},
        status=400,
    )
