"""Pasted address lists for campaigns: split, validated, de-duplicated (no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_PASTED_ADDRESSES = 5000
_ADDRESS_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class ParsedAddresses:
    addresses: list[str]
    errors: list[str]


def pasted_addresses_parse(text: str) -> ParsedAddresses:
    """Splits a pasted list (one per line, or separated by commas or semicolons).

    Addresses are lower-cased and de-duplicated in the order given; each invalid entry is
    reported with its line number so that the manager can find it in a long paste.
    """
    addresses: list[str] = []
    seen: set[str] = set()
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for raw in _ADDRESS_SEPARATORS.split(line):
            candidate = raw.strip()
            if not candidate:
                continue
            try:
                if len(candidate) > 254:
                    raise ValidationError("too long")
                validate_email(candidate)
            except ValidationError:
                errors.append(f"Line {number}: “{candidate[:80]}” is not a valid e-mail address.")
                continue
            address = candidate.lower()
            if address not in seen:
                seen.add(address)
                addresses.append(address)
    if not errors and not addresses:
        errors.append("Paste at least one e-mail address.")
    if len(addresses) > MAX_PASTED_ADDRESSES:
        errors.append(
            f"A campaign can go to at most {MAX_PASTED_ADDRESSES:,} addresses; "
            f"this list has {len(addresses):,} different ones."
        )
    return ParsedAddresses(addresses=addresses, errors=errors)
