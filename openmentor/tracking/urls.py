from django.urls import path

from openmentor.tracking import views

PROGRAMME = "o/<slug:slug>/programmes/<slug:programme_slug>/"

urlpatterns = [
    path(PROGRAMME + "health/", views.programme_health, name="programme_health"),
    path(PROGRAMME + "health/settings/", views.tracking_settings, name="tracking_settings"),
    path("o/<slug:slug>/away/", views.away, name="away"),
    path("t/propose/<str:token>/", views.nudge_propose, name="nudge_propose"),
    path("t/keep-open/<str:token>/", views.closure_keep_open, name="closure_keep_open"),
]
