from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from openmentor.organisations.models import Membership, Organisation
from openmentor.programmes.models import Enrolment, Programme


def programme_summaries(*, organisation: Organisation) -> QuerySet[Programme]:
    return Programme.objects.filter(organisation=organisation).annotate(
        mentors=Count("enrolments", filter=Q(enrolments__role=Enrolment.Role.MENTOR)),
        mentees=Count("enrolments", filter=Q(enrolments__role=Enrolment.Role.MENTEE)),
        pending=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.PENDING)),
    )


def enrolments_for_member(*, membership: Membership) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        programme__organisation=membership.organisation, user=membership.user
    ).select_related("programme")
