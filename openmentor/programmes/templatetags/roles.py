from __future__ import annotations

from django import template

from openmentor.programmes.models import Programme
from openmentor.programmes.roles import role_word as _role_word

register = template.Library()


@register.filter
def role_word(programme: Programme, side: str) -> str:
    """``{{ programme|role_word:"mentor" }}``: "mentor", "peer" or "junior mentor"."""
    return _role_word(programme, side)


@register.filter
def role_title(programme: Programme, side: str) -> str:
    """``{{ programme|role_title:"mentee" }}``: "Mentee", "Peer" or "Senior mentee"."""
    word = _role_word(programme, side)
    return word[:1].upper() + word[1:]
