from django.apps import AppConfig


class MentorshipsConfig(AppConfig):
    name = "openmentor.mentorships"
    label = "mentorships"
