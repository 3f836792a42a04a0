from django.urls import include, path

from openmentor.programmes import views

# Pages of one programme, under o/<slug>/programmes/<programme_slug>/.
programme_patterns = [
    path("settings/", views.programme_settings, name="programme_settings"),
    path("status/", views.programme_status, name="programme_status"),
    path("join-link/", views.programme_join_link, name="programme_join_link"),
    path("invite/", views.programme_invite, name="programme_invite"),
    path("enrol/", views.programme_enrol, name="programme_enrol"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/preview/", views.questionnaire_preview, name="questionnaire_preview"),
    path("questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path("questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("approvals/<int:enrolment_id>/", views.approval_decide, name="approval_decide"),
]

urlpatterns = [
    path("join/<str:token>/", views.programme_join, name="programme_join"),
    path("o/<slug:slug>/programmes/", views.programme_list, name="programme_list"),
    # Before the programme pages: "new" is reserved as a programme slug.
    path("o/<slug:slug>/programmes/new/", views.programme_create, name="programme_create"),
    path("o/<slug:slug>/programmes/<slug:programme_slug>/", include(programme_patterns)),
]
