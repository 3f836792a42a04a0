from django.urls import path

from openmentor.sso import views

urlpatterns = [
    path("sso/", views.sso_start, name="sso_start"),
    path("o/<slug:slug>/integrations/sso/", views.sso_settings, name="sso_settings"),
    path(
        "o/<slug:slug>/integrations/sso/domains/<int:sso_domain_id>/",
        views.sso_domain_change,
        name="sso_domain_change",
    ),
    path(
        "o/<slug:slug>/integrations/sso/providers/<int:sso_provider_id>/remove/",
        views.sso_provider_remove,
        name="sso_provider_remove",
    ),
]
