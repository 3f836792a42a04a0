from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

import pytest
from django.core import mail
from django.test import Client

from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import (
    Ambassador,
    Campaign,
    CampaignDelivery,
    Enrolment,
    Programme,
)
from tests.conftest import Tenant, client_for
from tests.factories import EnrolmentFactory, MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _base(tenant: Tenant, programme: Programme) -> str:
    return f"/o/{tenant.organisation.slug}/programmes/{programme.slug}"


def _draft(programme: Programme, **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "subject": "Mentoring opens",
        "body_markdown": "Join **us**.",
        "audience": Campaign.Audience.NOT_ENROLLED,
        "link_token": secrets.token_urlsafe(32),
        **fields,
    }
    return Campaign.objects.create(programme=programme, **values)


VALID = {
    "subject": "Mentoring opens on Monday",
    "body_markdown": "Hello!\n\n- learn\n- grow",
    "audience": "pasted",
    "pasted_emails": "a@example.org\nb@example.org",
}


# --- Campaign pages ---------------------------------------------------------------------


def test_manager_creates_previews_and_sends_a_campaign(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    client = client_for(tenant.manager)
    base = _base(tenant, programme)
    response = client.post(f"{base}/campaigns/new/", VALID, follow=True)
    campaign = Campaign.objects.get()
    assert response.redirect_chain[-1][0] == f"{base}/campaigns/{campaign.pk}/"
    body = response.content.decode()
    assert "Campaign saved as a draft" in body
    assert "<li>learn</li>" in body  # the Markdown preview
    join = f"/join/{Programme.objects.get(pk=programme.pk).join_token}/?via={campaign.link_token}"
    assert join in body and "Plain-text version" in body
    assert "Send to 2 people" in body

    confirm = client.get(f"{base}/campaigns/{campaign.pk}/send/").content.decode()
    assert "to <strong>2 people</strong>" in confirm
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/campaigns/{campaign.pk}/send/", follow=True)
    body = response.content.decode()
    assert "Sending “Mentoring opens on Monday” to 2 people." in body
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert join in mail.outbox[0].body
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    page = client.get(f"{base}/campaigns/{campaign.pk}/").content.decode()
    assert '<span class="stat-value">2</span> e-mails sent' in page
    assert "Sent" in page and "Send to" not in page


def test_sent_campaign_refuses_second_send_and_edit(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    client = client_for(tenant.manager)
    base = _base(tenant, programme)
    campaign = _draft(programme, audience="pasted", pasted_emails="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/campaigns/{campaign.pk}/send/")
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}/campaigns/{campaign.pk}/send/")
    assert response.status_code == 409
    assert "already been sent" in response.content.decode()
    assert len(mail.outbox) == 1
    response = client.get(f"{base}/campaigns/{campaign.pk}/send/")
    assert "already been sent" in response.content.decode()
    assert "<button" not in response.content.decode().split("<main", 1)[1]
    response = client.post(f"{base}/campaigns/{campaign.pk}/edit/", {**VALID, "subject": "Changed"})
    assert response.status_code == 409 and "already been sent" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).subject == "Mentoring opens"


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({**VALID, "subject": "  "}, "Enter a subject."),
        ({**VALID, "body_markdown": "   "}, "Write the message."),
        ({**VALID, "audience": "the-whole-internet"}, "Choose one of the listed audiences."),
        ({**VALID, "audience": ""}, "Choose who receives the campaign."),
        ({**VALID, "pasted_emails": ""}, "Paste at least one e-mail address."),
        (
            {**VALID, "pasted_emails": "ok@example.org\nnope\nfine@example.org; bad@@x"},
            "Line 2: “nope” is not a valid e-mail address.",
        ),
    ],
)
def test_campaign_form_reports_bad_input_at_the_field(
    tenant: Tenant, programme: Programme, data: dict[str, str], field_message: str
) -> None:
    response = client_for(tenant.manager).post(f"{_base(tenant, programme)}/campaigns/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert field_message in body
    assert 'class="field has-error"' in body
    assert data["pasted_emails"].split("\n")[0] in body  # what was typed is kept
    assert Campaign.objects.count() == 0


def test_every_bad_pasted_line_is_reported(tenant: Tenant, programme: Programme) -> None:
    pasted = "ok@example.org\nnope\nfine@example.org; bad@@x\n\nalso wrong"
    response = client_for(tenant.manager).post(
        f"{_base(tenant, programme)}/campaigns/new/", {**VALID, "pasted_emails": pasted}
    )
    body = response.content.decode()
    for message in (
        "Line 2: “nope” is not a valid e-mail address.",
        "Line 3: “bad@@x” is not a valid e-mail address.",
        "Line 5: “also wrong” is not a valid e-mail address.",
    ):
        assert message in body
    assert Campaign.objects.count() == 0


def test_edit_a_draft_keeps_input_on_error_and_saves_when_valid(
    tenant: Tenant, programme: Programme
) -> None:
    client = client_for(tenant.manager)
    campaign = _draft(programme)
    url = f"{_base(tenant, programme)}/campaigns/{campaign.pk}/edit/"
    assert 'value="Mentoring opens"' in client.get(url).content.decode()
    response = client.post(url, {**VALID, "subject": "", "body_markdown": "Kept text"})
    assert response.status_code == 400 and "Kept text" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).body_markdown == "Join **us**."
    response = client.post(url, {**VALID, "pasted_emails": "X@example.org, x@example.org"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.subject == VALID["subject"] and campaign.pasted_emails == "x@example.org"


def test_preview_neutralises_scripts_and_javascript_links(
    tenant: Tenant, programme: Programme
) -> None:
    campaign = _draft(
        programme,
        body_markdown=(
            "Hi <script>alert('x')</script> [go](javascript:alert(1)) "
            '<a href="javascript:alert(2)">raw</a> <b onmouseover="alert(3)">b</b>'
        ),
    )
    body = (
        client_for(tenant.manager)
        .get(f"{_base(tenant, programme)}/campaigns/{campaign.pk}/")
        .content.decode()
    )
    assert "alert(" not in body and "javascript:" not in body and "onmouseover" not in body
    assert "go" in body and "raw" in body


def test_send_with_empty_audience_is_refused(tenant: Tenant, programme: Programme) -> None:
    for membership in (tenant.owner, tenant.manager, tenant.participant):
        EnrolmentFactory(programme=programme, user=membership.user)
    campaign = _draft(programme)
    url = f"{_base(tenant, programme)}/campaigns/{campaign.pk}/send/"
    client = client_for(tenant.manager)
    assert "audience is empty" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400 and "audience is empty" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_campaign_list_counts_with_bounded_queries(
    tenant: Tenant, programme: Programme, django_assert_max_num_queries: Any
) -> None:
    for n in range(25):
        campaign = _draft(programme, subject=f"Campaign {n}", created_by=tenant.manager.user)
        CampaignDelivery.objects.bulk_create(
            CampaignDelivery(campaign=campaign, email=f"p{i}@example.org") for i in range(n % 4)
        )
        for _ in range(n % 3):
            EnrolmentFactory(programme=programme, campaign=campaign, source="campaign")
    _draft(cast(Programme, ProgrammeFactory(organisation=tenant.organisation)), subject="Elsewhere")
    client = client_for(tenant.manager)
    url = f"{_base(tenant, programme)}/campaigns/"
    with django_assert_max_num_queries(10):
        response = client.get(url)
    body = response.content.decode()
    assert body.count("<tr>") == 26  # header and 25 campaigns
    assert "Elsewhere" not in body
    row = body.split("Campaign 11</a>", 1)[1].split("</tr>", 1)[0]
    assert "<td>3</td>" in row and "<td>2</td>" in row


# --- Ambassadors ------------------------------------------------------------------------


def test_manager_names_and_removes_an_ambassador(tenant: Tenant, programme: Programme) -> None:
    client = client_for(tenant.manager)
    url = f"{_base(tenant, programme)}/ambassadors/"
    response = client.post(url, {"email": tenant.participant.user.email}, follow=True)
    body = response.content.decode()
    ambassador = Ambassador.objects.get()
    assert f"{tenant.participant.user.name} is now an ambassador" in body
    assert f"?via={ambassador.link_token}" in body
    assert f'<label class="visually-hidden" for="ambassador-link-{ambassador.pk}">' in body
    EnrolmentFactory(programme=programme, ambassador=ambassador, source="ambassador")
    response = client.post(f"{url}{ambassador.pk}/remove/", follow=True)
    assert "is no longer an ambassador" in response.content.decode()
    assert Ambassador.objects.count() == 0
    assert Enrolment.objects.get().source == Enrolment.Source.AMBASSADOR


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the e-mail address of a member."),
        ("not-an-address", "Enter a valid email address."),
        ("stranger@example.org", "No member of Acme has this e-mail address."),
    ],
)
def test_ambassador_form_refuses_non_members_at_the_field(
    tenant: Tenant, programme: Programme, email: str, message: str
) -> None:
    response = client_for(tenant.manager).post(
        f"{_base(tenant, programme)}/ambassadors/", {"email": email}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and f'value="{email}"' in body or email == ""
    assert Ambassador.objects.count() == 0


def test_member_of_another_organisation_cannot_be_ambassador(
    tenant: Tenant, other_tenant: Tenant, programme: Programme
) -> None:
    response = client_for(tenant.owner).post(
        f"{_base(tenant, programme)}/ambassadors/", {"email": other_tenant.participant.user.email}
    )
    assert response.status_code == 400
    assert "No member of Acme has this e-mail address." in response.content.decode()
    assert Ambassador.objects.count() == 0


def test_ambassador_list_bounded_queries(
    tenant: Tenant, programme: Programme, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        member = cast(
            Membership, MembershipFactory(organisation=tenant.organisation, role=Role.PARTICIPANT)
        )
        ambassador = Ambassador.objects.create(
            programme=programme, user=member.user, link_token=secrets.token_urlsafe(32)
        )
        EnrolmentFactory(programme=programme, ambassador=ambassador, source="ambassador")
    programme.join_token = "fixed-token"
    programme.save(update_fields=["join_token"])
    client = client_for(tenant.manager)
    with django_assert_max_num_queries(10):
        response = client.get(f"{_base(tenant, programme)}/ambassadors/")
    assert response.content.decode().count("?via=") == 20


def test_ambassador_include_shows_the_members_links(tenant: Tenant, programme: Programme) -> None:
    from django.template.loader import render_to_string

    from openmentor.programmes.promotion.selectors import ambassador_links_for
    from openmentor.programmes.promotion.services import ambassador_add

    ambassador = ambassador_add(
        programme=programme, actor=tenant.manager, email=tenant.participant.user.email
    )
    html = render_to_string(
        "promotion/includes/my_ambassador_links.html",
        {"ambassador_links": ambassador_links_for(membership=tenant.participant)},
    )
    assert "Your link for Pathways" in html and f"?via={ambassador.link_token}" in html
    assert render_to_string("promotion/includes/my_ambassador_links.html", {}).strip() == ""


# --- Boundaries -------------------------------------------------------------------------


def test_objects_of_another_programme_are_404(tenant: Tenant, programme: Programme) -> None:
    other = cast(Programme, ProgrammeFactory(organisation=tenant.organisation))
    campaign = _draft(other)
    member = cast(Membership, MembershipFactory(organisation=tenant.organisation))
    ambassador = Ambassador.objects.create(
        programme=other, user=member.user, link_token=secrets.token_urlsafe(32)
    )
    client = client_for(tenant.owner)
    base = _base(tenant, programme)
    for suffix in ("", "edit/", "send/"):
        assert client.get(f"{base}/campaigns/{campaign.pk}/{suffix}").status_code == 404
        assert client.post(f"{base}/campaigns/{campaign.pk}/{suffix}").status_code == 404
    assert client.post(f"{base}/ambassadors/{ambassador.pk}/remove/").status_code == 404
    assert Ambassador.objects.filter(pk=ambassador.pk).exists()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_participant_is_refused(tenant: Tenant, programme: Programme) -> None:
    campaign = _draft(programme)
    client: Client = client_for(tenant.participant)
    base = _base(tenant, programme)
    for url in (
        f"{base}/campaigns/",
        f"{base}/campaigns/new/",
        f"{base}/campaigns/{campaign.pk}/",
        f"{base}/campaigns/{campaign.pk}/send/",
        f"{base}/ambassadors/",
    ):
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {**VALID, "email": tenant.participant.user.email}).status_code == 403
        )
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT
    assert Ambassador.objects.count() == 0 and mail.outbox == []


def test_enrolment_through_the_emailed_link_is_counted(
    tenant: Tenant, programme: Programme, django_capture_on_commit_callbacks: Capture
) -> None:
    """The whole loop with the real join flow: e-mail, link, enrolment, count."""
    manager = client_for(tenant.manager)
    base = _base(tenant, programme)
    campaign = _draft(programme)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"{base}/campaigns/{campaign.pk}/send/")
    email = next(m for m in mail.outbox if m.to == [tenant.participant.user.email])
    link = next(line for line in email.body.splitlines() if "/join/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    member = client_for(tenant.participant)
    response = member.get(f"/{path}", follow=True)
    assert response.status_code == 200
    enrol_url = response.redirect_chain[-1][0]
    assert f"via={campaign.link_token}" in enrol_url
    with django_capture_on_commit_callbacks(execute=True):
        member.post(enrol_url, {"role": "mentee", "via": campaign.link_token})
    enrolment = Enrolment.objects.get(programme=programme, user=tenant.participant.user)
    assert enrolment.campaign == campaign and enrolment.source == Enrolment.Source.CAMPAIGN
    listing = manager.get(f"{base}/campaigns/").content.decode()
    row = listing.split("Mentoring opens</a>", 1)[1].split("</tr>", 1)[0]
    assert "<td>3</td>" in row and "<td>1</td>" in row  # 3 sent, 1 enrolled
