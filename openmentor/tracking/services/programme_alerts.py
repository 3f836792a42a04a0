"""What the programme team's health page shows beside health: placeholder filled by the
feedback step (alerts from check-ins, meeting ratings in aggregate)."""

from __future__ import annotations

from typing import Any

from openmentor.programmes.models import Programme


def context(*, programme: Programme) -> dict[str, Any]:
    return {}
