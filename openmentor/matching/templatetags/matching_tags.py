"""`{% why_for mentorship as why %}`: "why this match" lines for the person viewing."""

from __future__ import annotations

from typing import Any

from django import template

from openmentor.matching.selectors import mentorship_why

register = template.Library()


@register.simple_tag(takes_context=True)
def why_for(context: dict[str, Any], mentorship: Any) -> list[str]:
    request = context.get("request")
    user = getattr(request, "user", None)
    viewer = user if user is not None and user.is_authenticated else None
    return mentorship_why(mentorship=mentorship, viewer=viewer)
