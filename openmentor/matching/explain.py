""" "Why this match" in plain words, from the engine's reasons.

The engine (docs/matching-format.md, *Result additions*) gives each match a list of reasons,
``{"factor", "contribution", "detail"}``, one per weighted factor plus ``languages``. Its
details are terse and written for an operator ("shares python, sql", "3 h a week overlap in
both your mornings"); this module turns the strongest of them into sentences a mentee or a
mentor reads on a profile card, in the proposal and in the introduction e-mail.

Shared by manager-run matching and mentee choice, so it depends on nothing but the reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from openmentor.matching.engine import EmbeddingUnavailable, ProblemError

# A factor must add at least this much to the score to be called a reason: a pair that
# shares nothing on a factor should not be told it does.
MIN_CONTRIBUTION = 0.01
MAX_LINES = 4

_SKILLS_SHARED = re.compile(r"shares (?P<skills>[^;]+)")
_SKILLS_RELATED = re.compile(r"related: (?P<skills>.+)$")
_OVERLAP = re.compile(r"^(?P<amount>.+?) a week overlap(?: in (?P<when>.+))?$")
_HOURS = re.compile(r"^(?:(?P<h>\d+) h)?\s*(?:(?P<m>\d+) min)?$")
# What the programme calls its mentor and mentee (programmes/roles.py has them per kind).
Words = tuple[str, str]
ONE_TO_ONE_WORDS: Words = ("mentor", "mentee")
_SENIORITY = re.compile(r"mentor (?P<years>[\d.]+) years (?P<way>ahead|junior)")
_ANSWERED = re.compile(r"^(?P<key>[^:]+): both answered (?P<values>.+)$")
_GOALS = re.compile(r"similar in meaning")


def _and_list(items: list[str]) -> str:
    items = [i.strip() for i in items if i.strip()]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _split_engine_list(text: str) -> list[str]:
    """The engine joins lists with commas and ends a long one with "and N more"."""
    text = text.strip()
    more = ""
    match = re.search(r" and (\d+ more)$", text)
    if match:
        more = match.group(1)
        text = text[: match.start()]
    items = [part.strip() for part in text.split(",") if part.strip()]
    if more:
        items.append(more)
    return items


def _minutes(amount: str) -> int | None:
    match = _HOURS.match(amount.strip())
    if not match or not (match.group("h") or match.group("m")):
        return None
    return int(match.group("h") or 0) * 60 + int(match.group("m") or 0)


def _about_hours(minutes: int) -> str:
    """Rounded the way people speak: "about 3 hours", "about half an hour"."""
    if minutes < 45:
        return f"about {max(minutes, 5) // 5 * 5} minutes"
    if minutes < 75:
        return "about an hour"
    hours = round(minutes / 60 * 2) / 2
    text = f"{hours:g}".replace(".5", "½")
    return f"about {text} hours"


# Who the sentences speak to: the pair themselves ("You both work on …"), or a manager
# reading about the pair ("They both work on …": viewer_role="manager").
_TO_THE_PAIR = {"both": "You both", "are": "you are", "of": "your", "Your": "Your", "gave": "You"}
_ABOUT_THE_PAIR = {
    "both": "They both",
    "are": "they are",
    "of": "their",
    "Your": "Their",
    "gave": "They",
}


def _voice(viewer_role: str | None) -> dict[str, str]:
    return _ABOUT_THE_PAIR if viewer_role == "manager" else _TO_THE_PAIR


def _when(
    when: str | None, viewer_role: str | None, viewer_timezone: str | None, words: Words
) -> str:
    """The engine names the part of day in each person's own local time."""
    if not when:
        return ""
    local = f" ({viewer_timezone} time)" if viewer_timezone else ""
    both = re.match(r"both your (\w+)$", when)
    if both:
        return f", in both of {_voice(viewer_role)['of']} {both.group(1)}"
    split = re.match(r"the mentee's (\w+) and the mentor's (\w+)$", when)
    if split:
        mentee_part, mentor_part = split.group(1), split.group(2)
        mentor, mentee = words
        if viewer_role == "mentee":
            return f", in your {mentee_part}{local} and your {mentor}'s {mentor_part}"
        if viewer_role == "mentor":
            return f", in your {mentor_part}{local} and your {mentee}'s {mentee_part}"
        return f", in the {mentee}'s {mentee_part} and the {mentor}'s {mentor_part}"
    return ""


def _line(
    reason: Mapping[str, Any],
    *,
    viewer_role: str | None,
    viewer_timezone: str | None,
    question_labels: Mapping[str, str],
    words: Words,
) -> str | None:
    factor = str(reason.get("factor", ""))
    mentor, mentee = words
    detail = str(reason.get("detail", ""))
    voice = _voice(viewer_role)
    if factor == "skills":
        parts = []
        shared = _SKILLS_SHARED.search(detail)
        if shared:
            parts.append(_and_list(_split_engine_list(shared.group("skills"))))
        related = _SKILLS_RELATED.search(detail)
        if related:
            # "sql (via postgres)" reads fine as it is.
            parts.append("related skills: " + _and_list(_split_engine_list(related.group(1))))
        if not parts:
            return None
        return f"{voice['both']} work on " + "; ".join(parts)
    if factor == "availability":
        match = _OVERLAP.match(detail)
        minutes = _minutes(match.group("amount")) if match else None
        if not match or not minutes:
            return None
        when = _when(match.group("when"), viewer_role, viewer_timezone, words)
        return f"{_about_hours(minutes).capitalize()} a week when {voice['are']} both free{when}"
    if factor == "languages":
        if detail.startswith("both speak "):
            return f"{voice['both']} speak " + detail.removeprefix("both speak ")
        return None
    if factor == "goals":
        if not _GOALS.search(detail):
            return None
        if mentor == mentee:  # peers: each is both
            return "What one of you wants to achieve is close to what the other can help with"
        return f"What the {mentee} wants to achieve is close to what the {mentor} can help with"
    if factor == "bio":
        backgrounds = f"{voice['Your']} backgrounds are close in meaning"
        return backgrounds if _GOALS.search(detail) else None
    if factor == "seniority":
        match = _SENIORITY.search(detail)
        if not match:
            return None
        years = float(match.group("years"))
        plural = "s" if years != 1 else ""
        if match.group("way") == "junior":  # reverse mentoring: the junior person mentors
            return f"The {mentor} is {years:g} year{plural} earlier in their career"
        return f"The {mentor} is {years:g} year{plural} further in their career"
    if factor.startswith("answers."):
        match = _ANSWERED.match(detail)
        if not match:
            return None
        key = factor.split(".", 1)[1]
        label = question_labels.get(key)
        values = _and_list(_split_engine_list(match.group("values")))
        if label:
            return f"{voice['gave']} gave the same answer to “{label}”: {values}"
        return f"{voice['gave']} gave the same questionnaire answer: {values}"
    if factor == "given":
        return None
    return None


def why_lines(
    reasons: Iterable[Mapping[str, Any]] | None,
    *,
    viewer_timezone: str | None = None,
    viewer_role: str | None = None,
    question_labels: Mapping[str, str] | None = None,
    limit: int = MAX_LINES,
    words: Words = ONE_TO_ONE_WORDS,
) -> list[str]:
    """The strongest reasons of a match as up to `limit` plain sentences, strongest first.

    `reasons` is the engine's list (a match's, a recommendation's, or Mentorship.match_reasons).
    Factors that added nothing are left out; a shared language comes last because it is a rule
    the pair passed, not a score. `viewer_role` ("mentee" or "mentor") lets the sentence about
    free time say "your mornings" to the right person; `viewer_timezone` names their local time.
    `viewer_role="manager"` speaks about the pair instead ("They both work on …").
    `question_labels` maps question keys ("q12") to the question's text. `words` are what
    the programme calls its mentor and mentee (reverse mentoring's "junior mentor",
    "senior mentee"; in a peer programme both are "peer").
    """
    labels = question_labels or {}
    ranked: list[tuple[float, str]] = []
    language: str | None = None
    seen: set[str] = set()
    for reason in reasons or ():
        if not isinstance(reason, Mapping):
            continue
        factor = str(reason.get("factor", ""))
        try:
            contribution = float(reason.get("contribution") or 0.0)
        except (TypeError, ValueError):
            continue
        line = _line(
            reason,
            viewer_role=viewer_role,
            viewer_timezone=viewer_timezone,
            question_labels=labels,
            words=words,
        )
        if line is None or line in seen:
            continue
        seen.add(line)
        if factor == "languages":
            language = line
        elif contribution >= MIN_CONTRIBUTION:
            ranked.append((contribution, line))
    ranked.sort(key=lambda pair: -pair[0])
    lines = [line for _, line in ranked]
    if language:
        lines = lines[: max(limit - 1, 0)] + [language]
    return lines[:limit]


def unmatched_line(reason: str) -> str:
    """The engine's reason a mentee was left unmatched, as a sentence for a manager."""
    text = reason.strip()
    replacements = (
        (
            r"^no mentor shares a language \(speaks: (.+)\)$",
            r"No mentor speaks their languages (\1).",
        ),
        (
            r"^no mentor within (.+) of their timezone \((.+)\)$",
            r"No mentor lives within \1 of their timezone (\2).",
        ),
        (
            r"^no mentor has (\d+) min a week of common free time$",
            r"No mentor shares at least \1 minutes a week of free time with them.",
        ),
        (
            r"^every remaining mentor is in their own department \((.+)\)$",
            r"Every remaining mentor works in their own department (\1).",
        ),
        (
            r"^every remaining mentor is in their reporting line$",
            "Every remaining mentor is in their reporting line.",
        ),
        (
            r"^every remaining mentor is a forbidden pair$",
            "Every remaining mentor was forbidden for them (by a manager or a past mentorship).",
        ),
        (
            r"^all candidates below the minimum score (.+)$",
            r"Every possible mentor scores below the minimum score (\1).",
        ),
        (
            r"^capacity exhausted: all (\d+) eligible mentors are full$",
            r"All \1 mentors who would suit them are already full.",
        ),
        (r"^there are no mentors$", "There are no mentors with room in this programme."),
    )
    for pattern, replacement in replacements:
        if re.match(pattern, text):
            return re.sub(pattern, replacement, text)
    if text.startswith("only "):
        return text[0].upper() + text[1:] + "."
    return (text[:1].upper() + text[1:] + ".") if text else "No reason given."


def engine_error_text(error: Exception) -> str:
    if isinstance(error, EmbeddingUnavailable):
        return (
            "The language model that compares goals and bios could not be loaded on this "
            "server. Set the goals and bio weights to 0 to match without it, or ask your "
            "administrator to install it."
        )
    if isinstance(error, ProblemError):
        lines = error.errors[:5]
        return "The programme's data could not be matched: " + "; ".join(lines)
    return "Matching failed because of an unexpected error. Please try again."
