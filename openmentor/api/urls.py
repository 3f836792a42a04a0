from django.urls import path

from openmentor.api import views
from openmentor.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("o/<slug:slug>/integrations/api-tokens/", views.api_token_list, name="api_token_list"),
    path(
        "o/<slug:slug>/integrations/api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
]
