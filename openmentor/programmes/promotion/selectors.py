"""Reads for the promotion pages: campaigns with their counts, recipients, ambassadors.

Every read is scoped to a programme that was itself fetched through the organisation of
the request (or, for a member's own links, to the member's organisation).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse

from openmentor.organisations.models import Membership
from openmentor.programmes.models import (
    Ambassador,
    Campaign,
    CampaignDelivery,
    Enrolment,
    Programme,
)
from openmentor.programmes.promotion.addresses import pasted_addresses_parse


def join_url(*, programme: Programme, link_token: str) -> str:
    """Absolute join link that records where the person came from (`?via=`).

    The programme's join token is made when its first ambassador or campaign is (see
    `services.programme_join_token_ensure`); a programme without one has no link yet.
    """
    if not programme.join_token:
        return ""
    path = reverse("programme_join", kwargs={"token": programme.join_token})
    return f"{settings.SITE_URL}{path}?via={link_token}"


def _count_of(model: type[CampaignDelivery] | type[Enrolment], field: str) -> Coalesce:
    # Subqueries rather than two Count() joins: joining deliveries and enrolments together
    # would multiply the rows and inflate both counts.
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def campaigns_for(*, programme: Programme) -> QuerySet[Campaign]:
    """The programme's campaigns, newest first, with sent and enrolled-through counts."""
    return (
        Campaign.objects.filter(programme=programme)
        .select_related("created_by")
        .annotate(
            sent_count=_count_of(CampaignDelivery, "campaign"),
            enrolled_count=_count_of(Enrolment, "campaign"),
        )
    )


def campaign_for(*, programme: Programme, campaign_id: int) -> Campaign:
    campaign = campaigns_for(programme=programme).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("No such campaign")
    campaign.programme = programme  # already loaded and scoped; saves a query
    return campaign


def _not_enrolled_members(programme: Programme) -> QuerySet[Membership]:
    return Membership.objects.filter(
        organisation_id=programme.organisation_id, user__is_active=True
    ).exclude(user__enrolments__programme=programme)


def campaign_recipients(*, campaign: Campaign) -> list[str]:
    """The addresses the campaign goes to, lower-cased, each once."""
    if campaign.audience == Campaign.Audience.PASTED:
        return pasted_addresses_parse(campaign.pasted_emails).addresses
    emails = (
        _not_enrolled_members(campaign.programme)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(email.lower() for email in emails))


def campaign_recipient_count(*, campaign: Campaign) -> int:
    """How many people a draft would reach, without loading every address."""
    if campaign.audience == Campaign.Audience.PASTED:
        return len(pasted_addresses_parse(campaign.pasted_emails).addresses)
    # User e-mails are unique case-insensitively, so one membership is one address.
    return _not_enrolled_members(campaign.programme).count()


def ambassadors_for(*, programme: Programme) -> QuerySet[Ambassador]:
    return (
        Ambassador.objects.filter(programme=programme)
        .select_related("user")
        .annotate(enrolled_count=Count("enrolments"))
        .order_by("user__email")
    )


def ambassador_for(*, programme: Programme, ambassador_id: int) -> Ambassador:
    ambassador = ambassadors_for(programme=programme).filter(pk=ambassador_id).first()
    if ambassador is None:
        raise Http404("No such ambassador")
    return ambassador


@dataclass(frozen=True)
class AmbassadorLink:
    programme_name: str
    programme_status: str
    url: str
    enrolled_count: int


def ambassador_links_for(*, membership: Membership) -> list[AmbassadorLink]:
    """The tracked links this member promotes, for their dashboard (closed ones left out)."""
    ambassadors = (
        Ambassador.objects.filter(
            user_id=membership.user_id, programme__organisation_id=membership.organisation_id
        )
        .exclude(programme__status=Programme.Status.CLOSED)
        .select_related("programme")
        .annotate(enrolled_count=Count("enrolments"))
        .order_by("programme__name")
    )
    return [
        AmbassadorLink(
            programme_name=a.programme.name,
            programme_status=a.programme.get_status_display(),
            url=join_url(programme=a.programme, link_token=a.link_token),
            enrolled_count=a.enrolled_count,
        )
        for a in ambassadors
    ]
