from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from hypothesis import given
from hypothesis import strategies as st

from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Campaign, CampaignDelivery, Enrolment, Programme
from openmentor.programmes.promotion import selectors as promotion_selectors
from openmentor.programmes.promotion import services as promotion
from openmentor.programmes.promotion.tasks import campaign_deliver
from tests.conftest import Tenant
from tests.factories import EnrolmentFactory, MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

HOSTILE_MARKDOWN = (
    "Hello **team**\n\n"
    "<script>alert('owned')</script>\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    "[click me](javascript:alert(document.cookie))\n\n"
    '<a href="javascript:alert(2)" onclick="steal()">raw link</a>\n\n'
    "[our site](https://example.org/about)\n"
)


def _campaign(
    programme: Programme,
    actor: Membership,
    *,
    audience: str = Campaign.Audience.NOT_ENROLLED,
    pasted: str = "",
    body: str = "Join **us**.",
) -> Campaign:
    return promotion.campaign_create(
        programme=programme,
        actor=actor,
        subject="Mentoring opens",
        body_markdown=body,
        audience=audience,
        pasted_emails=pasted,
    )


# --- Pasted lists ---------------------------------------------------------------------


def test_pasted_list_splits_dedupes_and_reports_every_bad_line() -> None:
    parsed = promotion.pasted_addresses_parse(
        "a@example.org, B@example.org; c@example.org\n"
        "not-an-address\n"
        "\n"
        "b@example.org;a@EXAMPLE.org\n"
        "d@example.org, also bad@, e@example.org\n"
    )
    assert parsed.addresses == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
        "e@example.org",
    ]
    assert parsed.errors == [
        "Line 2: “not-an-address” is not a valid e-mail address.",
        "Line 5: “also bad@” is not a valid e-mail address.",
    ]


def test_pasted_list_must_hold_something_and_at_most_5000() -> None:
    assert promotion.pasted_addresses_parse(" \n ;, ").errors == [
        "Paste at least one e-mail address."
    ]
    ok = promotion.pasted_addresses_parse("\n".join(f"p{i}@example.org" for i in range(5000)))
    assert ok.errors == [] and len(ok.addresses) == 5000
    # Duplicates do not count towards the limit.
    too_many = promotion.pasted_addresses_parse(
        "\n".join(f"p{i}@example.org" for i in range(5001)) + "\np1@example.org"
    )
    assert too_many.errors == [
        "A campaign can go to at most 5,000 addresses; this list has 5,001 different ones."
    ]


@given(st.lists(st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.org", fullmatch=True), max_size=30))
def test_pasted_list_keeps_each_valid_address_once_in_order(emails: list[str]) -> None:
    text = "\n".join(", ".join(emails[i : i + 3]) for i in range(0, len(emails), 3))
    parsed = promotion.pasted_addresses_parse(text)
    assert parsed.addresses == list(dict.fromkeys(emails))
    assert parsed.errors == ([] if emails else ["Paste at least one e-mail address."])


# --- Rendering --------------------------------------------------------------------------


def test_markdown_is_sanitised_in_html_and_text() -> None:
    html = promotion.markdown_to_safe_html(HOSTILE_MARKDOWN)
    assert "<strong>team</strong>" in html
    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in html
    assert '<a href="https://example.org/about" rel="noopener noreferrer">our site</a>' in html
    text = promotion.markdown_to_text(HOSTILE_MARKDOWN)
    assert "javascript:" not in text and "<script" not in text and "alert('owned')" not in text
    assert "click me" in text and "click me)" not in text
    assert "our site (https://example.org/about)" in text


def test_text_part_spells_out_links_and_drops_unsafe_references() -> None:
    text = promotion.markdown_to_text(
        "Tom & Jerry [wiki](https://en.wikipedia.org/wiki/A_(b)) [ref][1]\n\n"
        "[1]: javascript:alert(1)\n[2]: https://ok.example.org\n"
    )
    assert text == (
        "Tom & Jerry wiki (https://en.wikipedia.org/wiki/A_(b)) [ref][1]\n\n"
        "[2]: https://ok.example.org"
    )


def test_join_token_is_created_once(programme: Programme) -> None:
    assert programme.join_token is None
    token = promotion.programme_join_token_ensure(programme=programme)
    assert len(token) >= 40
    fresh = Programme.objects.get(pk=programme.pk)
    assert promotion.programme_join_token_ensure(programme=fresh) == token
    # A token set meanwhile by someone else is never overwritten.
    stale = Programme.objects.get(pk=programme.pk)
    stale.join_token = None
    assert promotion.programme_join_token_ensure(programme=stale) == token


# --- Campaigns ----------------------------------------------------------------------------


def test_create_refuses_bad_input_and_writes_nothing(tenant: Tenant, programme: Programme) -> None:
    with pytest.raises(ValidationError) as caught:
        promotion.campaign_create(
            programme=programme,
            actor=tenant.manager,
            subject="  ",
            body_markdown=" ",
            audience="everyone-on-earth",
        )
    assert set(caught.value.message_dict) == {"subject", "body_markdown", "audience"}
    with pytest.raises(ValidationError) as caught:
        _campaign(
            programme, tenant.manager, audience=Campaign.Audience.PASTED, pasted="x@y, ok@b.org"
        )
    assert caught.value.message_dict["pasted_emails"] == [
        "Line 1: “x@y” is not a valid e-mail address."
    ]
    with pytest.raises(PermissionDenied):
        _campaign(programme, tenant.participant)
    assert Campaign.objects.count() == 0


def test_recipients_are_members_not_yet_enrolled(tenant: Tenant, programme: Programme) -> None:
    enrolled = cast(Membership, MembershipFactory(organisation=tenant.organisation))
    EnrolmentFactory(programme=programme, user=enrolled.user)
    elsewhere = ProgrammeFactory(organisation=tenant.organisation)
    in_other = cast(Membership, MembershipFactory(organisation=tenant.organisation))
    EnrolmentFactory(programme=elsewhere, user=in_other.user)
    MembershipFactory()  # another organisation's member
    campaign = _campaign(programme, tenant.manager)
    assert set(promotion_selectors.campaign_recipients(campaign=campaign)) == {
        tenant.owner.user.email,
        tenant.manager.user.email,
        tenant.participant.user.email,
        in_other.user.email,
    }


def test_send_delivers_one_sanitised_email_per_address_and_marks_sent(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    campaign = _campaign(
        programme,
        tenant.manager,
        audience=Campaign.Audience.PASTED,
        pasted="a@example.org\nb@example.org, A@example.org",
        body=HOSTILE_MARKDOWN,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert promotion.campaign_send(campaign=campaign, actor=tenant.manager) == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    message = cast(EmailMultiAlternatives, mail.outbox[0])
    html = str(message.alternatives[0][0])
    join_path = (
        f"/join/{Programme.objects.get(pk=programme.pk).join_token}/?via={campaign.link_token}"
    )
    assert join_path in message.body and join_path in html
    for part in (message.body, html):
        assert "<script" not in part and "javascript:" not in part and "onerror" not in part
    assert sorted(CampaignDelivery.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "b@example.org",
    ]


def test_sent_campaign_cannot_be_sent_or_edited_again(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    campaign = _campaign(programme, tenant.manager)
    with django_capture_on_commit_callbacks(execute=True):
        promotion.campaign_send(campaign=campaign, actor=tenant.manager)
    sent = len(mail.outbox)
    with pytest.raises(promotion.CampaignAlreadySent):
        promotion.campaign_send(campaign=campaign, actor=tenant.owner)
    with pytest.raises(promotion.CampaignAlreadySent):
        promotion.campaign_update(
            campaign=campaign,
            actor=tenant.manager,
            subject="Changed",
            body_markdown="x",
            audience=Campaign.Audience.NOT_ENROLLED,
        )
    assert len(mail.outbox) == sent
    assert Campaign.objects.get(pk=campaign.pk).subject == "Mentoring opens"


def test_empty_audience_is_refused(tenant: Tenant, programme: Programme) -> None:
    for membership in (tenant.owner, tenant.manager, tenant.participant):
        EnrolmentFactory(programme=programme, user=membership.user)
    campaign = _campaign(programme, tenant.manager)
    with pytest.raises(ValidationError, match="audience is empty"):
        promotion.campaign_send(campaign=campaign, actor=tenant.manager)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_delivery_task_is_idempotent(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    campaign = _campaign(
        programme,
        tenant.manager,
        audience=Campaign.Audience.PASTED,
        pasted="a@example.org\nb@example.org\nc@example.org",
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    # A crashed earlier run had already handled a@.
    CampaignDelivery.objects.create(campaign=campaign, email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        campaign_deliver.call(campaign_id=campaign.pk)
        campaign_deliver.call(campaign_id=campaign.pk)  # e.g. the queue retried it
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.org", "c@example.org"]
    # Even if the campaign were put back to sending, no address is sent twice.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_deliver.call(campaign_id=campaign.pk) == 0
    assert len(mail.outbox) == 2
    assert CampaignDelivery.objects.filter(campaign=campaign).count() == 3


def test_draft_campaign_is_not_delivered_by_a_stray_task(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    campaign = _campaign(programme, tenant.manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_deliver.call(campaign_id=campaign.pk) == 0
        assert campaign_deliver.call(campaign_id=campaign.pk + 1000) == 0
    assert mail.outbox == [] and CampaignDelivery.objects.count() == 0


def test_counts_are_per_campaign(tenant: Tenant, programme: Programme) -> None:
    first = _campaign(programme, tenant.manager)
    second = _campaign(programme, tenant.manager)
    for i in range(3):
        CampaignDelivery.objects.create(campaign=first, email=f"x{i}@example.org")
    for _ in range(2):
        EnrolmentFactory(programme=programme, campaign=first, source=Enrolment.Source.CAMPAIGN)
    EnrolmentFactory(programme=programme, campaign=second, source=Enrolment.Source.CAMPAIGN)
    counts = {
        c.pk: (c.sent_count, c.enrolled_count)  # type: ignore[attr-defined]
        for c in promotion_selectors.campaigns_for(programme=programme)
    }
    assert counts == {first.pk: (3, 2), second.pk: (0, 1)}


# --- Ambassadors ------------------------------------------------------------------------


def test_ambassador_must_be_a_member_once(
    tenant: Tenant, other_tenant: Tenant, programme: Programme
) -> None:
    ambassador = promotion.ambassador_add(
        programme=programme, actor=tenant.manager, email=tenant.participant.user.email.upper()
    )
    assert ambassador.user == tenant.participant.user and ambassador.link_token
    with pytest.raises(ValidationError) as caught:
        promotion.ambassador_add(
            programme=programme, actor=tenant.manager, email=tenant.participant.user.email
        )
    assert "already an ambassador" in caught.value.message_dict["email"][0]
    with pytest.raises(ValidationError) as caught:
        promotion.ambassador_add(
            programme=programme, actor=tenant.manager, email=other_tenant.owner.user.email
        )
    assert caught.value.message_dict["email"] == ["No member of Acme has this e-mail address."]
    with pytest.raises(PermissionDenied):
        promotion.ambassador_add(
            programme=programme, actor=tenant.participant, email=tenant.owner.user.email
        )
    with pytest.raises(PermissionDenied):
        promotion.ambassador_add(
            programme=programme, actor=other_tenant.owner, email=tenant.owner.user.email
        )


def test_ambassador_links_for_a_member(
    tenant: Tenant, other_tenant: Tenant, programme: Programme
) -> None:
    closed = cast(
        Programme,
        ProgrammeFactory(organisation=tenant.organisation, status=Programme.Status.CLOSED),
    )
    foreign = cast(Programme, ProgrammeFactory(organisation=other_tenant.organisation))
    member = tenant.participant
    ambassador = promotion.ambassador_add(
        programme=programme, actor=tenant.manager, email=member.user.email
    )
    promotion.ambassador_add(programme=closed, actor=tenant.manager, email=member.user.email)
    # The same person in another organisation: that link belongs to the other dashboard.
    MembershipFactory(
        organisation=other_tenant.organisation, user=member.user, role=Role.PARTICIPANT
    )
    promotion.ambassador_add(programme=foreign, actor=other_tenant.owner, email=member.user.email)
    EnrolmentFactory(programme=programme, ambassador=ambassador, source=Enrolment.Source.AMBASSADOR)
    links = promotion_selectors.ambassador_links_for(membership=member)
    assert [(link.programme_name, link.enrolled_count) for link in links] == [("Pathways", 1)]
    assert links[0].url.endswith(f"?via={ambassador.link_token}")
    assert promotion_selectors.ambassador_links_for(membership=tenant.owner) == []


def test_removing_an_ambassador_keeps_the_enrolments(tenant: Tenant, programme: Programme) -> None:
    ambassador = promotion.ambassador_add(
        programme=programme, actor=tenant.manager, email=tenant.participant.user.email
    )
    enrolment = cast(
        Enrolment,
        EnrolmentFactory(
            programme=programme, ambassador=ambassador, source=Enrolment.Source.AMBASSADOR
        ),
    )
    promotion.ambassador_remove(ambassador=ambassador, actor=tenant.manager)
    enrolment.refresh_from_db()
    assert enrolment.source == Enrolment.Source.AMBASSADOR and enrolment.ambassador is None


def test_recipient_count_matches_the_recipients(tenant: Tenant, programme: Programme) -> None:
    for _ in range(4):
        member = cast(Membership, MembershipFactory(organisation=tenant.organisation))
        EnrolmentFactory(programme=programme, user=member.user, role=Enrolment.Role.MENTOR)
        EnrolmentFactory(programme=programme, user=member.user, role=Enrolment.Role.MENTEE)
    MembershipFactory(organisation=tenant.organisation)
    campaign = _campaign(programme, tenant.manager)
    assert promotion_selectors.campaign_recipient_count(campaign=campaign) == 4
    assert len(promotion_selectors.campaign_recipients(campaign=campaign)) == 4
    pasted = _campaign(
        programme, tenant.manager, audience=Campaign.Audience.PASTED, pasted="a@x.org;A@x.org"
    )
    assert promotion_selectors.campaign_recipient_count(campaign=pasted) == 1
