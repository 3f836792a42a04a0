from django.urls import path

from openmentor.dashboard import report_views, views

PROGRAMME = "o/<slug:slug>/programmes/<slug:programme_slug>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/", views.organisation_dashboard, name="organisation_dashboard"),
    path(PROGRAMME, views.programme_detail, name="programme_detail"),
    path(PROGRAMME + "matching/outcomes/", views.matching_outcomes, name="matching_outcomes"),
    path(PROGRAMME + "dashboard/", report_views.programme_dashboard, name="programme_dashboard"),
    path(
        PROGRAMME + "dashboard/cohorts/", report_views.programme_cohorts, name="programme_cohorts"
    ),
    path(
        PROGRAMME + "dashboard/diversity/",
        report_views.programme_diversity,
        name="programme_diversity",
    ),
    path(
        PROGRAMME + "dashboard/<slug:table>.<slug:fmt>",
        report_views.programme_dashboard_export,
        name="programme_dashboard_export",
    ),
    path(
        "o/<slug:slug>/reports/programmes/",
        report_views.programmes_overview,
        name="programmes_overview",
    ),
    *(
        # One route per format: the overview names no object, so there is nothing to look up.
        path(
            f"o/<slug:slug>/reports/programmes/programmes.{fmt}",
            report_views.programmes_overview,
            {"fmt": fmt},
            name=f"programmes_overview_{fmt}",
        )
        for fmt in ("csv", "xlsx", "pdf")
    ),
    path(
        "o/<slug:slug>/reports/people/",
        views.self_identification_report,
        name="self_identification_report",
    ),
]
