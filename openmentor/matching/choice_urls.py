"""Mentee-choice routes (owned by the mentee-choice work); included by matching/urls.py."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
