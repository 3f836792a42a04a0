"""Sending chat messages (django-tasks) and the managers' weekly summary."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from openmentor.core.scheduler import periodic

# Mondays at 08:00 UTC.
SUMMARY_WEEKDAY = 0
SUMMARY_HOUR = 8


@task()
def chat_deliver(*, message_id: int, link: str) -> None:
    from openmentor.chat.services import chat_message_send

    chat_message_send(message_id=message_id, link=link)


@periodic("chat.weekly_summary")
def chat_weekly_summary(minute: dt.datetime) -> None:
    if (minute.weekday(), minute.hour, minute.minute) != (SUMMARY_WEEKDAY, SUMMARY_HOUR, 0):
        return
    from openmentor.chat.summary import weekly_summaries_send

    weekly_summaries_send(now=minute)
