from django.urls import path

from openmentor.feedback.surveys import views

urlpatterns = [
    path(
        "o/<slug:slug>/feedback/meetings/<int:feedback_id>/",
        views.meeting_feedback,
        name="meeting_feedback",
    ),
    path("o/<slug:slug>/checkins/<int:checkin_id>/", views.checkin_answer, name="checkin_answer"),
    path("r/<str:token>/", views.meeting_rating_link, name="meeting_rating_link"),
    path(
        "o/<slug:slug>/programmes/<slug:programme_slug>/surveys/",
        views.survey_builder,
        name="survey_builder",
    ),
    path(
        "o/<slug:slug>/programmes/<slug:programme_slug>/surveys/<int:survey_question_id>/delete/",
        views.survey_question_delete,
        name="survey_question_delete",
    ),
]
