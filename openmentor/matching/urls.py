from django.urls import URLPattern, URLResolver, include, path

from openmentor.matching import views
from openmentor.matching.choice.urls import urlpatterns as choice_urlpatterns

# Managers' matching pages of one programme, under
# o/<slug>/programmes/<programme_slug>/matching/.
programme_patterns = [
    path("", views.matching_home, name="matching_home"),
    path("run/", views.matching_run_start, name="matching_run_start"),
    path("settings/", views.matching_settings, name="matching_settings"),
    path("rematch/", views.rematch_propose, name="rematch_propose"),
    path("circles/", views.circle_fill, name="circle_fill"),
    path("runs/<int:run_id>/", views.matching_run, name="matching_run"),
    path("runs/<int:run_id>/progress/", views.matching_run_progress, name="matching_run_progress"),
    path("runs/<int:run_id>/pin/", views.matching_pin, name="matching_pin"),
    path("runs/<int:run_id>/swap/", views.matching_swap, name="matching_swap"),
    path("runs/<int:run_id>/publish/", views.matching_publish, name="matching_publish"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("o/<slug:slug>/programmes/<slug:programme_slug>/matching/", include(programme_patterns)),
    path(
        "o/<slug:slug>/matching/why/<int:mentorship_id>/",
        views.mentorship_why,
        name="mentorship_why",
    ),
    *choice_urlpatterns,
]
