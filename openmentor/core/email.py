"""Outgoing e-mail: rendered from templates, sent by the task queue after commit.

Tests swap the delivery through EMAIL_BACKEND (locmem); operators configure SMTP.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from openmentor.core.tasks import email_deliver


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template without HTML escaping: "O'Brien & Co" stays as typed."""
    template = get_template(template_name)
    inner = getattr(template, "template", None)  # the Django backend's own Template
    if inner is None:
        return render_to_string(template_name, context)
    return str(inner.render(Context(context, autoescape=False)))


def email_send(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Renders `<template>.txt` (and `.html` if present) and queues delivery on commit.

    The subject is folded onto one line: names typed by people end up in it, and a line
    break in a header would make the whole e-mail fail.
    """
    full_context = {"site_url": settings.SITE_URL, **context}
    text = render_text(f"{template}.txt", full_context)
    try:
        html: str | None = render_to_string(f"{template}.html", full_context)
    except TemplateDoesNotExist:  # the HTML part is optional
        html = None
    payload = [
        {
            "filename": a.filename,
            "content_b64": base64.b64encode(a.content).decode(),
            "mimetype": a.mimetype,
        }
        for a in attachments or []
    ]
    transaction.on_commit(
        lambda: email_deliver.enqueue(
            to=to,
            subject=" ".join(subject.split()),
            text=text,
            html=html,
            attachments=payload,
            headers=headers or {},
        )
    )
