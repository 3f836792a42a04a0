from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.organisations import selectors, services
from openmentor.organisations.access import (
    MANAGERS,
    OWNERS,
    PENDING_INVITATION_SESSION_KEY,
    OrganisationRequest,
    organisation_view,
)
from openmentor.organisations.forms import InvitationForm, OrganisationForm, SecurityForm


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "organisations/list.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(
            name=form.cleaned_data["name"],
            owner=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, f"{organisation.name} is ready. Invite your first people.")
        return redirect("organisation_dashboard", slug=organisation.slug)
    return render(request, "organisations/create.html", {"form": form})


@organisation_view(roles=OWNERS)
@require_http_methods(["GET", "POST"])
def organisation_security(request: OrganisationRequest) -> HttpResponse:
    organisation = request.organisation
    form = SecurityForm(
        request.POST or None,
        initial={"require_mfa_for_managers": organisation.require_mfa_for_managers},
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_security_update(
            organisation=organisation,
            actor=request.membership,
            require_mfa_for_managers=form.cleaned_data["require_mfa_for_managers"],
        )
        messages.success(request, "Security settings saved.")
        return redirect("organisation_security", slug=organisation.slug)
    return render(request, "organisations/security.html", {"form": form})


@organisation_view(roles=MANAGERS)
def member_list(request: OrganisationRequest) -> HttpResponse:
    organisation = request.organisation
    members = selectors.organisation_members(organisation=organisation)
    return render(request, "organisations/members.html", {"members": members})


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def invitation_list(request: OrganisationRequest) -> HttpResponse:
    organisation = request.organisation
    inviter = request.membership
    form = InvitationForm(request.POST or None, inviter=inviter)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.invitation_create(
                organisation=organisation,
                inviter=inviter,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Invitation sent to {created.invitation.email}.")
            return redirect("invitation_list", slug=organisation.slug)
    invitations = selectors.organisation_invitations(organisation=organisation)[:200]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "organisations/invitations.html",
        {"form": form, "invitations": invitations},
        status=status,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def invitation_revoke(request: OrganisationRequest, invitation_id: int) -> HttpResponse:
    organisation = request.organisation
    invitation = selectors.organisation_invitation(
        organisation=organisation, invitation_id=invitation_id
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("invitation_list", slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = selectors.invitation_for_token(token=token)
    except selectors.InvitationInvalid as error:
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        return render(
            request,
            "organisations/invitation_invalid.html",
            {"reason": error.reason},
            status=error.status,
        )
    if not request.user.is_authenticated:
        # Remember the link through sign-up and e-mail verification.
        request.session[PENDING_INVITATION_SESSION_KEY] = token
        return render(request, "organisations/invitation_welcome.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except selectors.InvitationInvalid as error:
            return render(
                request,
                "organisations/invitation_invalid.html",
                {"reason": error.reason},
                status=error.status,
            )
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        messages.success(
            request,
            f"Welcome to {membership.organisation.name}. You joined as "
            f"{membership.get_role_display().lower()}.",
        )
        next_url = services.invitation_next_url(invitation)
        if next_url:  # a programme invitation: on to its enrolment page
            return redirect(next_url)
        return redirect("organisation_dashboard", slug=membership.organisation.slug)
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
    return render(request, "organisations/invitation_accept.html", {"invitation": invitation})
