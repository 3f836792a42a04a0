"""Signals the mentorships app sends to the apps above it, which it does not import."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `mentorship_end` inside its transaction, once the mentorship is saved as ended,
# with `mentorship` and `actor`. Receivers run in that transaction, so a receiver that
# fails undoes the ending too. The meetings app cancels the upcoming meetings, the events
# app a circle's events still to come. Also sent by the circle and automatic endings.
mentorship_ended = Signal()
# Sent by `circle_leave` inside its transaction, once `user` has left `circle` (by
# themselves, removed by a manager, or deprovisioned). The events app takes them out of
# the circle's events still to come.
circle_member_left = Signal()
