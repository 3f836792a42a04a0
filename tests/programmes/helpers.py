"""Small builders for the programme tests."""

from __future__ import annotations

from typing import Any

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Programme, Question
from tests.factories import (  # noqa: F401 - the programme tests import them from here
    make_enrolment,
    make_member,
    make_programme,
    make_user,
)


def programme(organisation: Organisation, **fields: Any) -> Programme:
    """A programme open for enrolment, which is what most programme tests need."""
    fields.setdefault("status", Programme.Status.ENROLLING)
    return make_programme(organisation, **fields)


def member(organisation: Organisation, role: str = Role.PARTICIPANT) -> Membership:
    return make_member(organisation, role)


def track_question(programme: Programme, **fields: Any) -> Question:
    values: dict[str, Any] = {
        "kind": Question.Kind.SINGLE,
        "text": "Which track?",
        "choices": ["Leadership", "Engineering"],
        "required": True,
        "position": 1,
    }
    values.update(fields)
    return Question.objects.create(programme=programme, **values)


def scale_question(programme: Programme, **fields: Any) -> Question:
    values: dict[str, Any] = {
        "kind": Question.Kind.SCALE,
        "text": "How confident are you?",
        "feeds_matching": True,
        "matching_weight": 2.0,
        "position": 2,
    }
    values.update(fields)
    return Question.objects.create(programme=programme, **values)


def enrol_url(p: Programme) -> str:
    return f"/o/{p.organisation.slug}/programmes/{p.slug}/enrol/"


def page_url(p: Programme, rest: str = "") -> str:
    return f"/o/{p.organisation.slug}/programmes/{p.slug}/{rest}"
