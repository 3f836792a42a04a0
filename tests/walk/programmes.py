from __future__ import annotations

from typing import Any

from openmentor.organisations.models import Organisation, Role
from openmentor.programmes.models import Enrolment, Programme
from tests.factories import MembershipFactory, ProfileFactory, ProgrammeFactory


def programme_slug(organisation: Organisation, values: dict[str, Any]) -> str:
    programme = ProgrammeFactory(organisation=organisation, status=Programme.Status.ENROLLING)
    return programme.slug


def _programme(organisation: Organisation, values: dict[str, Any]) -> Programme:
    if "programme_slug" in values:
        found = Programme.objects.filter(
            organisation=organisation, slug=values["programme_slug"]
        ).first()
        if found is not None:
            return found
    return ProgrammeFactory(organisation=organisation, status=Programme.Status.ENROLLING)


def enrolment_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = _programme(organisation, values)
    member = MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
    ProfileFactory(organisation=organisation, user=member.user)
    enrolment = Enrolment.objects.create(
        programme=programme,
        user=member.user,
        role=Enrolment.Role.MENTEE,
        status=Enrolment.Status.PENDING,
    )
    return enrolment.pk


MAKERS = {"programme_slug": programme_slug, "enrolment_id": enrolment_id}
