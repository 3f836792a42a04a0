from __future__ import annotations

from django import template

from openmentor.programmes.models import Programme
from openmentor.programmes.roles import partner_word as _partner_word
from openmentor.programmes.roles import role_word as _role_word

register = template.Library()


@register.filter
def role_word(programme: Programme, side: str) -> str:
    """``{{ programme|role_word:"mentor" }}``: "mentor", "peer" or "junior mentor"."""
    return _role_word(programme, side)


def _capfirst(word: str) -> str:
    return word[:1].upper() + word[1:]


@register.filter
def role_title(programme: Programme, side: str) -> str:
    """``{{ programme|role_title:"mentee" }}``: "Mentee", "Peer" or "Senior mentee"."""
    return _capfirst(_role_word(programme, side))


@register.filter
def partner_word(programme: Programme, side: str) -> str:
    """``{{ programme|partner_word:role }}``: what the person on ``side`` calls the other
    one ("mentee" for a mentor, "peer" for a peer, "junior mentor" for a senior mentee)."""
    return _partner_word(programme, side)


@register.filter
def partner_title(programme: Programme, side: str) -> str:
    """``partner_word`` with a capital, for headings and table columns."""
    return _capfirst(_partner_word(programme, side))
