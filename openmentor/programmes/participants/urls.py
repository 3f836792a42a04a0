from django.urls import path

from openmentor.programmes.participants import views

urlpatterns = [
    path(
        "o/<slug:slug>/programmes/<slug:programme_slug>/participants/",
        views.participant_list,
        name="participant_list",
    ),
    path(
        "o/<slug:slug>/programmes/<slug:programme_slug>/participants/<int:enrolment_id>/",
        views.participant_detail,
        name="participant_detail",
    ),
]
