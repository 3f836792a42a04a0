"""Background delivery of campaign e-mails (the Tasks API of django-tasks)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django_tasks import task

from openmentor.core.email import email_send
from openmentor.programmes.models import Campaign, CampaignDelivery
from openmentor.programmes.promotion.selectors import campaign_recipients
from openmentor.programmes.promotion.services import campaign_mark_sent, campaign_render


@task()
def campaign_deliver(*, campaign_id: int) -> int:
    """Sends the campaign once to each recipient; returns how many were sent by this run.

    Safe to run again after a crash or a retry: each address first gets a
    CampaignDelivery row (unique per campaign and address) in the same transaction that
    queues its e-mail, so an address that already has a row is skipped, and an e-mail is
    only queued when its row is committed.
    """
    campaign = (
        Campaign.objects.select_related("programme__organisation").filter(pk=campaign_id).first()
    )
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return 0  # deleted, still a draft, or already finished by an earlier run
    rendered = campaign_render(campaign=campaign)
    already = set(
        CampaignDelivery.objects.filter(campaign=campaign).values_list("email", flat=True)
    )
    sent = 0
    for address in campaign_recipients(campaign=campaign):
        if address in already:
            continue
        try:
            with transaction.atomic():
                CampaignDelivery.objects.create(campaign=campaign, email=address)
                email_send(
                    to=[address],
                    subject=rendered.subject,
                    template="promotion/email/campaign",
                    context=rendered.email_context(),
                )
        except IntegrityError:
            continue  # another run of this task got to this address first
        sent += 1
    campaign_mark_sent(
        campaign=campaign, delivered=CampaignDelivery.objects.filter(campaign=campaign).count()
    )
    return sent
