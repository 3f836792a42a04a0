"""`{{ programme|opening_for_invitee }}`: when an invited person can enrol."""

from __future__ import annotations

from django import template

from openmentor.programmes import opening
from openmentor.programmes.models import Programme

register = template.Library()


@register.filter
def opening_for_invitee(programme: Programme) -> str:
    return opening.opening_for_invitee(programme)
