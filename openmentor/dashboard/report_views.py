"""The programme dashboard, its comparison and diversity pages, the owner's overview, and
their exports (CSV, XLSX per table; PDF per page): managers and owners only, the
overview owners only."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openmentor.dashboard.programme_report import (
    ALL_BUILDERS,
    PAGES,
    ProgrammeReport,
    cohort_choices,
    programme_report,
)
from openmentor.dashboard.report_compare import programmes_table
from openmentor.dashboard.report_exports import table_csv, table_xlsx
from openmentor.dashboard.report_forms import ReportFilterForm
from openmentor.dashboard.report_pdf import report_pdf
from openmentor.organisations.access import MANAGERS, OWNERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Programme

AT_RISK_SHOWN = 20
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _form(request: OrganisationRequest, programme: Programme | None) -> ReportFilterForm:
    cohorts = cohort_choices(programme=programme) if programme is not None else []
    return ReportFilterForm(request.GET, cohorts=cohorts, today=timezone.localdate())


def _refused(form: ReportFilterForm) -> HttpResponse:
    errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(
        f"The filters are not valid: {errors}", status=400, content_type="text/plain"
    )


def _attachment(body: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _context(
    request: OrganisationRequest, report: ProgrammeReport | Any, **extra: Any
) -> dict[str, Any]:
    return {
        "report": report,
        "query": request.GET.urlencode(),
        "formats": ("csv", "xlsx"),
        # The dashboard lists the first pairs at risk; the health page lists them all.
        "at_risk_slice": f":{AT_RISK_SHOWN}",
        "at_risk_more": max(0, len(report.at_risk) - AT_RISK_SHOWN),
        "organisation": request.organisation,
        "made_at": timezone.now(),
        **extra,
    }


def _programme_page(request: OrganisationRequest, programme_slug: str, page: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method not in ("GET", "HEAD"):
        # After the lookup, so another organisation's programme is a 404 whatever the method.
        return HttpResponseNotAllowed(["GET"])
    heading, keys = PAGES[page]
    base = reverse("programme_dashboard", args=[request.organisation.slug, programme.slug])
    extra = {
        "programme": programme,
        "page": page,
        "heading": heading.format(name=programme.name),
        "export_prefix": base,
        "pdf_url": f"{base}{page}.pdf",
    }
    form = _form(request, programme)
    if not form.is_valid():
        return render(
            request,
            "dashboard/programme_report.html",
            {**extra, "form": form, "report": None},
            status=400,
        )
    report = programme_report(programme=programme, filters=form.filters(), only=keys)
    return render(
        request, "dashboard/programme_report.html", _context(request, report, form=form, **extra)
    )


@organisation_view(roles=MANAGERS)
def programme_dashboard(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    return _programme_page(request, programme_slug, "dashboard")


@organisation_view(roles=MANAGERS)
def programme_cohorts(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    return _programme_page(request, programme_slug, "cohorts")


@organisation_view(roles=MANAGERS)
def programme_diversity(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    return _programme_page(request, programme_slug, "diversity")


@organisation_view(roles=MANAGERS)
def programme_dashboard_export(
    request: OrganisationRequest, programme_slug: str, table: str, fmt: str
) -> HttpResponse:
    """A table as CSV or XLSX (`funnel.csv`), or a whole page as PDF (`dashboard.pdf`)."""
    programme = programme_for(request, programme_slug)
    if request.method not in ("GET", "HEAD"):
        # After the lookup, so another organisation's programme is a 404 whatever the method.
        return HttpResponseNotAllowed(["GET"])
    if fmt not in CONTENT_TYPES:
        raise Http404("Exports are CSV, XLSX or PDF.")
    if (fmt == "pdf" and table not in PAGES) or (fmt != "pdf" and table not in ALL_BUILDERS):
        raise Http404("No such table on the dashboard.")
    form = _form(request, programme)
    if not form.is_valid():
        return _refused(form)
    filters = form.filters()
    name = f"{programme.slug}-{table}-{filters.start}-{filters.end}"
    if fmt == "pdf":
        heading, keys = PAGES[table]
        report = programme_report(programme=programme, filters=filters, only=keys)
        context = _context(
            request,
            report,
            programme=programme,
            pdf=True,
            heading=heading.format(name=programme.name),
        )
        return _attachment(report_pdf(context), fmt, name)
    # Only the table asked for is computed.
    found = programme_report(programme=programme, filters=filters, only={table}).table(table)
    return _attachment(table_csv(found) if fmt == "csv" else table_xlsx(found), fmt, name)


class _Overview:
    """The owner's overview in the shape the report templates read."""

    def __init__(self, request: OrganisationRequest, form: ReportFilterForm) -> None:
        self.filters = form.filters()
        self.tables = [programmes_table(organisation=request.organisation, filters=self.filters)]
        self.at_risk: list[Any] = []


@organisation_view(roles=OWNERS)
def programmes_overview(request: OrganisationRequest, fmt: str = "") -> HttpResponse:
    """Every programme of the organisation side by side (owners only), or its export."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    form = _form(request, None)
    heading = f"{request.organisation.name}: programmes side by side"
    base = reverse("programmes_overview", args=[request.organisation.slug])
    extra = {"heading": heading, "export_prefix": base, "pdf_url": f"{base}programmes.pdf"}
    if not form.is_valid():
        if fmt:
            return _refused(form)
        return render(
            request,
            "dashboard/programme_report.html",
            {**extra, "form": form, "report": None},
            status=400,
        )
    overview = _Overview(request, form)
    name = f"{request.organisation.slug}-programmes-{overview.filters.start}-{overview.filters.end}"
    if fmt == "pdf":
        return _attachment(report_pdf(_context(request, overview, pdf=True, **extra)), fmt, name)
    if fmt:
        table = overview.tables[0]
        return _attachment(table_csv(table) if fmt == "csv" else table_xlsx(table), fmt, name)
    return render(
        request, "dashboard/programme_report.html", _context(request, overview, form=form, **extra)
    )
