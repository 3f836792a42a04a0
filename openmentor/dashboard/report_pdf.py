"""The dashboard's pages as PDF, drawn by WeasyPrint from the same sections as the page
(docs/decisions/0011-report-pdf.md).

WeasyPrint fetches nothing: the stylesheets are read from our static files and handed
over as text, and any other address a document names (an image, a font) is refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEETS = ("openmentor/app.css", "dashboard/report.css")


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"The PDF loads nothing from outside ({url}).")


def _stylesheet(name: str) -> str:
    path = finders.find(name)
    if not path or isinstance(path, list):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def report_pdf(context: dict[str, Any]) -> bytes:
    """`dashboard/report_pdf.html` rendered with `context`, as a PDF."""
    from weasyprint import CSS, HTML

    html = render_to_string("dashboard/report_pdf.html", context)
    return HTML(string=html, url_fetcher=_refuse).write_pdf(
        stylesheets=[CSS(string=_stylesheet(name), url_fetcher=_refuse) for name in STYLESHEETS]
    )
