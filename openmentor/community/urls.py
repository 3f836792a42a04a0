from django.urls import URLPattern, path

from openmentor.community import views

urlpatterns: list[URLPattern] = [
    path(
        "o/<slug:slug>/programmes/<slug:programme_slug>/community/",
        views.community,
        name="community",
    ),
]
