"""The engine's peer-mode problem (docs/matching-format.md, *Peer mode*) for a peer
programme: everyone enrolled as "peer" is listed once; pairs are unordered.

problem.build_problem calls this for peer programmes with the people it has read, so the
blindness rules there (protected attributes only in ``protected``) hold here too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from openmentor.matching.models import MatchingPin, MatchingSettings
from openmentor.mentorships.models import OPEN_STATUSES, Mentorship, RematchRequest
from openmentor.people.models import Profile
from openmentor.programmes.models import Programme, Question


def peer_pair_counts(*, programme: Programme, user_ids: list[int]) -> dict[int, int]:
    """Open mentorships of each peer in this programme, on either side."""
    counts: dict[int, int] = {}
    for mentor, mentee in Mentorship.objects.filter(
        Q(mentor_id__in=user_ids) | Q(mentee_id__in=user_ids),
        programme=programme,
        status__in=OPEN_STATUSES,
    ).values_list("mentor_id", "mentee_id"):
        for user_id in (mentor, mentee):
            counts[user_id] = counts.get(user_id, 0) + 1
    return counts


def peer_problem(
    *,
    programme: Programme,
    match_settings: MatchingSettings,
    peers: list[dict[str, Any]],
    profiles: dict[int, Profile],
    busy: dict[int, int],
    names: dict[str, str],
    include_locks: bool,
    extra_forbidden: set[tuple[int, int]],
    questions: list[Question],
) -> Any:
    """``peers`` are the people as problem.build_problem reads a mentee (skills wanted,
    goals); this adds what each offers and their bio, and the capacity left: the
    programme's peers per person (``mentors_per_mentee``) less their open pairs."""
    from openmentor.matching.problem import BuiltProblem, engine_id, engine_settings, user_id_of

    listed: list[dict[str, Any]] = []
    for data in peers:
        user_id = user_id_of(data["id"])
        profile = profiles.get(user_id)
        if profile is not None:
            data["offers"] = list(profile.skills_offered)
            data["bio"] = profile.bio
        capacity = programme.mentors_per_mentee - busy.get(user_id, 0)
        listed.append(
            {k: v for k, v in data.items() if k != "wants"} | {"capacity": max(0, capacity)}
        )
    ids = {p["id"] for p in listed}
    for data in listed:
        if data.get("manager_id") not in ids:
            data.pop("manager_id", None)
    forbidden: set[tuple[str, str]] = set()

    def forbid(a: int, b: int) -> None:
        pair = tuple(sorted((engine_id(a), engine_id(b))))
        if pair[0] != pair[1] and {*pair} <= ids:
            forbidden.add((pair[0], pair[1]))

    # Never the same pair again, in either order; nor a partner a rematch request excludes.
    for a, b in Mentorship.objects.filter(programme=programme).values_list(
        "mentee_id", "mentor_id"
    ):
        forbid(a, b)
    for requester, partner in RematchRequest.objects.filter(
        programme=programme, status=RematchRequest.Status.OPEN
    ).values_list("requester_id", "excluded_partner_id"):
        if partner is not None:
            forbid(requester, partner)
    if match_settings.forbid_reporting_line:
        everyone = {user_id_of(x) for x in ids}
        reports_to = dict(
            Profile.objects.filter(organisation=programme.organisation)
            .exclude(reports_to=None)
            .values_list("user_id", "reports_to_id")
        )
        for user_id in everyone:
            boss = reports_to.get(user_id)
            for above in (boss, reports_to.get(boss) if boss else None):
                if above is not None:
                    forbid(user_id, above)
    for a, b in extra_forbidden:
        forbid(a, b)
    locked: set[tuple[str, str]] = set()
    pins = MatchingPin.objects.filter(programme=programme).values_list(
        "mentee_id", "mentor_id", "kind"
    )
    for a, b, kind in pins:
        pair = tuple(sorted((engine_id(a), engine_id(b))))
        if pair[0] == pair[1] or not {*pair} <= ids:
            continue
        if kind == MatchingPin.Kind.FORBID:
            forbidden.add((pair[0], pair[1]))
        elif include_locks:
            locked.add((pair[0], pair[1]))
    # A lock the pins cannot all honour (a peer locked past their capacity) keeps the first.
    room = {p["id"]: p["capacity"] for p in listed}
    kept: list[list[str]] = []
    for x, y in sorted(locked - forbidden):
        if room[x] > 0 and room[y] > 0:
            room[x] -= 1
            room[y] -= 1
            kept.append([x, y])
    data = {
        "version": 1,
        "mode": "peer",
        "peers": listed,
        "settings": engine_settings(programme, match_settings, questions),
        "locked_pairs": kept,
        "forbidden_pairs": sorted([list(p) for p in forbidden]),
    }
    snapshot = {"peers": {p["id"]: p["capacity"] for p in listed}}
    return BuiltProblem(data=data, snapshot=snapshot, names=names)
