"""Provisioning people as Entra ID and Okta do it: look up by userName, create, update,
deactivate (which ends the person's mentorships and tells their partners), reactivate,
delete; filters and pages per RFC 7644; SCIM errors for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from openmentor.accounts.models import User
from openmentor.mentorships.models import Mentorship
from openmentor.notifications.models import Notification
from openmentor.organisations.models import Membership, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment
from openmentor.scim.models import ScimIdentity
from tests.conftest import Tenant
from tests.factories import MembershipFactory, UserFactory
from tests.scenarios import active_mentorship
from tests.scim.helpers import ScimClient, entra_patch, entra_user, okta_user, scim_token

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"


@pytest.fixture
def scim(tenant: Tenant) -> ScimClient:
    return ScimClient(scim_token(tenant.owner)[1])


def test_entra_validation_lookup_of_someone_unknown_is_an_empty_list(scim: ScimClient) -> None:
    response = scim.get(USERS, filter='userName eq "2b9e4c7a-0000-4f1e-9a61-fd1d5c0cbb10"')
    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }


def test_entra_creates_a_person_who_joins_with_the_tokens_role(
    tenant: Tenant, scim: ScimClient
) -> None:
    response = scim.post(USERS, entra_user("ada@acme.example", "e-1"))
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(email="ada@acme.example")
    assert body["id"] == str(user.pk)
    assert body["userName"] == "ada@acme.example" and body["externalId"] == "e-1"
    assert body["active"] is True
    assert body["name"]["givenName"] == "Ada"
    assert body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == {
        "department": "Engines"
    }
    assert body["title"] == "Analyst"
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{user.pk}")
    membership = Membership.objects.get(organisation=tenant.organisation, user=user)
    assert membership.role == Role.PARTICIPANT
    profile = Profile.objects.get(organisation=tenant.organisation, user=user)
    assert (profile.department, profile.job_title) == ("Engines", "Analyst")
    # Found again the way Entra looks people up.
    found = scim.get(USERS, filter='userName eq "ADA@acme.example"').json()
    assert [r["id"] for r in found["Resources"]] == [str(user.pk)]
    found = scim.get(USERS, filter='externalId eq "e-1"').json()
    assert found["totalResults"] == 1


def test_a_manager_token_provisions_managers(tenant: Tenant) -> None:
    scim = ScimClient(scim_token(tenant.owner, role="manager")[1])
    scim.post(USERS, okta_user("grace@acme.example"))
    assert Membership.objects.get(user__email="grace@acme.example").role == Role.MANAGER


def test_creating_someone_twice_is_a_conflict(scim: ScimClient) -> None:
    assert scim.post(USERS, entra_user("ada@acme.example", "e-1")).status_code == 201
    again = scim.post(USERS, entra_user("ada@acme.example", "e-2"))
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"
    assert User.objects.filter(email="ada@acme.example").count() == 1


def test_an_existing_account_joins_but_its_name_is_not_changed_by_another_organisation(
    tenant: Tenant, other_tenant: Tenant, scim: ScimClient
) -> None:
    """A User is global: Acme's HR system may add Globex's member to Acme, but not rename
    the account they also use at Globex."""
    person = other_tenant.participant.user
    body = okta_user(person.email)
    body["name"] = {"givenName": "Renamed", "familyName": "ByAcme"}
    assert scim.post(USERS, body).status_code == 201
    person.refresh_from_db()
    assert person.first_name != "Renamed"
    assert Membership.objects.filter(organisation=tenant.organisation, user=person).exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"schemas": []}, "userName is required."),
        ({"userName": "not-an-email"}, "must be an e-mail address"),
        ({"userName": "x@acme.example", "active": "maybe"}, "active must be true or false."),
        ({"userName": "x@acme.example", "name": {"givenName": "x" * 151}}, "longer than 150"),
        ([1, 2], "must be a SCIM User object"),
    ],
)
def test_bad_users_are_refused_with_a_scim_error_and_nothing_is_written(
    scim: ScimClient, body: Any, detail: str
) -> None:
    users_before = User.objects.count()
    response = scim.post(USERS, body)
    assert response.status_code == 400
    error = response.json()
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert error["status"] == "400" and error["scimType"] == "invalidValue"
    assert detail in error["detail"]
    assert User.objects.count() == users_before


def test_a_body_that_is_not_json_is_invalid_syntax(scim: ScimClient) -> None:
    response = scim.post(USERS, b"{nope")
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"


def test_entra_updates_with_patch_paths_and_string_booleans(
    tenant: Tenant, scim: ScimClient
) -> None:
    user_id = scim.post(USERS, entra_user("ada@acme.example", "e-1")).json()["id"]
    response = scim.patch(
        f"{USERS}/{user_id}",
        entra_patch(
            {"op": "Replace", "path": "name.givenName", "value": "Augusta"},
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "augusta@acme.example",
            },
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Analytics",
            },
            {"op": "Replace", "path": "userName", "value": "augusta@acme.example"},
            {"op": "Replace", "path": "active", "value": "True"},
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"]["givenName"] == "Augusta"
    assert body["userName"] == "augusta@acme.example"
    assert (
        body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"]
        == "Analytics"
    )
    assert User.objects.get(pk=user_id).email == "augusta@acme.example"


def test_okta_replaces_a_person_with_put(scim: ScimClient) -> None:
    created = scim.post(USERS, okta_user("grace@acme.example")).json()
    body = okta_user("grace@acme.example")
    body["name"]["familyName"] = "Murray Hopper"
    response = scim.put(f"{USERS}/{created['id']}", body)
    assert response.status_code == 200
    assert response.json()["name"]["familyName"] == "Murray Hopper"


def test_deactivation_ends_mentorships_gracefully_and_tells_the_partner(
    tenant: Tenant, scim: ScimClient, django_capture_on_commit_callbacks: Any
) -> None:
    mentorship = active_mentorship(tenant.organisation, mentee=tenant.participant)
    departing = tenant.participant.user
    partner = mentorship.mentor
    upcoming = mentorship.meetings.create(
        starts_at=mentorship.created_at.replace(year=mentorship.created_at.year + 1),
        duration_minutes=30,
        status="accepted",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # Entra ID's deactivation; Okta sends {"op": "replace", "value": {"active": false}}.
        response = scim.patch(
            f"{USERS}/{departing.pk}",
            entra_patch({"op": "Replace", "path": "active", "value": "False"}),
        )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    mentorship.refresh_from_db()
    assert mentorship.status == Mentorship.Status.ENDED
    upcoming.refresh_from_db()
    assert upcoming.status == "cancelled"
    to_partner = [m for m in mail.outbox if m.to == [partner.email] and "has ended" in m.subject]
    assert len(to_partner) == 1
    assert f"{departing.name} has left {tenant.organisation.name}" in to_partner[0].body
    assert "ask for one here" in to_partner[0].body
    notice = Notification.objects.get(user=partner, kind="mentorship.ended")
    assert "has left" in notice.text
    assert not Membership.objects.filter(organisation=tenant.organisation, user=departing).exists()
    assert not Enrolment.objects.filter(
        user=departing,
        status__in=["active", "pending"],
        programme__organisation=tenant.organisation,
    ).exists()
    # Still readable as inactive; filtered by active.
    assert scim.get(f"{USERS}/{departing.pk}").json()["active"] is False
    inactive = scim.get(USERS, filter="active eq false").json()
    assert [r["id"] for r in inactive["Resources"]] == [str(departing.pk)]
    # Reactivated (Okta's shape): a member again, with the token's role.
    response = scim.patch(
        f"{USERS}/{departing.pk}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": True}}],
        },
    )
    assert response.json()["active"] is True
    assert (
        Membership.objects.get(organisation=tenant.organisation, user=departing).role
        == Role.PARTICIPANT
    )


def test_the_only_owner_cannot_be_deprovisioned(tenant: Tenant, scim: ScimClient) -> None:
    response = scim.patch(
        f"{USERS}/{tenant.owner.user_id}",
        entra_patch({"op": "Replace", "path": "active", "value": False}),
    )
    assert response.status_code == 409
    assert response.json()["scimType"] == "mutability"
    assert Membership.objects.filter(pk=tenant.owner.pk).exists()


def test_delete_deprovisions_and_forgets(tenant: Tenant, scim: ScimClient) -> None:
    user_id = scim.post(USERS, entra_user("ada@acme.example", "e-1")).json()["id"]
    assert scim.delete(f"{USERS}/{user_id}").status_code == 204
    assert scim.get(f"{USERS}/{user_id}").status_code == 404
    assert not ScimIdentity.objects.exists()
    assert User.objects.filter(pk=user_id).exists()  # the account itself stays


def test_pages_follow_start_index_and_count(tenant: Tenant, scim: ScimClient) -> None:
    MembershipFactory.create_batch(7, organisation=tenant.organisation)
    first = scim.get(USERS, startIndex=1, count=4).json()
    second = scim.get(USERS, startIndex=5, count=4).json()
    assert first["totalResults"] == second["totalResults"] == 10
    assert (first["itemsPerPage"], second["itemsPerPage"]) == (4, 4)
    ids = [r["id"] for r in first["Resources"] + second["Resources"]]
    assert len(set(ids)) == 8
    # Out-of-range values are read as RFC 7644 says, not refused.
    assert scim.get(USERS, startIndex=0, count=-3).json()["itemsPerPage"] == 0
    assert scim.get(USERS, count=10_000).json()["itemsPerPage"] == 10
    assert scim.get(USERS, count="ten").status_code == 400


@pytest.mark.parametrize(
    ("expression", "emails"),
    [
        ('userName sw "a"', {"ada@acme.example", "alan@acme.example"}),
        ('userName co "lan"', {"alan@acme.example"}),
        (
            'name.familyName eq "Turing" or name.givenName eq "Ada"',
            {"ada@acme.example", "alan@acme.example"},
        ),
        ('userName ew "acme.example" and not (name.givenName eq "Ada")', {"alan@acme.example"}),
        ('externalId pr and userName sw "a"', {"ada@acme.example"}),
        (
            'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alan@acme.example"',
            {"alan@acme.example"},
        ),
    ],
)
def test_filters(tenant: Tenant, scim: ScimClient, expression: str, emails: set[str]) -> None:
    scim.post(USERS, entra_user("ada@acme.example", "e-1"))
    alan = UserFactory(email="alan@acme.example", first_name="Alan", last_name="Turing")
    MembershipFactory(organisation=tenant.organisation, user=alan)
    found = scim.get(USERS, filter=expression).json()
    assert {r["userName"] for r in found["Resources"]} == emails


@pytest.mark.parametrize(
    "expression",
    [
        "userName eq",
        'userName xx "a"',
        'password eq "x"',
        '(userName eq "a"',
        'userName eq "a" and',
        "x" * 1001,
        'id gt "abc"',
        "userName eq unquoted",
    ],
)
def test_bad_filters_are_invalid_filter(scim: ScimClient, expression: str) -> None:
    response = scim.get(USERS, filter=expression)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_the_user_list_runs_a_bounded_number_of_queries(
    tenant: Tenant, scim: ScimClient, django_assert_max_num_queries: Any
) -> None:
    MembershipFactory.create_batch(30, organisation=tenant.organisation)
    with django_assert_max_num_queries(4):
        assert scim.get(USERS).json()["itemsPerPage"] == 33
