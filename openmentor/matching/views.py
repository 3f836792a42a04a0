"""Manager pages of matching, under o/<slug>/programmes/<programme_slug>/matching/."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.core.charts import Bar, bar_chart
from openmentor.matching import review, selectors
from openmentor.matching.constants import REMATCH
from openmentor.matching.forms import MatchingSettingsForm, PinForm, SwapForm
from openmentor.matching.models import MatchingRun
from openmentor.matching.problem import settings_for
from openmentor.matching.services import proposals as matching_proposals
from openmentor.matching.services import publishing as matching_publishing
from openmentor.matching.services import runs as matching_runs
from openmentor.matching.services.circles import circles_fill
from openmentor.mentorships.selectors import mentorship_for_member
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Programme
from openmentor.programmes.roles import explain_words
from openmentor.programmes.selectors import settings_locked


def _run_page(run: MatchingRun, back: str = "") -> HttpResponseRedirect:
    programme = run.programme
    slug = programme.organisation.slug
    if selectors.run_is_rematch(run):
        url = reverse("matching_run", args=[slug, programme.slug, run.pk])
    else:
        url = reverse("matching_home", args=[slug, programme.slug])
    query = review.back_query(back)
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def _run_context(
    run: MatchingRun | None, params: Mapping[str, str] | None = None
) -> dict[str, object]:
    finished = run is not None and run.status in (
        MatchingRun.Status.DONE,
        MatchingRun.Status.PUBLISHED,
        MatchingRun.Status.SUPERSEDED,
    )
    proposal = selectors.proposal_for(run=run) if run is not None and finished else None
    return {
        "run": run,
        "active": run is not None
        and run.status in (MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING),
        "proposal": proposal,
        # Search, sort, filter and pages over the pairs (matching.review).
        "review": review.review(proposal, params or {}, previous=review.previous_pairs(run))
        if proposal is not None and run is not None
        else None,
        "review_sorts": list(review.SORTS.items()),
        "review_shows": list(review.SHOWS.items()),
        "reviewable": run is not None and run.status == MatchingRun.Status.DONE,
        "progress_percent": round((run.progress if run else 0) * 100),
    }


@organisation_view(roles=MANAGERS)
def matching_home(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    run = selectors.latest_run(programme=programme)
    context = {
        "programme": programme,
        "rematch_waiting": selectors.rematch_waiting(programme=programme),
        **_run_context(run, request.GET),
    }
    return render(request, "matching/home.html", context)


@organisation_view(roles=MANAGERS)
def matching_run(request: OrganisationRequest, programme_slug: str, run_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    run = selectors.run_for_manager(programme=programme, run_id=run_id)
    context = {
        "programme": programme,
        "rematch": selectors.run_is_rematch(run),
        **_run_context(run, request.GET),
    }
    return render(request, "matching/run.html", context)


@organisation_view(roles=MANAGERS)
def matching_run_progress(
    request: OrganisationRequest, programme_slug: str, run_id: int
) -> HttpResponse:
    """The polled fragment: a progress bar while running; when finished, the htmx
    request is told to reload the page so the proposal appears with its controls."""
    programme = programme_for(request, programme_slug)
    run = selectors.run_for_manager(programme=programme, run_id=run_id)
    context = {"programme": programme, **_run_context(run)}
    response = render(request, "matching/includes/progress.html", context)
    if not context["active"] and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@organisation_view(roles=MANAGERS)
@require_POST
def matching_run_start(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    rematch = request.POST.get("kind") == REMATCH
    try:
        run = matching_runs.matching_run_start(
            programme=programme, actor=request.membership, rematch=rematch
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching_home", request.organisation.slug, programme.slug)
    run.refresh_from_db()
    if run.status == MatchingRun.Status.FAILED:
        messages.error(request, run.error)
    elif run.status == MatchingRun.Status.DONE:
        messages.success(request, "The proposal is ready.")
    else:
        messages.info(request, "Matching has started.")
    return _run_page(run)


@organisation_view(roles=MANAGERS)
@require_POST
def rematch_propose(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    """One click from the rematch queue: new matches for the mentees who asked, never
    with a past partner (build_problem excludes them)."""
    programme = programme_for(request, programme_slug)
    try:
        run = matching_runs.matching_run_start(
            programme=programme, actor=request.membership, rematch=True
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching_home", request.organisation.slug, programme.slug)
    run.refresh_from_db()
    if run.status == MatchingRun.Status.FAILED:
        messages.error(request, run.error)
    return redirect("matching_run", request.organisation.slug, programme.slug, run.pk)


@organisation_view(roles=MANAGERS)
@require_POST
def matching_pin(request: OrganisationRequest, programme_slug: str, run_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    run = selectors.run_for_manager(programme=programme, run_id=run_id)
    form = PinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a pair of the proposal and lock or forbid it.")
        return _run_page(run)
    try:
        matching_proposals.matching_pin_set(run=run, actor=request.membership, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        kind = form.cleaned_data["kind"]
        messages.success(
            request,
            {
                "lock": "Locked: re-runs keep this pair.",
                "forbid": "Forbidden: this pair will not be proposed again.",
                "clear": "The pair is no longer locked or forbidden.",
            }[kind],
        )
    return _run_page(run, request.POST.get("back", ""))


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def matching_swap(request: OrganisationRequest, programme_slug: str, run_id: int) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    run = selectors.run_for_manager(programme=programme, run_id=run_id)
    data = request.POST if request.method == "POST" else request.GET
    mentee, mentor = data.get("mentee", ""), data.get("mentor", "")
    pair = selectors.pair_lookup(run).get(mentee)
    if pair is None or pair["mentor"] != mentor and mentor:
        messages.error(request, "That pair is not in this proposal.")
        return _run_page(run)
    if request.method == "POST":
        form = SwapForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the mentors offered.")
            return redirect(
                reverse("matching_swap", args=[request.organisation.slug, programme.slug, run.pk])
                + f"?mentee={mentee}&mentor={mentor}"
            )
        try:
            matching_proposals.matching_swap(
                run=run,
                actor=request.membership,
                mentee=form.cleaned_data["mentee"],
                old_mentor=form.cleaned_data["mentor"],
                new_mentor=form.cleaned_data["new_mentor"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Mentor swapped; the new pair is locked.")
        return _run_page(run)
    try:
        alternatives = selectors.swap_alternatives(run=run, mentee=mentee)
        problem = ""
    except ValidationError as error:
        alternatives, problem = [], " ".join(error.messages)
    proposal = selectors.proposal_for(run=run)
    names = {p.mentee: p.mentee_name for p in proposal.pairs} | {
        p.mentor: p.mentor_name for p in proposal.pairs
    }
    from openmentor.accounts.models import User
    from openmentor.matching.explain import why_lines
    from openmentor.matching.problem import user_id_of

    users = User.objects.in_bulk([user_id_of(a["mentor"]) for a in alternatives])
    rows = [
        {
            "mentor": a["mentor"],
            "name": users[user_id_of(a["mentor"])].name
            if user_id_of(a["mentor"]) in users
            else a["mentor"],
            "score": a["score"],
            "capacity_left": a["capacity_left"],
            "why": why_lines(a["reasons"], viewer_role="manager", words=explain_words(programme)),
        }
        for a in alternatives
    ]
    return render(
        request,
        "matching/swap.html",
        {
            "programme": programme,
            "run": run,
            "mentee": mentee,
            "mentor": pair["mentor"],
            "mentee_name": names.get(mentee, mentee),
            "mentor_name": names.get(pair["mentor"], pair["mentor"]),
            "alternatives": rows,
            "problem": problem,
            "reviewable": run.status == MatchingRun.Status.DONE,
        },
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def matching_publish(
    request: OrganisationRequest, programme_slug: str, run_id: int
) -> HttpResponse:
    """GET: the confirmation step (what will happen, or what changed). POST: publish."""
    programme = programme_for(request, programme_slug)
    run = selectors.run_for_manager(programme=programme, run_id=run_id)
    staleness = selectors.Staleness()
    problem = ""
    if request.method == "POST":
        try:
            created = matching_publishing.matching_publish(run=run, actor=request.membership)
        except matching_publishing.ProposalStale as error:
            staleness = error.staleness
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request,
                f"Published: {len(created)} mentorship(s) created; each pair was introduced "
                "by e-mail with why they were matched.",
            )
            return _run_page(run)
    elif run.status == MatchingRun.Status.DONE:
        staleness = selectors.proposal_staleness(run=run)
    proposal = selectors.proposal_for(run=run)
    status = 409 if request.method == "POST" else 200
    return render(
        request,
        "matching/publish.html",
        {
            "programme": programme,
            "run": run,
            "proposal": proposal,
            "staleness": staleness,
            "problem": problem,
            "reviewable": run.status == MatchingRun.Status.DONE,
            "rematch": selectors.run_is_rematch(run),
        },
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def matching_settings(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    match_settings = settings_for(programme)
    questions = list(programme.questions.filter(feeds_matching=True))
    locked = settings_locked(programme) & {"mentors_per_mentee", "default_mentor_capacity"}
    form = MatchingSettingsForm(
        request.POST or None,
        questions=questions,
        locked=locked,
        reverse=programme.kind == Programme.Kind.REVERSE,
        initial=MatchingSettingsForm.initial_for(programme, match_settings, questions),
    )
    if request.method == "POST" and form.is_valid():
        try:
            matching_runs.matching_settings_update(
                programme=programme, actor=request.membership, values=form.values()
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "The matching settings are saved.")
            return redirect(
                reverse("matching_settings", args=[request.organisation.slug, programme.slug])
                + "?preview=1#preview"
            )
    preview = None
    chart = ""
    before = None
    if request.method == "GET" and request.GET.get("preview"):
        preview = selectors.matching_preview(programme=programme)
        latest = selectors.latest_run(programme=programme)
        before = selectors.proposal_for(run=latest) if latest and latest.result else None
        if not preview.skipped:
            bars = []
            if before is not None:
                bars += [
                    Bar("Matched, last run", (before.matched_percent or 0) / 100, tone="before"),
                ]
            bars.append(Bar("Matched, now", (preview.matched_percent or 0) / 100))
            if before is not None:
                bars.append(
                    Bar("Mean score, last run", (before.mean_score or 0) / 100, tone="before")
                )
            bars.append(Bar("Mean score, now", (preview.mean_score or 0) / 100))
            chart = bar_chart(bars, title="The last run compared with the current settings")
    return render(
        request,
        "matching/settings.html",
        {
            "programme": programme,
            "form": form,
            "preview": preview,
            "before": before,
            "chart": chart,
        },
        status=400 if request.method == "POST" else 200,
    )


@organisation_view()
def mentorship_why(request: OrganisationRequest, mentorship_id: int) -> HttpResponse:
    """ "Why this match" for one of the person's own mentorships."""
    membership = request.membership
    mentorship = mentorship_for_member(membership=membership, mentorship_id=mentorship_id)
    return render(
        request,
        "matching/why.html",
        {
            "mentorship": mentorship,
            "why": selectors.mentorship_why(mentorship=mentorship, viewer=membership.user),
        },
    )


@organisation_view(roles=MANAGERS)
@require_POST
def circle_fill(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    """The matching engine places the mentees who are in no circle yet."""
    programme = programme_for(request, programme_slug)
    try:
        filled = circles_fill(programme=programme, manager=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = f"{filled.placed} mentee{'s' if filled.placed != 1 else ''} placed in circles."
        if filled.unplaced:
            text += f" {filled.unplaced} found no circle that suits them; add places or circles."
        if filled.skipped:
            text += f" {filled.skipped} could not be added (the circles changed meanwhile)."
        messages.success(request, text)
    return redirect("circle_list", programme.organisation.slug, programme.slug)
