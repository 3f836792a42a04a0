from __future__ import annotations

from django.urls import path

from openmentor.programmes.imports import views as import_views

PROGRAMME = "o/<slug:slug>/programmes/<slug:programme_slug>/"

urlpatterns = [
    path(PROGRAMME + "imports/", import_views.import_list, name="import_list"),
    path(PROGRAMME + "imports/new/", import_views.import_upload, name="import_upload"),
    path(PROGRAMME + "imports/<int:import_id>/", import_views.import_detail, name="import_detail"),
    path(
        PROGRAMME + "imports/<int:import_id>/progress/",
        import_views.import_progress,
        name="import_progress",
    ),
    path(
        PROGRAMME + "imports/<int:import_id>/rejected.csv",
        import_views.import_report,
        name="import_report",
    ),
    path(
        PROGRAMME + "participants/export/",
        import_views.participant_export,
        name="participant_export",
    ),
]
