"""What the URL-walk test needs to know about each area's URLs.

Each module here (one per area: organisations.py, programmes.py, ...) may define:
- MAKERS: {url parameter name: function(organisation, values_so_far) -> value}, which
  creates in `organisation` the object the parameter names (parameters are filled in
  URL order, so a maker can use an earlier one, e.g. the programme of `programme_slug`);
- PUBLIC: URL names anyone may open; PERSONAL: URL names for any logged-in person.
Every other URL must live under /o/<slug>/ and use organisation_view().
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from openmentor.organisations.models import Organisation

Maker = Callable[[Organisation, dict[str, Any]], Any]

MAKERS: dict[str, Maker] = {}
PUBLIC: set[str] = set()
PERSONAL: set[str] = set()

for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name, _maker in getattr(_module, "MAKERS", {}).items():
        assert _name not in MAKERS, f"URL parameter {_name!r} has two makers"
        MAKERS[_name] = _maker
    PUBLIC |= set(getattr(_module, "PUBLIC", set()))
    PERSONAL |= set(getattr(_module, "PERSONAL", set()))
