"""Reads for tracking: relationship health of a programme's mentorships, in a fixed
number of queries whatever their number (the facts come from the activity record; the
rules are tracking.health)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, TextField
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from openmentor.core.sqltime import RawMoment, moment
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.programmes.models import Programme
from openmentor.tracking.health import LABELS, ORDER, Facts, Health, State, assess
from openmentor.tracking.models import TrackingSettings

# How far back recent signals reach (meetings, ratings, check-in answers): health is how
# the pair is doing now. The last meeting ever held is read apart, with no limit.
LOOKBACK = dt.timedelta(weeks=12)
REPLY_LOOKBACK = dt.timedelta(days=60)
DETAIL_KINDS = (
    Activity.Kind.MEETING_HELD,
    Activity.Kind.MEETING_MISSED,
    Activity.Kind.FEEDBACK_GIVEN,
    Activity.Kind.CHECKIN_ANSWERED,
)
# The keys of an activity's data the rules read (a shared rating, a pairing-fit answer).
DETAIL_DATA = ("rating", "moment", "survey", "fit")


def _detail(values: list[object]) -> dict[str, object]:
    """The DETAIL_DATA values as the rules read them. A number comes back as a number
    from SQLite and as text from PostgreSQL's ->>; the rating is an int either way."""
    found = {name: value for name, value in zip(DETAIL_DATA, values, strict=True) if value}
    rating = found.get("rating")
    if isinstance(rating, str):
        found["rating"] = int(rating) if rating.isdigit() else None
    return found


@dataclass(frozen=True)
class Pair:
    """The few columns of a mentorship that health and its list need (no model objects:
    building 10,000 of them, with their two people, costs more than the rules)."""

    pk: int
    status: str
    started_at: dt.datetime
    agreed_cadence_weeks: int
    mentor_id: int
    mentee_id: int | None  # None for a circle (its mentor is its lead mentor)
    mentor_name: str = ""
    mentee_name: str = ""


@dataclass(frozen=True)
class HealthRow:
    mentorship: Pair
    health: Health


@dataclass(frozen=True)
class ProgrammeHealth:
    rows: list[HealthRow]
    counts: dict[str, int]

    def of(self, state: State) -> list[HealthRow]:
        return [row for row in self.rows if row.health.state == state]

    @property
    def at_risk(self) -> list[HealthRow]:
        return self.of(State.AT_RISK)

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        return [(str(s), LABELS[s], self.counts.get(str(s), 0)) for s in ORDER]


def _name(display_name: str, first_name: str, last_name: str, email: str) -> str:
    # As User.name, from columns rather than an object.
    return display_name or f"{first_name} {last_name}".strip() or email


def tracking_settings_for(programme: Programme) -> TrackingSettings:
    """The programme's settings row, or an unsaved one holding the defaults."""
    found = TrackingSettings.objects.filter(programme=programme).first()
    return found if found is not None else TrackingSettings(programme=programme)


def facts_for(
    mentorships: list[Pair], *, programme_ids: list[int], now: dt.datetime
) -> dict[int, Facts]:
    """Facts for each mentorship, from three queries on the activity record."""
    ids = {m.pk for m in mentorships}
    # Moments are read raw and parsed by `moment` (core.sqltime): Django's SQLite
    # converter costs more than the rules do over 10,000 mentorships.
    last_held = {
        pk: moment(last)
        for pk, last in Activity.objects.filter(
            programme_id__in=programme_ids, kind=Activity.Kind.MEETING_HELD
        )
        .values("mentorship_id")
        .annotate(last=Max("occurred_at", output_field=TextField()))
        .order_by()
        .values_list("mentorship_id", "last")
    }
    Event = tuple[str, int | None, dt.datetime, dict[str, object]]
    detail: dict[int, list[Event]] = defaultdict(list)
    # Messages only need who wrote and when (no JSON to decode), over the reply window.
    messages = (
        Activity.objects.filter(
            programme_id__in=programme_ids,
            kind=Activity.Kind.MESSAGE_SENT,
            occurred_at__gte=now - REPLY_LOOKBACK,
            occurred_at__lte=now,
        )
        .order_by()
        .values_list("mentorship_id", "actor_id", RawMoment("occurred_at"))
    )
    for pk, actor_id, at in messages.iterator(chunk_size=10000):
        if pk in ids:
            detail[pk].append((Activity.Kind.MESSAGE_SENT, actor_id, moment(at), {}))
    rows = (
        Activity.objects.filter(
            programme_id__in=programme_ids,
            kind__in=DETAIL_KINDS,
            occurred_at__gte=now - LOOKBACK,
            occurred_at__lte=now,
        )
        .order_by()
        # Only the facts the rules read, taken out of the JSON by the database.
        .values_list(
            "mentorship_id",
            "kind",
            "actor_id",
            RawMoment("occurred_at"),
            *(KeyTextTransform(name, "data") for name in DETAIL_DATA),
        )
    )
    for pk, kind, actor_id, at, *data in rows.iterator(chunk_size=10000):
        if pk in ids:
            detail[pk].append((kind, actor_id, moment(at), _detail(data)))
    for events in detail.values():
        events.sort(key=lambda event: event[2])
    facts: dict[int, Facts] = {}
    for m in mentorships:
        cadence = dt.timedelta(weeks=max(1, m.agreed_cadence_weeks))
        recent_from = now - cadence * 3
        reply_from = now - REPLY_LOOKBACK
        held_recent = 0
        outcomes: list[bool] = []
        ratings: dict[str, list[int]] = defaultdict(list)
        fit: dict[str, str] = {}
        waits: list[float] = []
        previous: tuple[int | None, dt.datetime] | None = None
        for kind, actor_id, at, data in detail.get(m.pk, []):
            role = "mentor" if actor_id == m.mentor_id else "mentee"
            if kind == Activity.Kind.MEETING_HELD:
                outcomes.append(True)
                held_recent += 1 if at >= recent_from else 0
            elif kind == Activity.Kind.MEETING_MISSED:
                outcomes.append(False)
            elif kind == Activity.Kind.FEEDBACK_GIVEN:
                # Only ratings their author shared carry a value in the record.
                rating = data.get("rating") if isinstance(data, dict) else None
                if isinstance(rating, int) and data.get("moment") == "meeting":
                    ratings[role].append(rating)
            elif kind == Activity.Kind.CHECKIN_ANSWERED:
                if isinstance(data, dict) and data.get("survey") == "pairing_fit":
                    fit[role] = str(data.get("fit", ""))
            elif kind == Activity.Kind.MESSAGE_SENT:
                if previous is not None and previous[0] != actor_id and at >= reply_from:
                    waits.append((at - previous[1]).total_seconds())
                previous = (actor_id, at)
        facts[m.pk] = Facts(
            now=now,
            status=m.status,
            started_at=m.started_at,
            cadence_weeks=m.agreed_cadence_weeks,
            last_held=last_held.get(m.pk),
            held_recent=held_recent,
            outcomes=tuple(outcomes),
            ratings={role: tuple(values) for role, values in ratings.items()},
            not_working=tuple(role for role, answer in sorted(fit.items()) if answer == "no"),
            reply_days=(sum(waits) / len(waits) / 86400) if len(waits) >= 2 else None,
        )
    return facts


def programme_health(*, programme: Programme, now: dt.datetime | None = None) -> ProgrammeHealth:
    """Health of every open mentorship of the programme, the ones at risk first.

    Four queries whatever the number of mentorships or of their activities.
    """
    now = now or timezone.now()
    columns = ("display_name", "first_name", "last_name", "email")
    rows_of_pairs = (
        Mentorship.objects.filter(programme=programme)
        .exclude(status=Mentorship.Status.ENDED)
        .values_list(
            "pk",
            "status",
            RawMoment("started_at"),
            RawMoment("created_at"),
            "agreed_cadence_weeks",
            "mentor_id",
            "mentee_id",
            *(f"{side}__{column}" for side in ("mentor", "mentee") for column in columns),
            "topic",
        )
    )
    mentorships = [
        Pair(
            pk=row[0],
            status=row[1],
            started_at=moment(row[2] or row[3]),
            agreed_cadence_weeks=row[4],
            mentor_id=row[5],
            mentee_id=row[6],
            mentor_name=_name(*row[7:11]),
            # "Ann and the Public speaking circle" reads right in the health list.
            mentee_name=_name(*row[11:15]) if row[6] is not None else f"the {row[15]} circle",
        )
        for row in rows_of_pairs
    ]
    facts = facts_for(mentorships, programme_ids=[programme.pk], now=now)
    rows = [HealthRow(mentorship=m, health=assess(facts[m.pk])) for m in mentorships]
    rank = {state: index for index, state in enumerate(ORDER)}
    rows.sort(key=lambda r: (rank[r.health.state], r.mentorship.mentee_name, r.mentorship.pk))
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[str(row.health.state)] += 1
    return ProgrammeHealth(rows=rows, counts=dict(counts))


# --- the nudge ladder -------------------------------------------------------------------


@dataclass(frozen=True)
class LadderAction:
    """What the ladder does next for one mentorship: nudge (step 1–3), warn, or close."""

    mentorship_id: int
    action: str  # "nudge" | "warn" | "close"
    step: int
    spell_start: dt.datetime


SPELL_KINDS = (Activity.Kind.MEETING_HELD, Activity.Kind.KEPT_OPEN)


def spell_starts(mentorships: list[Mentorship]) -> dict[int, dt.datetime]:
    """When each mentorship's current quiet spell began: its last meeting held, its
    keeping open after a warning, or its start, whichever is latest. One query."""
    last = dict(
        Activity.objects.filter(mentorship__in=[m.pk for m in mentorships], kind__in=SPELL_KINDS)
        .values("mentorship_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
        .values_list("mentorship_id", "last")
    )
    starts = {}
    for m in mentorships:
        begun = m.started_at or m.created_at
        found = last.get(m.pk)
        starts[m.pk] = max(begun, found) if found is not None else begun
    return starts


def ladder_due(*, now: dt.datetime) -> list[LadderAction]:
    """Every step of the ladder due at `now`, across all organisations, in six queries.

    Skipped: mentorships not active, those with a meeting booked ahead, and those whose
    mentor is away. A step is due when someone it is meant for has not had it in this
    quiet spell; only the highest step due is sent (nobody gets three at once).
    """
    from openmentor.meetings.models import Meeting
    from openmentor.people.models import Profile
    from openmentor.tracking.models import ClosureWarning, Nudge

    mentorships = list(
        Mentorship.objects.filter(status=Mentorship.Status.ACTIVE)
        .exclude(programme__status=Programme.Status.CLOSED)
        .select_related("programme__tracking_settings")
    )
    if not mentorships:
        return []
    starts = spell_starts(mentorships)
    booked = set(
        Meeting.objects.filter(
            status=Meeting.Status.ACCEPTED,
            starts_at__gt=now,
            mentorship__status=Mentorship.Status.ACTIVE,
        ).values_list("mentorship_id", flat=True)
    )
    away = set(
        Profile.objects.filter(away_until__gte=now.date()).values_list("organisation_id", "user_id")
    )
    sent = set(
        Nudge.objects.filter(
            mentorship__status=Mentorship.Status.ACTIVE, audience=Nudge.Audience.MEMBER
        ).values_list("mentorship_id", "user_id", "step", "spell_start")
    )
    warnings = {
        (w.mentorship_id, w.spell_start): w
        for w in ClosureWarning.objects.filter(mentorship__status=Mentorship.Status.ACTIVE)
    }
    due: list[LadderAction] = []
    for m in mentorships:
        if m.pk in booked or (m.programme.organisation_id, m.mentor_id) in away:
            continue
        rules = getattr(m.programme, "tracking_settings", None) or TrackingSettings()
        spell = starts[m.pk]
        quiet = now - spell
        warning = warnings.get((m.pk, spell))
        if warning is not None:
            if warning.cancelled_at is None and warning.closed_at is None:
                if warning.closes_at <= now:
                    due.append(LadderAction(m.pk, "close", 0, spell))
                continue
        elif rules.close_after_days and quiet >= dt.timedelta(
            days=rules.close_after_days - rules.warning_days
        ):
            due.append(LadderAction(m.pk, "warn", 0, spell))
            continue
        cadence = dt.timedelta(weeks=max(1, m.agreed_cadence_weeks))
        factors = (
            rules.first_nudge_factor,
            rules.second_nudge_factor,
            rules.third_nudge_factor,
        )
        step = max(
            (n for n, factor in enumerate(factors, 1) if quiet >= cadence * float(factor)),
            default=0,
        )
        if step and any((m.pk, uid, step, spell) not in sent for uid in m.member_ids()):
            due.append(LadderAction(m.pk, "nudge", step, spell))
    return due
