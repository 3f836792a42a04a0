from __future__ import annotations

from typing import Any, cast

from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.programmes.models import Enrolment, Programme, Question
from tests.factories import MembershipFactory, ProfileFactory, ProgrammeFactory, QuestionFactory


def programme_slug(organisation: Organisation, values: dict[str, Any]) -> str:
    programme = cast(
        Programme, ProgrammeFactory(organisation=organisation, status=Programme.Status.ENROLLING)
    )
    return programme.slug


def _programme(organisation: Organisation, values: dict[str, Any]) -> Programme:
    if "programme_slug" in values:
        found = Programme.objects.filter(
            organisation=organisation, slug=values["programme_slug"]
        ).first()
        if found is not None:
            return found
    created = cast(
        Programme, ProgrammeFactory(organisation=organisation, status=Programme.Status.ENROLLING)
    )
    return created


def enrolment_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = _programme(organisation, values)
    member = cast(Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT))
    ProfileFactory(organisation=organisation, user=member.user)
    enrolment = Enrolment.objects.create(
        programme=programme,
        user=member.user,
        role=Enrolment.Role.MENTEE,
        status=Enrolment.Status.PENDING,
    )
    return enrolment.pk


def question_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = _programme(organisation, values)
    question = QuestionFactory(
        programme=programme,
        position=1,
        kind=Question.Kind.SINGLE,
        text="Which track?",
        choices=["Leadership", "Engineering"],
    )
    return question.pk


MAKERS = {
    "programme_slug": programme_slug,
    "enrolment_id": enrolment_id,
    "question_id": question_id,
}
PUBLIC = {"programme_join"}
