"""The periodic job of mentee choice: requests nobody answered in time move on.

Registered with the scheduler when this module is imported (MatchingConfig.ready imports it).
"""

from __future__ import annotations

from datetime import datetime

from openmentor.core.scheduler import periodic
from openmentor.matching.choice.services import mentor_requests_expire


@periodic("matching.request_expiry")
def request_expiry(minute: datetime) -> int:
    """Expires pending requests past their deadline and asks each mentee's next choice."""
    return mentor_requests_expire(now=minute)
