"""The read side's pages: where a signed-in person lands, the organisation's and a
programme's dashboards, and the managers' reports.

Each reads across the domain apps and writes nothing (a session key aside).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from openmentor.dashboard import reports
from openmentor.dashboard.forms import PeopleReportForm
from openmentor.dashboard.history import participant_history
from openmentor.dashboard.home import participant_home
from openmentor.organisations import selectors as organisation_selectors
from openmentor.organisations.access import (
    CURRENT_ORGANISATION_SESSION_KEY,
    MANAGERS,
    PENDING_INVITATION_SESSION_KEY,
    PENDING_JOIN_SESSION_KEY,
    OrganisationRequest,
    organisation_view,
)
from openmentor.programmes import selectors
from openmentor.programmes.access import programme_for
from openmentor.programmes.forms import ProgrammeInviteForm
from openmentor.programmes.models import Enrolment, Programme
from openmentor.programmes.promotion.selectors import ambassador_links_for


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    pending = request.session.get(PENDING_INVITATION_SESSION_KEY)
    if pending:
        # Back to the invitation that brought them here (through sign-up and verification).
        return redirect("invitation_accept", token=pending)

    pending_join = request.session.get(PENDING_JOIN_SESSION_KEY)
    if isinstance(pending_join, str) and pending_join.startswith("/join/"):
        # Back to the programme's join link after sign-up, even without ?next=.
        return redirect(pending_join)

    memberships = list(organisation_selectors.memberships_for_user(user=request.user))
    if not memberships:
        return redirect("organisation_list")
    preferred = request.session.get(CURRENT_ORGANISATION_SESSION_KEY)
    chosen = next((m for m in memberships if m.organisation.slug == preferred), memberships[0])
    return redirect("organisation_dashboard", slug=chosen.organisation.slug)


@organisation_view()
def organisation_dashboard(request: OrganisationRequest) -> HttpResponse:
    membership = request.membership
    organisation = request.organisation
    if membership.is_manager:
        context: dict[str, Any] = {
            "role_counts": organisation_selectors.organisation_role_counts(
                organisation=organisation
            ),
            "open_invitations": organisation_selectors.organisation_invitations(
                organisation=organisation
            )
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .count(),
            "programmes": selectors.programme_summaries(organisation=organisation),
        }
        return render(request, "organisations/dashboard_manager.html", context)
    home_data = participant_home(membership=membership)
    enrolments = list(selectors.enrolments_for_member(membership=membership))
    context = {
        "home": home_data,
        "history": participant_history(membership=membership),
        "enrolments": enrolments,
        "checklists": selectors.checklists_for_member(
            membership=membership,
            enrolments=enrolments,
            profile_completeness=home_data.profile_completeness,
        ),
        "ambassador_links": ambassador_links_for(membership=membership),
    }
    return render(request, "organisations/dashboard_participant.html", context)


@organisation_view()
def programme_detail(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    membership = request.membership
    programme = programme_for(request, programme_slug)
    if membership.is_manager:
        counts = {
            (row["role"], row["status"]): row["n"]
            for row in Enrolment.objects.filter(programme=programme)
            .values("role", "status")
            .annotate(n=Count("id"))
            .order_by()
        }
        previous, following = selectors.status_neighbours(programme)
        join_url = (
            request.build_absolute_uri(reverse("programme_join", args=[programme.join_token]))
            if programme.join_token
            else None
        )
        context: dict[str, Any] = {
            "programme": programme,
            "mentors": sum(n for (r, s), n in counts.items() if r == "mentor" and s == "active"),
            "mentees": sum(n for (r, s), n in counts.items() if r == "mentee" and s == "active"),
            "peers": sum(n for (r, s), n in counts.items() if r == "peer" and s == "active"),
            "pending": sum(n for (r, s), n in counts.items() if s == "pending"),
            "question_count": programme.questions.count(),
            "previous_status": previous and Programme.Status(previous),
            "next_status": following and Programme.Status(following),
            "invite_form": ProgrammeInviteForm(),
            "join_url": join_url,
            "accepts_enrolment": selectors.programme_accepts_enrolment(programme),
        }
        return render(request, "programmes/detail_manager.html", context)
    enrolments = selectors.member_enrolments_in(programme=programme, user=membership.user)
    context = {
        "programme": programme,
        "enrolments": list(enrolments.values()),
        "checklist": selectors.participant_checklist(membership=membership, programme=programme),
        "can_enrol": selectors.programme_accepts_enrolment(programme) and len(enrolments) < 2,
    }
    return render(request, "programmes/detail_participant.html", context)


@organisation_view(roles=MANAGERS)
@require_GET
def self_identification_report(request: OrganisationRequest) -> HttpResponse:
    organisation = request.organisation
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
        reports.self_identification_report(organisation=organisation, programme=programme)
        if status == 200
        else []
    )
    return render(
        request,
        "feedback/people_report.html",
        {"form": form, "programme": programme, "report": report},
        status=status,
    )


@organisation_view(roles=MANAGERS)
def matching_outcomes(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    outcomes = reports.matching_outcomes(programme=programme)
    return render(request, "matching/outcomes.html", {"programme": programme, "outcomes": outcomes})
