from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment
from openmentor.programmes.participants import selectors

PAGE_SIZE = 50


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Enrolment.Role.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Enrolment.Status.choices]
    )
    completeness = forms.ChoiceField(
        label="Profile",
        required=False,
        choices=[("", "Any profile"), ("complete", "Complete"), ("incomplete", "Incomplete")],
    )
    matched = forms.ChoiceField(
        label="Matched",
        required=False,
        choices=[("", "Matched or not"), ("yes", "Matched"), ("no", "Not matched")],
    )


@organisation_view(roles=MANAGERS)
def participant_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    organisation = request.organisation
    programme = selectors.programme_for_manager(
        organisation=organisation, programme_slug=programme_slug
    )
    form = ParticipantFilterForm(request.GET or None)
    filters = selectors.ParticipantFilters()
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = selectors.ParticipantFilters(
                search=data["q"],
                role=data["role"],
                status=data["status"],
                completeness=data["completeness"],
                matched=data["matched"],
            )
        else:
            status = 400
    rows = selectors.participants(programme=programme, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    # One reverse for the page rather than one per row (50 of them were a fifth of its time).
    sample = reverse("participant_detail", args=[organisation.slug, programme.slug, 0])
    return render(
        request,
        "programmes/participants/list.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "query": urlencode(query),
            "detail_url_prefix": sample.removesuffix("0/"),
        },
        status=status,
    )


@organisation_view(roles=MANAGERS)
def participant_detail(
    request: OrganisationRequest, programme_slug: str, enrolment_id: int
) -> HttpResponse:
    organisation = request.organisation
    programme = selectors.programme_for_manager(
        organisation=organisation, programme_slug=programme_slug
    )
    enrolment = selectors.participant(programme=programme, enrolment_id=enrolment_id)
    profile = Profile.objects.filter(organisation=organisation, user=enrolment.user).first()
    other_enrolments = (
        Enrolment.objects.filter(programme__organisation=organisation, user=enrolment.user)
        .exclude(pk=enrolment.pk)
        .select_related("programme")
    )
    return render(
        request,
        "programmes/participants/detail.html",
        {
            "programme": programme,
            "enrolment": enrolment,
            "profile": profile,
            "answers": selectors.participant_answers(enrolment=enrolment),
            "other_enrolments": other_enrolments,
        },
    )
