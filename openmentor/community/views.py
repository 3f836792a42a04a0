"""The programme's community page: upcoming events, shared milestones and the directory
of participants who chose to be listed. Only the programme's active participants and the
organisation's managers see it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openmentor.community import selectors, services
from openmentor.community.forms import DirectorySearchForm, OptInForm
from openmentor.organisations.access import OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for

PAGE_SIZE = 20


@organisation_view()
@require_http_methods(["GET", "POST"])
def community(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    membership = request.membership
    member = selectors.is_programme_member(programme=programme, user=request.user)
    if not member and not membership.is_manager:
        # Someone in the organisation who may see the programme but is not taking part:
        # the page says so and shows nobody (a POST, which writes nothing, is refused).
        return render(
            request,
            "community/members_only.html",
            {"programme": programme},
            status=200 if request.method == "GET" else 400,
        )
    status = 200
    choice = selectors.opt_in_of(membership=membership) if member else None
    opt_in = (
        OptInForm(
            initial={
                "listed": bool(choice and choice.listed),
                "share_milestones": bool(choice and choice.share_milestones),
            }
        )
        if member
        else None
    )
    if request.method == "POST":
        if not member:  # a manager: the programme team is not listed
            return HttpResponse("Only the programme's participants appear in it.", status=400)
        opt_in = OptInForm(request.POST)
        if opt_in.is_valid():
            services.community_opt_in_save(membership=membership, **opt_in.cleaned_data)
            messages.success(request, "Your community choices are saved.")
            return redirect(request.path)
        status = 400
    search = DirectorySearchForm(request.GET or None, skills=list(programme.skills or []))
    query, skill = "", ""
    if search.is_bound:
        if search.is_valid():
            query = search.cleaned_data["q"].strip()
            skill = search.cleaned_data["skill"]
        else:
            status = 400
    people = selectors.directory(programme=programme, search=query, skill=skill)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/page.html",
        {
            "programme": programme,
            "events": selectors.upcoming_events(
                programme=programme,
                now=timezone.now(),
                viewer=None if membership.is_manager else request.user,
            ),
            "milestones": selectors.shared_milestones(programme=programme),
            "search": search,
            "page": page,
            "cards": selectors.directory_cards(programme=programme, people=list(page)),
            "query": urlencode({k: v for k, v in (("q", query), ("skill", skill)) if v}),
            "opt_in": opt_in,
        },
        status=status,
    )
