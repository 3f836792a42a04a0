from django.urls import path

from openmentor.dashboard import views

PROGRAMME = "o/<slug:slug>/programmes/<slug:programme_slug>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<slug:slug>/", views.organisation_dashboard, name="organisation_dashboard"),
    path(PROGRAMME, views.programme_detail, name="programme_detail"),
    path(PROGRAMME + "matching/outcomes/", views.matching_outcomes, name="matching_outcomes"),
    path(
        "o/<slug:slug>/reports/people/",
        views.self_identification_report,
        name="self_identification_report",
    ),
]
