"""The programme dashboard's exports: a table's name and a format in the address."""

from __future__ import annotations

from typing import Any

from openmentor.organisations.models import Organisation


def table(organisation: Organisation, values: dict[str, Any]) -> str:
    return "funnel"


def fmt(organisation: Organisation, values: dict[str, Any]) -> str:
    return "csv"


MAKERS = {"table": table, "fmt": fmt}
