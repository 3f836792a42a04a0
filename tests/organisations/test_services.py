from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmentor.core.models import Event
from openmentor.organisations.models import Invitation, Membership, Role
from openmentor.organisations.services import (
    InvitationInvalid,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    organisation_create,
)
from tests.conftest import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_creating_an_organisation_makes_the_creator_owner_with_a_unique_slug() -> None:
    alice = UserFactory()
    first = organisation_create(name="Northwind", owner=alice)
    second = organisation_create(name="Northwind", owner=alice)
    assert first.slug == "northwind" and second.slug == "northwind-2"
    assert Membership.objects.get(organisation=first, user=alice).role == Role.OWNER
    assert Event.objects.filter(kind="organisation.created").count() == 2


def test_reserved_words_are_not_used_as_slugs() -> None:
    assert organisation_create(name="Admin", owner=UserFactory()).slug == "admin-org"


def test_invitation_emails_a_link_that_creates_the_membership(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = invitation_create(
            organisation=tenant.organisation,
            inviter=tenant.owner,
            email="New@Example.org",
            role=Role.MANAGER,
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert created.path in mail.outbox[0].body
    invitee = UserFactory(email="new@example.org")
    membership = invitation_accept(token=created.token, user=invitee)
    assert membership.role == Role.MANAGER and membership.organisation == tenant.organisation
    with pytest.raises(InvitationInvalid) as used:
        invitation_accept(token=created.token, user=invitee)
    assert used.value.status == 410 and "already been used" in used.value.reason


def test_only_a_hash_of_the_token_is_stored(tenant: Tenant) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="x@example.org",
        role=Role.PARTICIPANT,
    )
    stored = Invitation.objects.get()
    assert created.token not in stored.token_hash and len(stored.token_hash) == 64


def test_expired_and_forged_links_are_refused(tenant: Tenant) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="late@example.org",
        role=Role.PARTICIPANT,
    )
    Invitation.objects.update(
        created_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    late = UserFactory(email="late@example.org")
    with pytest.raises(InvitationInvalid) as expired:
        invitation_accept(token=created.token, user=late)
    assert expired.value.status == 410 and "expired" in expired.value.reason
    with pytest.raises(InvitationInvalid) as forged:
        invitation_accept(token="forged" + created.token[6:], user=late)
    assert forged.value.status == 404
    assert not Membership.objects.filter(user=late).exists()


def test_invitation_is_only_for_the_address_it_was_sent_to(tenant: Tenant) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="right@example.org",
        role=Role.MANAGER,
    )
    with pytest.raises(InvitationInvalid) as wrong:
        invitation_accept(token=created.token, user=UserFactory(email="wrong@example.org"))
    assert wrong.value.status == 403 and "right@example.org" in wrong.value.reason
    assert Invitation.objects.get().accepted_at is None


def test_managers_invite_participants_only(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        invitation_create(
            organisation=tenant.organisation,
            inviter=tenant.manager,
            email="boss@example.org",
            role=Role.OWNER,
        )
    assert "Only an owner" in str(error.value)
    with pytest.raises(PermissionDenied):
        invitation_create(
            organisation=tenant.organisation,
            inviter=tenant.participant,
            email="p@example.org",
            role=Role.PARTICIPANT,
        )
    assert Invitation.objects.count() == 0


def test_an_inviter_cannot_invite_into_another_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    with pytest.raises(PermissionDenied):
        invitation_create(
            organisation=other_tenant.organisation,
            inviter=tenant.owner,
            email="p@example.org",
            role=Role.PARTICIPANT,
        )


def test_duplicate_open_invitation_and_existing_member_are_refused(tenant: Tenant) -> None:
    invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="dup@example.org",
        role=Role.PARTICIPANT,
    )
    with pytest.raises(ValidationError, match="open invitation"):
        invitation_create(
            organisation=tenant.organisation,
            inviter=tenant.owner,
            email="DUP@example.org",
            role=Role.PARTICIPANT,
        )
    with pytest.raises(ValidationError, match="already a member"):
        invitation_create(
            organisation=tenant.organisation,
            inviter=tenant.owner,
            email=tenant.participant.user.email,
            role=Role.PARTICIPANT,
        )
    assert Invitation.objects.count() == 1


def test_revoked_invitation_cannot_be_used(tenant: Tenant) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="gone@example.org",
        role=Role.PARTICIPANT,
    )
    invitation_revoke(invitation=created.invitation, actor=tenant.manager)
    with pytest.raises(InvitationInvalid, match="withdrawn"):
        invitation_accept(token=created.token, user=UserFactory(email="gone@example.org"))
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=created.invitation, actor=tenant.manager)


def test_a_person_can_belong_to_several_organisations(tenant: Tenant, other_tenant: Tenant) -> None:
    person = tenant.participant.user
    created = invitation_create(
        organisation=other_tenant.organisation,
        inviter=other_tenant.owner,
        email=person.email,
        role=Role.MANAGER,
    )
    invitation_accept(token=created.token, user=person)
    roles = dict(Membership.objects.filter(user=person).values_list("organisation__name", "role"))
    assert roles == {"Acme": Role.PARTICIPANT, "Globex": Role.MANAGER}


def test_an_expired_invitation_does_not_block_a_new_one(tenant: Tenant) -> None:
    invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="again@example.org",
        role=Role.PARTICIPANT,
    )
    Invitation.objects.update(
        created_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=1),
    )
    fresh = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="again@example.org",
        role=Role.PARTICIPANT,
    )
    assert fresh.invitation.status == "open"
    assert [i.status for i in Invitation.objects.order_by("created_at")] == ["revoked", "open"]


def test_only_owners_withdraw_owner_and_manager_invitations(tenant: Tenant) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="pm2@example.org",
        role=Role.MANAGER,
    )
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=created.invitation, actor=tenant.manager)
    assert Invitation.objects.get().status == "open"
    invitation_revoke(invitation=created.invitation, actor=tenant.owner)
    assert Invitation.objects.get().status == "revoked"
