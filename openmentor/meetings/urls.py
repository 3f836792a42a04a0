from django.urls import path

from openmentor.meetings import views

MEETINGS = "o/<slug:slug>/mentorships/<int:mentorship_id>/meetings/"
MEETING = MEETINGS + "<int:meeting_id>/"

urlpatterns = [
    path(MEETINGS, views.meeting_list, name="meeting_list"),
    path(MEETINGS + "propose/", views.meeting_propose, name="meeting_propose"),
    path(MEETING, views.meeting_detail, name="meeting_detail"),
    path(MEETING + "calendar.ics", views.meeting_ics, name="meeting_ics"),
    path(MEETING + "accept/", views.meeting_accept, name="meeting_accept"),
    path(MEETING + "decline/", views.meeting_decline, name="meeting_decline"),
    path(MEETING + "cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(MEETING + "reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path(MEETING + "agenda/", views.agenda_item_add, name="agenda_item_add"),
    path(MEETING + "agenda/toggle/", views.agenda_item_toggle, name="agenda_item_toggle"),
    path(MEETING + "notes/", views.meeting_note_add, name="meeting_note_add"),
    path("o/<slug:slug>/calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
]
