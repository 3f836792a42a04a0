"""The programme dashboard and its exports: managers and owners of the organisation only."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from openmentor.dashboard.programme_report import BUILDERS, cohort_choices, programme_report
from openmentor.dashboard.report_exports import FORMATS, table_csv, table_xlsx
from openmentor.dashboard.report_forms import ReportFilterForm
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.programmes.access import programme_for
from openmentor.programmes.models import Programme

AT_RISK_SHOWN = 20
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _form(request: OrganisationRequest, programme: Programme) -> ReportFilterForm:
    return ReportFilterForm(
        request.GET, cohorts=cohort_choices(programme=programme), today=timezone.localdate()
    )


@organisation_view(roles=MANAGERS)
def programme_dashboard(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method not in ("GET", "HEAD"):
        # After the lookup, so another organisation's programme is a 404 whatever the method.
        return HttpResponseNotAllowed(["GET"])
    form = _form(request, programme)
    if not form.is_valid():
        return render(
            request,
            "dashboard/programme_report.html",
            {"programme": programme, "form": form, "report": None},
            status=400,
        )
    report = programme_report(programme=programme, filters=form.filters())
    return render(
        request,
        "dashboard/programme_report.html",
        {
            "programme": programme,
            "form": form,
            "report": report,
            "query": request.GET.urlencode(),
            "formats": FORMATS,
            # The dashboard lists the first pairs at risk; the health page lists them all.
            "at_risk_slice": f":{AT_RISK_SHOWN}",
            "at_risk_more": max(0, len(report.at_risk) - AT_RISK_SHOWN),
        },
    )


@organisation_view(roles=MANAGERS)
def programme_dashboard_export(
    request: OrganisationRequest, programme_slug: str, table: str, fmt: str
) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method not in ("GET", "HEAD"):
        # After the lookup, so another organisation's programme is a 404 whatever the method.
        return HttpResponseNotAllowed(["GET"])
    if fmt not in FORMATS:
        raise Http404("Exports are CSV or XLSX.")
    if table not in BUILDERS:
        raise Http404("No such table on the dashboard.")
    form = _form(request, programme)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(
            f"The filters are not valid: {errors}", status=400, content_type="text/plain"
        )
    # Only the table asked for is computed.
    found = programme_report(programme=programme, filters=form.filters(), only={table}).table(table)
    body = table_csv(found) if fmt == "csv" else table_xlsx(found)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"{programme.slug}-{found.key}-{form.filters().start}-{form.filters().end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
