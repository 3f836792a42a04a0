"""The JSON API (django-ninja): /api/v1/, its OpenAPI 3 schema and docs page.

The docs page serves Swagger UI from ninja's own static files (no CDN).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger

from openmentor.api import errors
from openmentor.api.resources import pairs, programmes


class OpenMentorApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        # The view's name (programme_list, …): short, stable, and its URL name too.
        return str(operation.view_func.__name__)


api = OpenMentorApi(
    title="OpenMentor API",
    version="1",
    description=(
        "Organisation-scoped access to programmes, people, enrolments, mentorships, "
        "meetings, feedback aggregates and matching runs. Authenticate with an API token "
        "an owner creates under Integrations: `Authorization: Bearer <token>`. Lists are "
        "paged with `limit` and the `next_cursor` of the previous page. Every error has "
        'the body `{"error": {"code", "message", "details"}}`.'
    ),
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", programmes.router, tags=["programmes, participants and enrolments"])
api.add_router("", pairs.router, tags=["mentorships, meetings, feedback and matching"])
