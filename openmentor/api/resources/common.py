"""What every resource module shares: the paging query parameters and page schema."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Path, Schema
from pydantic import ValidationInfo, model_validator

from openmentor.api.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows a page, 1 to 200.")
    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="The next_cursor of the previous page."
    )

    @model_validator(mode="after")
    def _known_parameters_only(self, info: ValidationInfo) -> PageQuery:
        # An unknown parameter (a typo such as ?stauts=) is refused, not silently ignored
        # (which would answer with every row).
        request = (info.context or {}).get("request")
        if request is not None:
            unknown = sorted(set(request.GET) - set(type(self).model_fields))
            if unknown:
                raise ValueError(f"Unknown query parameter: {', '.join(map(repr, unknown))}.")
        return self


# An id in a path: a positive 64-bit integer, or 422 with the error body.
PathId = Annotated[int, Path(..., ge=1, le=2**62)]
