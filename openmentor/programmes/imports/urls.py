from __future__ import annotations

from django.urls import include, path

from openmentor.programmes.imports import views

# Managers' import and export pages of one programme, under
# o/<slug>/programmes/<programme_slug>/.
programme_patterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:import_id>/rejected.csv", views.import_report, name="import_report"),
    path("participants/export/", views.participant_export, name="participant_export"),
]

urlpatterns = [
    path("o/<slug:slug>/programmes/<slug:programme_slug>/", include(programme_patterns)),
]
