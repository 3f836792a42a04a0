"""Reads scoped to an organisation and to the person's role in it."""

from __future__ import annotations

import hashlib

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from openmentor.accounts.models import User
from openmentor.organisations.models import Invitation, Membership, Organisation


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def membership_for_slug(*, user: User, slug: str) -> Membership:
    """The person's membership in the organisation, or 404.

    A slug that does not exist and one the person does not belong to answer the same,
    so nobody can probe which organisations exist.
    """
    if not user.is_authenticated:
        raise Http404
    from openmentor.organisations.extensions import memberships_extended

    # How many organisations the person belongs to, read with the membership: the header's
    # organisation switcher then needs no query of its own for people in only one.
    organisation_count = (
        Membership.objects.filter(user=OuterRef("user"))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    membership = (
        memberships_extended(Membership.objects.select_related("organisation", "user"))
        .annotate(organisation_count=Subquery(organisation_count))
        .filter(organisation__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    return membership


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email")
    )


def organisation_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation).select_related("invited_by")


def organisation_invitation(*, organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = (
        organisation_invitations(organisation=organisation).filter(pk=invitation_id).first()
    )
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def organisation_role_counts(*, organisation: Organisation) -> dict[str, int]:
    rows = (
        Membership.objects.filter(organisation=organisation)
        .values("role")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["role"]: row["n"] for row in rows}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationInvalid(Exception):
    """The link cannot be used; `reason` is shown to the person."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def invitation_for_token(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by", "programme")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you copied all of it, "
            "or ask for a new invitation.",
            404,
        )
    status = invitation.status
    if status == "accepted":
        raise InvitationInvalid("This invitation has already been used.", 410)
    if status == "revoked":
        raise InvitationInvalid("This invitation was withdrawn by the organisation.", 410)
    if status == "expired":
        raise InvitationInvalid(
            "This invitation has expired. Ask the person who invited you for a new one.", 410
        )
    return invitation
