"""Small builders for the programme tests."""

from __future__ import annotations

from typing import Any, cast

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Enrolment, Programme, Question
from tests.factories import EnrolmentFactory, MembershipFactory, ProgrammeFactory, UserFactory


def programme(organisation: Organisation, **fields: Any) -> Programme:
    fields.setdefault("status", Programme.Status.ENROLLING)
    return cast(Programme, ProgrammeFactory(organisation=organisation, **fields))


def member(organisation: Organisation, role: str = Role.PARTICIPANT) -> Membership:
    return cast(Membership, MembershipFactory(organisation=organisation, role=role))


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


def make_enrolment(**fields: Any) -> Enrolment:
    return cast(Enrolment, EnrolmentFactory(**fields))


def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))
