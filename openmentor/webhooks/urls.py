from django.urls import path

from openmentor.webhooks import views

urlpatterns = [
    path("o/<slug:slug>/integrations/webhooks/", views.webhook_list, name="webhook_list"),
    path(
        "o/<slug:slug>/integrations/webhooks/<int:endpoint_id>/",
        views.webhook_detail,
        name="webhook_detail",
    ),
    path(
        "o/<slug:slug>/integrations/webhooks/<int:endpoint_id>/delete/",
        views.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "o/<slug:slug>/integrations/webhooks/deliveries/<int:delivery_id>/",
        views.webhook_delivery_detail,
        name="webhook_delivery_detail",
    ),
    path(
        "o/<slug:slug>/integrations/webhooks/deliveries/<int:delivery_id>/replay/",
        views.webhook_delivery_replay,
        name="webhook_delivery_replay",
    ),
]
