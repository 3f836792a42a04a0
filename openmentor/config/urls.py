from django.contrib import admin
from django.urls import include, path

from openmentor.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("openmentor.organisations.urls")),
    path("", include("openmentor.programmes.urls")),
    path("", include("openmentor.programmes.promotion.urls")),
    path("", include("openmentor.programmes.participants.urls")),
    path("", include("openmentor.people.urls")),
    path("", include("openmentor.programmes.imports.urls")),
    path("", include("openmentor.mentorships.urls")),
    path("", include("openmentor.meetings.urls")),
    path("", include("openmentor.messaging.urls")),
    path("", include("openmentor.matching.urls")),
    path("", include("openmentor.events.urls")),
    path("", include("openmentor.community.urls")),
    path("", include("openmentor.feedback.urls")),
    path("", include("openmentor.feedback.surveys.urls")),
    path("", include("openmentor.video.urls")),
    path("", include("openmentor.notifications.urls")),
    path("", include("openmentor.tracking.urls")),
    path("", include("openmentor.api.urls")),
    path("", include("openmentor.webhooks.urls")),
    path("", include("openmentor.scim.urls")),
    path("", include("openmentor.sso.urls")),
    path("", include("openmentor.chat.urls")),
    # The read side on top: the home redirect, dashboards and reports.
    path("", include("openmentor.dashboard.urls")),
]

handler403 = "openmentor.core.views.permission_denied"
handler404 = "openmentor.core.views.page_not_found"
handler500 = "openmentor.core.views.server_error"
