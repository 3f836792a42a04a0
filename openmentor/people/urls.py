from django.urls import path

from openmentor.people import views

urlpatterns = [
    path("o/<slug:slug>/profile/", views.profile_edit, name="profile_edit"),
    path(
        "o/<slug:slug>/profile/about-you/",
        views.self_identification,
        name="self_identification",
    ),
    path(
        "o/<slug:slug>/people/<int:user_id>/photo/",
        views.person_photo,
        name="person_photo",
    ),
]
