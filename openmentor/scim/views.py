"""SCIM 2.0 endpoints (RFC 7644) under /scim/v2/, for an organisation's identity or HR
system, authenticated by the organisation's SCIM bearer token.

Every answer is `application/scim+json`; every refusal is a SCIM Error with its status
and, where RFC 7644 names one, its scimType. Requests that are not SCIM (bad JSON, a
filter that does not parse, an unknown attribute) are 400, never a server error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from openmentor.scim import representation as rep
from openmentor.scim import selectors, services
from openmentor.scim.filters import FilterError, filter_parse, filter_to_q
from openmentor.scim.models import ScimToken

CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200
DEFAULT_COUNT = 100
MAX_BODY = 1024 * 1024


def scim_response(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)


def scim_error(status: int, detail: str, scim_type: str = "") -> HttpResponse:
    body: dict[str, Any] = {"schemas": [rep.ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = scim_response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="OpenMentor SCIM"'
    return response


ScimView = Callable[..., HttpResponse]


def scim_view(methods: tuple[str, ...]) -> Callable[[ScimView], ScimView]:
    """Checks the method and the bearer token, parses a JSON body, and turns service
    refusals into SCIM errors. The view gets the token (its organisation is the tenant)."""

    def decorator(view: ScimView) -> ScimView:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            token = (
                selectors.scim_token_for_secret(secret.strip())
                if scheme.lower() == "bearer"
                else None
            )
            if token is None:
                return scim_error(401, "Send the organisation's SCIM token as a Bearer token.")
            services.scim_token_touch(token=token)
            if request.method not in methods:
                response = scim_error(405, f"Use {', '.join(methods)} here.")
                response["Allow"] = ", ".join(methods)
                return response
            body: Any = None
            if request.method in ("POST", "PUT", "PATCH"):
                if len(request.body) > MAX_BODY:
                    return scim_error(413, "The request body is too large.", "tooMany")
                try:
                    body = json.loads(request.body or b"null")
                except (json.JSONDecodeError, UnicodeDecodeError):
                    return scim_error(400, "The body is not valid JSON.", "invalidSyntax")
            try:
                return view(request, token, body, *args, **kwargs)
            except services.ScimConflict as conflict:
                return scim_error(409, str(conflict), conflict.scim_type)
            except FilterError as error:
                return scim_error(400, str(error), "invalidFilter")
            except ValidationError as error:
                return scim_error(400, " ".join(error.messages), "invalidValue")

        wrapped.scim_token_required = True  # type: ignore[attr-defined]  # read by the URL walk
        return wrapped

    return decorator


def _page(request: HttpRequest) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        raw = request.GET.get(name, "")
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError as error:
            raise ValidationError(f"{name} must be a whole number.") from error

    # RFC 7644 §3.4.2.4: startIndex under 1 counts as 1, count under 0 as 0.
    start = max(1, number("startIndex", 1))
    count = min(MAX_COUNT, max(0, number("count", DEFAULT_COUNT)))
    return start, count


def _list(resources: list[dict[str, Any]], total: int, start: int) -> HttpResponse:
    return scim_response(
        {
            "schemas": [rep.LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


# --- Users ----------------------------------------------------------------------------


@scim_view(("GET", "POST"))
def users(request: HttpRequest, token: ScimToken, body: Any) -> HttpResponse:
    if request.method == "POST":
        with transaction.atomic():
            user = services.scim_user_create(token=token, data=rep.person_from_scim(body))
        created = selectors.scim_user(organisation=token.organisation, user_id=str(user.pk))
        return scim_response(rep.user_to_scim(created), 201)  # type: ignore[arg-type]
    queryset = selectors.scim_users(organisation=token.organisation)
    if request.GET.get("filter"):
        queryset = queryset.filter(
            filter_to_q(filter_parse(request.GET["filter"]), selectors.USER_ATTRIBUTES)
        )
    start, count = _page(request)
    total = queryset.count()
    page = list(queryset.order_by("pk")[start - 1 : start - 1 + count]) if count else []
    return _list([rep.user_to_scim(u) for u in page], total, start)


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def user_detail(request: HttpRequest, token: ScimToken, body: Any, user_id: str) -> HttpResponse:
    user = selectors.scim_user(organisation=token.organisation, user_id=user_id)
    if user is None:
        return scim_error(404, f"No User {user_id} here.")
    if request.method == "DELETE":
        services.scim_user_delete(token=token, user=user)
        return HttpResponse(status=204)
    if request.method in ("PUT", "PATCH"):
        data = (
            rep.person_from_scim(body)
            if request.method == "PUT"
            else rep.person_patch(rep.user_to_scim(user), body)
        )
        with transaction.atomic():
            services.scim_user_update(token=token, user=user, data=data)
        user = selectors.scim_user(organisation=token.organisation, user_id=user_id)
    return scim_response(rep.user_to_scim(user))  # type: ignore[arg-type]


# --- Groups ---------------------------------------------------------------------------


def _group_body(body: Any) -> tuple[str, str, list[str] | None]:
    if not isinstance(body, dict):
        raise ValidationError("The body must be a SCIM Group object.")
    name = body.get("displayName")
    if not isinstance(name, str):
        raise ValidationError("displayName is required.")
    external = body.get("externalId") or ""
    if not isinstance(external, str) or len(external) > 255:
        raise ValidationError("externalId must be a string of up to 255 characters.")
    members = body.get("members")
    if members is None:
        return name, external, [] if "members" in body else None
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and "value" in m for m in members
    ):
        raise ValidationError("Members are objects with a value (the person's id).")
    return name, external, [str(m["value"]) for m in members]


def _group_out(group: Any) -> dict[str, Any]:
    return rep.group_to_scim(group, selectors.group_members([group])[group.pk])


@scim_view(("GET", "POST"))
def groups(request: HttpRequest, token: ScimToken, body: Any) -> HttpResponse:
    if request.method == "POST":
        name, external, members = _group_body(body)
        group = services.scim_group_save(
            token=token,
            group=None,
            display_name=name,
            external_id=external,
            member_ids=members or [],
        )
        return scim_response(_group_out(group), 201)
    queryset = selectors.scim_groups_of(organisation=token.organisation)
    if request.GET.get("filter"):
        queryset = queryset.filter(
            filter_to_q(filter_parse(request.GET["filter"]), selectors.GROUP_ATTRIBUTES)
        ).distinct()
    start, count = _page(request)
    total = queryset.count()
    page = list(queryset.order_by("pk")[start - 1 : start - 1 + count]) if count else []
    excluded = request.GET.get("excludedAttributes", "").lower()
    listed = selectors.group_members(page) if "members" not in excluded else {}
    return _list([rep.group_to_scim(g, listed.get(g.pk, [])) for g in page], total, start)


@scim_view(("GET", "PUT", "PATCH", "DELETE"))
def group_detail(request: HttpRequest, token: ScimToken, body: Any, group_id: str) -> HttpResponse:
    group = selectors.scim_group(organisation=token.organisation, group_id=group_id)
    if group is None:
        return scim_error(404, f"No Group {group_id} here.")
    if request.method == "DELETE":
        services.scim_group_delete(token=token, group=group)
        return HttpResponse(status=204)
    if request.method == "PUT":
        name, external, members = _group_body(body)
        services.scim_group_save(
            token=token,
            group=group,
            display_name=name,
            external_id=external,
            member_ids=members or [],
        )
    elif request.method == "PATCH":
        name_, external_, replaced, added, removed = rep.group_patch_members(body)
        services.scim_group_save(
            token=token,
            group=group,
            display_name=name_ if name_ is not None else group.display_name,
            external_id=external_ if external_ is not None else group.external_id,
            member_ids=replaced,
            add=added,
            remove=removed,
        )
        group.refresh_from_db()
    return scim_response(_group_out(group))


# --- discovery ------------------------------------------------------------------------


@scim_view(("GET",))
def service_provider_config(request: HttpRequest, token: ScimToken, body: Any) -> HttpResponse:
    return scim_response(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "The organisation's SCIM token, from Integrations → Provisioning.",
                    "primary": True,
                }
            ],
        }
    )


@scim_view(("GET",))
def resource_types(request: HttpRequest, token: ScimToken, body: Any) -> HttpResponse:
    types: list[dict[str, Any]] = [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": rep.USER_SCHEMA,
            "schemaExtensions": [{"schema": rep.ENTERPRISE, "required": False}],
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "schema": rep.GROUP_SCHEMA,
        },
    ]
    return _list(types, len(types), 1)
