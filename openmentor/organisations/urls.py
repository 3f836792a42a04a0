from django.urls import path

from openmentor.organisations import views

urlpatterns = [
    path("orgs/", views.organisation_list, name="organisation_list"),
    path("orgs/new/", views.organisation_create, name="organisation_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("o/<slug:slug>/members/", views.member_list, name="member_list"),
    path("o/<slug:slug>/security/", views.organisation_security, name="organisation_security"),
    path("o/<slug:slug>/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "o/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
