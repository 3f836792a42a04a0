from django.urls import path

from openmentor.programmes.promotion import views

PROGRAMME = "o/<slug:slug>/programmes/<slug:programme_slug>/"

urlpatterns = [
    path(f"{PROGRAMME}campaigns/", views.campaign_list, name="campaign_list"),
    path(f"{PROGRAMME}campaigns/new/", views.campaign_create, name="campaign_create"),
    path(
        f"{PROGRAMME}campaigns/<int:campaign_id>/",
        views.campaign_preview,
        name="campaign_preview",
    ),
    path(
        f"{PROGRAMME}campaigns/<int:campaign_id>/edit/",
        views.campaign_edit,
        name="campaign_edit",
    ),
    path(
        f"{PROGRAMME}campaigns/<int:campaign_id>/send/",
        views.campaign_send,
        name="campaign_send",
    ),
    path(f"{PROGRAMME}ambassadors/", views.ambassador_list, name="ambassador_list"),
    path(
        f"{PROGRAMME}ambassadors/<int:ambassador_id>/remove/",
        views.ambassador_remove,
        name="ambassador_remove",
    ),
]
