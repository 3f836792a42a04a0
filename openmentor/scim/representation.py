"""SCIM 2.0 resources (RFC 7643) to and from OpenMentor's rows, and PATCH (RFC 7644 §3.5.2)
as Entra ID and Okta send it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from openmentor.accounts.models import User
from openmentor.scim.models import ScimGroup
from openmentor.scim.services import PersonData

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
BASE = "/scim/v2"


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def user_to_scim(user: User) -> dict[str, Any]:
    """`user` carries the annotations of selectors.scim_users (external_id, active,
    department, job_title, joined)."""
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": str(user.pk),
        "userName": user.email,
        "name": {
            "givenName": user.first_name,
            "familyName": user.last_name,
            "formatted": f"{user.first_name} {user.last_name}".strip(),
        },
        "displayName": user.name,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": bool(user.active),  # type: ignore[attr-defined]
        "meta": {
            "resourceType": "User",
            "created": _iso(user.date_joined),
            "lastModified": _iso(getattr(user, "identity_updated", None) or user.date_joined),
            "location": f"{settings.SITE_URL}{BASE}/Users/{user.pk}",
        },
    }
    if user.external_id:  # type: ignore[attr-defined]
        resource["externalId"] = user.external_id  # type: ignore[attr-defined]
    department = getattr(user, "department", None)
    if department:
        resource[ENTERPRISE] = {"department": department}
    title = getattr(user, "job_title", None)
    if title:
        resource["title"] = title
    return resource


def group_to_scim(group: ScimGroup, members: list[tuple[int, str]]) -> dict[str, Any]:
    return {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "displayName": group.display_name,
        **({"externalId": group.external_id} if group.external_id else {}),
        "members": [
            {"value": str(pk), "display": name, "$ref": f"{settings.SITE_URL}{BASE}/Users/{pk}"}
            for pk, name in members
        ],
        "meta": {
            "resourceType": "Group",
            "created": _iso(group.created_at),
            "lastModified": _iso(group.updated_at),
            "location": f"{settings.SITE_URL}{BASE}/Groups/{group.pk}",
        },
    }


def _bool(value: Any) -> bool:
    # Entra ID sends "True"/"False" as strings in PATCH.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValidationError("active must be true or false.")


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValidationError(f"{name} must be a string.")
    return str(value)


def _primary_email(emails: Any) -> str | None:
    if not isinstance(emails, list):
        return None
    chosen = None
    for entry in emails:
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("value"), str)
            and (entry.get("primary") in (True, "true", "True") or chosen is None)
        ):
            chosen = entry["value"]
    return chosen


def person_from_scim(body: Any) -> PersonData:
    """A whole User resource (POST, PUT) as PersonData; ValidationError when it is not one."""
    if not isinstance(body, dict):
        raise ValidationError("The body must be a SCIM User object.")
    user_name = body.get("userName")
    if not isinstance(user_name, str) or not user_name.strip():
        raise ValidationError("userName is required.")
    email = user_name if "@" in user_name else (_primary_email(body.get("emails")) or user_name)
    raw_name = body.get("name")
    name: dict[str, Any] = raw_name if isinstance(raw_name, dict) else {}
    raw_enterprise = body.get(ENTERPRISE)
    enterprise: dict[str, Any] = raw_enterprise if isinstance(raw_enterprise, dict) else {}
    return PersonData(
        email=email,
        given_name=_text(name.get("givenName"), "name.givenName"),
        family_name=_text(name.get("familyName"), "name.familyName"),
        display_name=_text(body.get("displayName"), "displayName"),
        external_id=_text(body.get("externalId"), "externalId"),
        active=_bool(body.get("active", True)),
        department=_text(enterprise.get("department"), "department")
        if "department" in enterprise
        else None,
        job_title=_text(body.get("title"), "title") if "title" in body else None,
    )


def person_current(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as a plain dict PATCH operations can change, then person_from_scim."""
    return {
        "userName": resource["userName"],
        "name": dict(resource["name"]),
        "displayName": resource["displayName"]
        if resource["displayName"] != resource["userName"]
        else "",
        "externalId": resource.get("externalId", ""),
        "active": resource["active"],
        "emails": [dict(e) for e in resource["emails"]],
        ENTERPRISE: dict(resource.get(ENTERPRISE, {})),
        **({"title": resource["title"]} if "title" in resource else {}),
    }


def _operations(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list):
        raise ValidationError("A PATCH body has an Operations list.")
    operations = body["Operations"]
    if not operations or len(operations) > 100:
        raise ValidationError("Send 1 to 100 operations.")
    for op in operations:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() not in (
            "add",
            "replace",
            "remove",
        ):
            raise ValidationError("Each operation's op is add, replace or remove.")
    return operations


def _set_path(target: dict[str, Any], path: str, value: Any, remove: bool) -> None:
    lowered = path.strip()
    if lowered.startswith(ENTERPRISE + ":"):
        sub = lowered[len(ENTERPRISE) + 1 :]
        bucket = target.setdefault(ENTERPRISE, {})
        if sub.lower() == "department":
            if remove:
                bucket.pop("department", None)
            else:
                bucket["department"] = value
            return
        return  # other enterprise attributes (manager, employeeNumber) are not kept
    if lowered.lower().startswith(USER_SCHEMA.lower() + ":"):
        lowered = lowered[len(USER_SCHEMA) + 1 :]
    key = lowered.lower()
    if key.startswith("emails"):
        # emails[type eq "work"].value, emails[primary eq true].value, emails
        if isinstance(value, list):
            target["emails"] = value
        elif isinstance(value, str):
            target["emails"] = [{"value": value, "type": "work", "primary": True}]
        return
    simple = {
        "username": "userName",
        "displayname": "displayName",
        "externalid": "externalId",
        "active": "active",
        "title": "title",
    }
    if key in simple:
        if remove:
            target.pop(simple[key], None)
        else:
            target[simple[key]] = value
        return
    if key.startswith("name."):
        part = {"givenname": "givenName", "familyname": "familyName", "formatted": "formatted"}.get(
            key[5:]
        )
        if part:
            if remove:
                target["name"].pop(part, None)
            else:
                target["name"][part] = value
        return
    if key == "name" and isinstance(value, dict):
        target["name"].update(value)
        return
    # Attributes OpenMentor does not keep (phoneNumbers, addresses, roles, …) are ignored,
    # as RFC 7644 lets a service provider do for attributes it does not support.


def person_patch(resource: dict[str, Any], body: Any) -> PersonData:
    """Applies a PatchOp to the User resource and returns the result as PersonData."""
    current = person_current(resource)
    for op in _operations(body):
        kind = str(op["op"]).lower()
        path = op.get("path")
        value = op.get("value")
        if not path:
            # Okta: {"op": "replace", "value": {"active": false}}; Entra: the same with
            # several attributes, some as paths ("name.givenName").
            if not isinstance(value, dict):
                raise ValidationError("An operation without a path has an object as its value.")
            for attribute, attribute_value in value.items():
                _set_path(current, str(attribute), attribute_value, remove=False)
            continue
        if not isinstance(path, str) or len(path) > 300:
            raise ValidationError("An operation's path is a string.")
        _set_path(current, path, value, remove=kind == "remove")
    return person_from_scim(current)


def group_patch_members(
    body: Any,
) -> tuple[str | None, str | None, list[str] | None, list[str], list[str]]:
    """(displayName, externalId, replaced member ids, added ids, removed ids) of a Group PatchOp."""
    display_name = external_id = None
    replaced: list[str] | None = None
    added: list[str] = []
    removed: list[str] = []

    def ids(value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        out = []
        for entry in value:
            if not isinstance(entry, dict) or "value" not in entry:
                raise ValidationError("Members are objects with a value (the person's id).")
            out.append(str(entry["value"]))
        return out

    for op in _operations(body):
        kind = str(op["op"]).lower()
        path = str(op.get("path") or "")
        value = op.get("value")
        lowered = path.lower()
        if lowered.startswith("members[value eq"):
            # Okta: {"op": "remove", "path": "members[value eq \"123\"]"}
            member = path.split('"')[1] if '"' in path else ""
            (removed if kind == "remove" else added).append(member)
        elif lowered == "members":
            if kind == "add":
                added += ids(value)
            elif kind == "remove":
                if value is None:
                    replaced = []
                else:
                    removed += ids(value)
            else:
                replaced = ids(value)
        elif lowered == "displayname":
            display_name = _text(value, "displayName")
        elif lowered == "externalid":
            external_id = _text(value, "externalId")
        elif not path and isinstance(value, dict):
            if "displayName" in value:
                display_name = _text(value["displayName"], "displayName")
            if "externalId" in value:
                external_id = _text(value["externalId"], "externalId")
            if "members" in value:
                replaced = ids(value["members"])
        else:
            raise ValidationError(f"Unsupported path {path!r} for a Group.")
    return display_name, external_id, replaced, added, removed
