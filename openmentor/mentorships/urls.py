from django.urls import include, path

from openmentor.mentorships import circle_views, icebreaker_views, views

# The pair's space, under o/<slug>/mentorships/<mentorship_id>/.
mentorship_patterns = [
    path("", views.mentorship_detail, name="mentorship_detail"),
    path("agreement/", views.mentorship_agreement, name="mentorship_agreement"),
    path("pause/", views.mentorship_pause, name="mentorship_pause"),
    path("resume/", views.mentorship_resume, name="mentorship_resume"),
    path("rematch/", views.mentorship_rematch, name="mentorship_rematch"),
    path("goals/", views.goal_create, name="goal_create"),
    path("goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/milestones/", views.milestone_create, name="milestone_create"),
    path(
        "goals/<int:goal_id>/milestones/<int:milestone_id>/toggle/",
        views.milestone_toggle,
        name="milestone_toggle",
    ),
    path("notes/", views.note_create, name="note_create"),
    path("log-meeting/", views.meeting_log_external, name="meeting_log_external"),
]

# A circle's own actions, under o/<slug>/circles/<circle_id>/ (its page is the
# mentorship page above: a circle is a mentorship).
circle_patterns = [
    path("agreement/", circle_views.circle_agreement, name="circle_agreement"),
    path("leave/", circle_views.circle_leave, name="circle_leave"),
    path("people/", circle_views.circle_member_add, name="circle_member_add"),
    path(
        "people/<int:user_id>/remove/",
        circle_views.circle_member_remove,
        name="circle_member_remove",
    ),
]

# Managers' pages of one programme, next to the programmes app's own.
programme_patterns = [
    path("mentorships/", views.mentorship_list, name="mentorship_list"),
    path("mentorships/new/", views.mentorship_create, name="mentorship_create"),
    path("circles/", circle_views.circle_list, name="circle_list"),
    path("circles/new/", circle_views.circle_create, name="circle_create"),
    path("rematches/", views.rematch_queue, name="rematch_queue"),
    path("rematches/<int:rematch_id>/resolve/", views.rematch_resolve, name="rematch_resolve"),
    path("icebreakers/", icebreaker_views.icebreaker_list, name="icebreaker_list"),
    path(
        "icebreakers/<int:icebreaker_id>/", icebreaker_views.icebreaker_edit, name="icebreaker_edit"
    ),
    path(
        "icebreakers/<int:icebreaker_id>/delete/",
        icebreaker_views.icebreaker_delete,
        name="icebreaker_delete",
    ),
]

urlpatterns = [
    path("o/<slug:slug>/mentorships/<int:mentorship_id>/", include(mentorship_patterns)),
    path("o/<slug:slug>/circles/<int:circle_id>/", include(circle_patterns)),
    path("o/<slug:slug>/programmes/<slug:programme_slug>/", include(programme_patterns)),
]
