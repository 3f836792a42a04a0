"""Promotion of a programme: campaign e-mails and ambassadors with tracked join links.

Writes (`<thing>_<action>`, one transaction each); the reads are in `selectors`.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass

import markdown
import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from openmentor.accounts.models import User
from openmentor.core.events import EventKind, event_record
from openmentor.organisations.models import Membership
from openmentor.programmes.models import (
    Ambassador,
    Campaign,
    Programme,
)
from openmentor.programmes.promotion import selectors
from openmentor.programmes.promotion.addresses import (  # noqa: F401 - part of this module's API
    MAX_PASTED_ADDRESSES,
    ParsedAddresses,
    pasted_addresses_parse,
)
from openmentor.programmes.promotion.selectors import campaign_recipients  # the send reads them

# What a campaign body may contain once rendered: text formatting and links, nothing that
# runs, loads remote content or restyles the mail client.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "a",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# [label](url "title") with one level of parentheses inside the URL, as Markdown allows.
_MARKDOWN_LINK = re.compile(
    r"!?\[([^\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_MARKDOWN_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?(\S+?)>?([ \t].*)?$", re.MULTILINE)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


# --- Links --------------------------------------------------------------------------------


def programme_join_token_ensure(*, programme: Programme) -> str:
    """The programme's join token, created once if it has none yet.

    A conditional update on the one column, so that two requests racing here (or the
    programmes service saving other fields) cannot overwrite each other's token.
    """
    if programme.join_token:
        return programme.join_token
    Programme.objects.filter(pk=programme.pk, join_token__isnull=True).update(
        join_token=secrets.token_urlsafe(32)
    )
    programme.join_token = Programme.objects.values_list("join_token", flat=True).get(
        pk=programme.pk
    )
    assert programme.join_token
    return programme.join_token


def tracked_join_url(*, programme: Programme, link_token: str) -> str:
    """Absolute join link that records where the person came from (`?via=`); makes the
    programme's join token if it has none yet (a campaign being sent, for instance)."""
    programme_join_token_ensure(programme=programme)
    return selectors.join_url(programme=programme, link_token=link_token)


# --- Rendering ----------------------------------------------------------------------------


def _safe_url(url: str) -> bool:
    match = _SCHEME.match(url)
    return match is None or match.group(1).lower() in ALLOWED_URL_SCHEMES


def markdown_to_safe_html(source: str) -> SafeString:
    """Markdown rendered, then sanitised: no scripts, handlers, styles or unsafe links."""
    rendered = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308  # sanitised by nh3 just above


def markdown_to_text(source: str) -> str:
    """A plain-text part from the Markdown source: links spelled out, raw HTML removed."""

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1).strip(), match.group(2).strip()
        if not url or not _safe_url(url):
            return label
        return f"{label} ({url})" if label and label != url else url

    def reference(match: re.Match[str]) -> str:
        return match.group(0) if _safe_url(match.group(1)) else ""

    text = _MARKDOWN_LINK.sub(link, source)
    text = _MARKDOWN_REFERENCE.sub(reference, text)
    # Strip raw HTML (scripts with their content) the way the HTML part does, then undo
    # the entity escaping that nh3 applies, since this part is not HTML.
    text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass(frozen=True)
class RenderedCampaign:
    subject: str
    html: SafeString
    text: str
    join_url: str
    programme_name: str
    organisation_name: str

    def email_context(self) -> dict[str, object]:
        return {
            "body_html": self.html,
            "body_text": self.text,
            "join_url": self.join_url,
            "programme_name": self.programme_name,
            "organisation_name": self.organisation_name,
        }


def campaign_render(*, campaign: Campaign) -> RenderedCampaign:
    """The e-mail exactly as recipients get it (the preview page shows this too)."""
    programme = campaign.programme
    return RenderedCampaign(
        subject=campaign.subject,
        html=markdown_to_safe_html(campaign.body_markdown),
        text=markdown_to_text(campaign.body_markdown),
        join_url=tracked_join_url(programme=programme, link_token=campaign.link_token),
        programme_name=programme.name,
        organisation_name=programme.organisation.name,
    )


# --- Services -----------------------------------------------------------------------------


def _require_manager(actor: Membership, programme: Programme) -> None:
    if not actor.is_manager or actor.organisation_id != programme.organisation_id:
        raise PermissionDenied


def _clean_campaign_fields(
    *, subject: str, body_markdown: str, audience: str, pasted_emails: str
) -> tuple[str, str, str]:
    """Checks the fields a campaign needs; returns subject, body and the address list."""
    errors: dict[str, list[str]] = {}
    subject = subject.strip()
    if not subject:
        errors["subject"] = ["Enter a subject."]
    elif "\n" in subject or "\r" in subject:
        errors["subject"] = ["The subject must be on one line."]
    elif len(subject) > 200:
        errors["subject"] = ["Keep the subject to 200 characters."]
    if not body_markdown.strip():
        errors["body_markdown"] = ["Write the message."]
    if audience not in Campaign.Audience.values:
        errors["audience"] = ["Choose who receives the campaign."]
    pasted = ""
    if audience == Campaign.Audience.PASTED:
        parsed = pasted_addresses_parse(pasted_emails)
        if parsed.errors:
            errors["pasted_emails"] = parsed.errors
        pasted = "\n".join(parsed.addresses)
    if errors:
        raise ValidationError(errors)
    return subject, body_markdown.strip(), pasted


@transaction.atomic
def campaign_create(
    *,
    programme: Programme,
    actor: Membership,
    subject: str,
    body_markdown: str,
    audience: str,
    pasted_emails: str = "",
) -> Campaign:
    """Creates a draft campaign with its own tracked link; nothing is sent yet."""
    _require_manager(actor, programme)
    subject, body_markdown, pasted = _clean_campaign_fields(
        subject=subject, body_markdown=body_markdown, audience=audience, pasted_emails=pasted_emails
    )
    programme_join_token_ensure(programme=programme)
    campaign = Campaign.objects.create(
        programme=programme,
        subject=subject,
        body_markdown=body_markdown,
        audience=audience,
        pasted_emails=pasted,
        link_token=secrets.token_urlsafe(32),
        created_by=actor.user,
    )
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.CAMPAIGN_CREATED,
        data={"programme": programme.pk, "campaign": campaign.pk},
    )
    return campaign


class CampaignAlreadySent(ValidationError):
    """The campaign is sending or sent: it cannot be changed or sent again."""

    def __init__(self, status: str) -> None:
        super().__init__("This campaign has already been sent; it cannot be changed or sent again.")
        self.status = status


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    actor: Membership,
    subject: str,
    body_markdown: str,
    audience: str,
    pasted_emails: str = "",
) -> Campaign:
    """Changes a draft campaign; a campaign that is sending or sent is refused."""
    _require_manager(actor, campaign.programme)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.DRAFT:
        raise CampaignAlreadySent(locked.status)
    subject, body_markdown, pasted = _clean_campaign_fields(
        subject=subject, body_markdown=body_markdown, audience=audience, pasted_emails=pasted_emails
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        subject=subject, body_markdown=body_markdown, audience=audience, pasted_emails=pasted
    )
    campaign.subject, campaign.body_markdown = subject, body_markdown
    campaign.audience, campaign.pasted_emails = audience, pasted
    return campaign


@transaction.atomic
def campaign_send(*, campaign: Campaign, actor: Membership) -> int:
    """Marks the campaign as sending and queues its delivery after commit.

    Returns the number of recipients. The status check runs on a locked row, so two
    clicks (or two managers) cannot queue the campaign twice.
    """
    from openmentor.programmes.promotion.tasks import campaign_deliver

    programme = campaign.programme
    _require_manager(actor, programme)
    from openmentor.programmes.services.lifecycle import programme_require

    programme_require(programme, "promote")
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.DRAFT:
        raise CampaignAlreadySent(locked.status)
    locked.programme = programme
    recipients = campaign_recipients(campaign=locked)
    if not recipients:
        raise ValidationError("Nobody would receive this campaign: its audience is empty.")
    programme_join_token_ensure(programme=programme)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SENDING)
    campaign.status = Campaign.Status.SENDING
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.CAMPAIGN_QUEUED,
        data={"campaign": campaign.pk, "recipients": len(recipients)},
    )
    campaign_id = campaign.pk
    transaction.on_commit(lambda: campaign_deliver.enqueue(campaign_id=campaign_id))
    return len(recipients)


def campaign_mark_sent(*, campaign: Campaign, delivered: int) -> None:
    """Called by the delivery task once every address has a delivery row."""
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT, sent_at=timezone.now()
        )
        if updated:
            event_record(
                organisation=campaign.programme.organisation,
                kind=EventKind.CAMPAIGN_SENT,
                data={"campaign": campaign.pk, "delivered": delivered},
            )


def ambassador_add(*, programme: Programme, actor: Membership, email: str) -> Ambassador:
    """Names a member of the programme's organisation as an ambassador with their own link."""
    _require_manager(actor, programme)
    user = (
        User.objects.filter(
            email__iexact=email.strip(), memberships__organisation_id=programme.organisation_id
        )
        .distinct()
        .first()
    )
    if user is None:
        raise ValidationError(
            {"email": f"No member of {programme.organisation.name} has this e-mail address."}
        )
    try:
        with transaction.atomic():
            programme_join_token_ensure(programme=programme)
            ambassador = Ambassador.objects.create(
                programme=programme, user=user, link_token=secrets.token_urlsafe(32)
            )
            event_record(
                organisation=programme.organisation,
                actor=actor.user,
                kind=EventKind.AMBASSADOR_ADDED,
                data={"programme": programme.pk, "user": user.pk},
            )
    except IntegrityError as error:
        raise ValidationError(
            {"email": f"{user.name} is already an ambassador of {programme.name}."}
        ) from error
    return ambassador


@transaction.atomic
def ambassador_remove(*, ambassador: Ambassador, actor: Membership) -> None:
    """Removes the ambassador; their link stops counting, past enrolments keep their source."""
    programme = ambassador.programme
    _require_manager(actor, programme)
    event_record(
        organisation=programme.organisation,
        actor=actor.user,
        kind=EventKind.AMBASSADOR_REMOVED,
        data={"programme": programme.pk, "user": ambassador.user_id},
    )
    ambassador.delete()
