"""Groups pushed by Entra ID and Okta: created, renamed, members added and removed as
each sends it; a group with a role gives its members that role."""

from __future__ import annotations

import pytest
from django.test import Client

from openmentor.organisations.models import Membership, Role
from openmentor.scim.models import ScimGroup
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.scim.helpers import ScimClient, entra_patch, scim_token

pytestmark = pytest.mark.django_db

GROUPS = "/scim/v2/Groups"


@pytest.fixture
def scim(tenant: Tenant) -> ScimClient:
    return ScimClient(scim_token(tenant.owner)[1])


def test_entra_creates_a_group_and_adds_and_removes_members(
    tenant: Tenant, scim: ScimClient
) -> None:
    a, b = MembershipFactory.create_batch(2, organisation=tenant.organisation)
    response = scim.post(
        GROUPS,
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "externalId": "g-1",
            "displayName": "Mentoring leads",
            "members": [],
        },
    )
    assert response.status_code == 201, response.content
    group_id = response.json()["id"]
    assert scim.get(GROUPS, filter='displayName eq "Mentoring leads"').json()["totalResults"] == 1
    response = scim.patch(
        f"{GROUPS}/{group_id}",
        entra_patch(
            {
                "op": "Add",
                "path": "members",
                "value": [{"value": str(a.user_id)}, {"value": str(b.user_id)}],
            }
        ),
    )
    assert response.status_code == 200, response.content
    assert {m["value"] for m in response.json()["members"]} == {str(a.user_id), str(b.user_id)}
    scim.patch(
        f"{GROUPS}/{group_id}",
        entra_patch({"op": "Remove", "path": "members", "value": [{"value": str(a.user_id)}]}),
    )
    members = scim.get(f"{GROUPS}/{group_id}").json()["members"]
    assert [m["value"] for m in members] == [str(b.user_id)]
    # Entra's membership check.
    found = scim.get(GROUPS, filter=f'id eq "{group_id}" and members eq "{b.user_id}"').json()
    assert found["totalResults"] == 1
    assert scim.get(GROUPS, excludedAttributes="members").json()["Resources"][0]["members"] == []


def test_okta_renames_and_removes_a_member_by_path(tenant: Tenant, scim: ScimClient) -> None:
    a = MembershipFactory(organisation=tenant.organisation)
    group_id = scim.post(
        GROUPS, {"displayName": "Okta group", "members": [{"value": str(a.user_id)}]}
    ).json()["id"]
    scim.patch(
        f"{GROUPS}/{group_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "value": {"id": group_id, "displayName": "Renamed"}},
                {"op": "remove", "path": f'members[value eq "{a.user_id}"]'},
            ],
        },
    )
    body = scim.get(f"{GROUPS}/{group_id}").json()
    assert body["displayName"] == "Renamed" and body["members"] == []


def test_people_of_another_organisation_cannot_be_added(
    tenant: Tenant, other_tenant: Tenant, scim: ScimClient
) -> None:
    response = scim.post(
        GROUPS,
        {"displayName": "Sneaky", "members": [{"value": str(other_tenant.participant.user_id)}]},
    )
    assert response.status_code == 400
    assert "No person with id" in response.json()["detail"]
    assert not ScimGroup.objects.exists()


def test_duplicate_group_names_conflict(scim: ScimClient) -> None:
    scim.post(GROUPS, {"displayName": "Leads"})
    assert scim.post(GROUPS, {"displayName": "Leads"}).status_code == 409


def test_a_group_with_the_manager_role_makes_its_members_managers(
    tenant: Tenant, scim: ScimClient, owner_client: Client
) -> None:
    member = MembershipFactory(organisation=tenant.organisation, role=Role.PARTICIPANT)
    group_id = scim.post(
        GROUPS,
        {
            "displayName": "Managers",
            "members": [{"value": str(member.user_id)}, {"value": str(tenant.owner.user_id)}],
        },
    ).json()["id"]
    response = owner_client.post(
        f"/o/{tenant.organisation.slug}/integrations/provisioning/groups/{group_id}/",
        {f"g{group_id}-role": "manager"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=member.pk).role == Role.MANAGER
    assert Membership.objects.get(pk=tenant.owner.pk).role == Role.OWNER  # owners stay owners
    scim.patch(
        f"{GROUPS}/{group_id}",
        entra_patch({"op": "Remove", "path": "members", "value": [{"value": str(member.user_id)}]}),
    )
    assert Membership.objects.get(pk=member.pk).role == Role.PARTICIPANT


def test_bad_group_bodies_are_scim_errors(scim: ScimClient) -> None:
    assert scim.post(GROUPS, {"members": []}).json()["scimType"] == "invalidValue"
    assert scim.post(GROUPS, {"displayName": "X", "members": ["1"]}).status_code == 400
    group_id = scim.post(GROUPS, {"displayName": "G"}).json()["id"]
    response = scim.patch(
        f"{GROUPS}/{group_id}", entra_patch({"op": "frobnicate", "path": "members"})
    )
    assert response.status_code == 400
    response = scim.patch(f"{GROUPS}/{group_id}", {"Operations": "nope"})
    assert response.status_code == 400
    assert scim.delete(f"{GROUPS}/{group_id}").status_code == 204
    assert scim.get(f"{GROUPS}/{group_id}").status_code == 404
