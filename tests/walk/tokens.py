"""The API's operations, read from its OpenAPI schema, for the walks of token URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openmentor.api.api import api


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "/api/v1/programmes/{programme_id}"
    name: str  # the operationId, which is also the URL name
    secured: bool
    has_body: bool

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, values: dict[str, object]) -> str:
        return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), self.path)


def operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    return [
        Operation(
            method=method.upper(),
            path=path,
            name=spec["operationId"],
            secured=bool(spec.get("security")),
            has_body="requestBody" in spec,
        )
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    ]


# A valid body for each operation that takes one, so the walk reaches the view's checks.
BODIES: dict[str, dict[str, object]] = {
    "programme_post": {"name": "Walked programme"},
    "enrolment_decision": {"approve": True},
}

TOKEN_OPERATIONS = {op.name for op in operations() if op.secured}
