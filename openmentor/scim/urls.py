from django.urls import path

from openmentor.scim import pages, views

urlpatterns = [
    path("scim/v2/Users", views.users, name="scim_users"),
    path("scim/v2/Users/<str:user_id>", views.user_detail, name="scim_user"),
    path("scim/v2/Groups", views.groups, name="scim_groups"),
    path("scim/v2/Groups/<str:group_id>", views.group_detail, name="scim_group"),
    path(
        "scim/v2/ServiceProviderConfig",
        views.service_provider_config,
        name="scim_service_provider_config",
    ),
    path("scim/v2/ResourceTypes", views.resource_types, name="scim_resource_types"),
    path("o/<slug:slug>/integrations/provisioning/", pages.provisioning, name="scim_settings"),
    path(
        "o/<slug:slug>/integrations/provisioning/tokens/<int:scim_token_id>/revoke/",
        pages.scim_token_revoke,
        name="scim_token_revoke",
    ),
    path(
        "o/<slug:slug>/integrations/provisioning/groups/<int:scim_group_id>/",
        pages.scim_group_role,
        name="scim_group_role",
    ),
]
