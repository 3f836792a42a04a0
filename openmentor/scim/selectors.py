"""Reads of provisioning, scoped to the token's organisation."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.dateparse import parse_datetime

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Organisation
from openmentor.organisations.services import hash_token
from openmentor.people.models import Profile
from openmentor.scim.filters import Attribute
from openmentor.scim.models import ScimGroup, ScimIdentity, ScimToken


def scim_token_for_secret(secret: str) -> ScimToken | None:
    if not secret or len(secret) > 200:
        return None
    return (
        ScimToken.objects.select_related("organisation")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )


def scim_tokens(*, organisation: Organisation) -> QuerySet[ScimToken]:
    return ScimToken.objects.filter(organisation=organisation)


def scim_groups_of(*, organisation: Organisation) -> QuerySet[ScimGroup]:
    return ScimGroup.objects.filter(organisation=organisation)


def scim_users(*, organisation: Organisation) -> QuerySet[User]:
    """The organisation's people as SCIM sees them: every member, and everyone the
    provisioning system deprovisioned (inactive), with what a User resource shows."""
    identity = ScimIdentity.objects.filter(organisation=organisation, user=OuterRef("pk"))
    profile = Profile.objects.filter(organisation=organisation, user=OuterRef("pk"))
    return (
        User.objects.filter(
            Q(memberships__organisation=organisation)
            | Q(scim_identities__organisation=organisation)
        )
        .distinct()
        .annotate(
            active=Exists(
                Membership.objects.filter(organisation=organisation, user=OuterRef("pk"))
            ),
            external_id=Subquery(identity.values("external_id")[:1]),
            identity_updated=Subquery(identity.values("updated_at")[:1]),
            department=Subquery(profile.values("department")[:1]),
            job_title=Subquery(profile.values("job_title")[:1]),
        )
    )


def scim_user(*, organisation: Organisation, user_id: str) -> User | None:
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    return scim_users(organisation=organisation).filter(pk=int(user_id)).first()


def scim_group(*, organisation: Organisation, group_id: str) -> ScimGroup | None:
    if not group_id.isdigit() or len(group_id) > 18:
        return None
    return ScimGroup.objects.filter(organisation=organisation, pk=int(group_id)).first()


def group_members(groups: list[ScimGroup]) -> dict[int, list[tuple[int, str]]]:
    """{group id: [(person id, name)]} for a page of groups, in one query."""
    out: dict[int, list[tuple[int, str]]] = {g.pk: [] for g in groups}
    through = ScimGroup.members.through.objects.filter(scimgroup_id__in=list(out)).select_related(
        "user"
    )
    for row in through:
        out[row.scimgroup_id].append((row.user_id, row.user.name))
    return out


def _when(value: object) -> dt.datetime:
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(value)
    return parsed


def _int(value: object) -> int:
    number = int(str(value))
    if not 0 < number < 2**62:
        raise ValueError(value)
    return number


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise ValueError(value)


USER_ATTRIBUTES = {
    "username": Attribute("email"),
    "emails": Attribute("email"),
    "emails.value": Attribute("email"),
    "externalid": Attribute("external_id", case_exact=True),
    "id": Attribute("pk", _int),
    "displayname": Attribute("display_name"),
    "name.givenname": Attribute("first_name"),
    "name.familyname": Attribute("last_name"),
    "active": Attribute("active", _bool),
    "meta.created": Attribute("date_joined", _when),
}

GROUP_ATTRIBUTES = {
    "displayname": Attribute("display_name"),
    "externalid": Attribute("external_id", case_exact=True),
    "id": Attribute("pk", _int),
    "members": Attribute("members__pk", _int),
    "members.value": Attribute("members__pk", _int),
}
