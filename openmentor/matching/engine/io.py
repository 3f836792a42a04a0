"""Load and validate the JSON problem (collecting every error with its JSON path) and
serialise results deterministically."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .model import (
    DAYS,
    FACTORS,
    Person,
    Problem,
    Question,
    Rules,
    Settings,
    Slot,
)

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_ZONES: frozenset[str] | None = None


class ProblemError(ValueError):
    """Invalid input; ``errors`` holds one ``path: message`` line per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def valid_timezone(name: str) -> bool:
    if name in _zones():
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class _Reader:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, path: str, msg: str) -> None:
        self.errors.append(f"{path}: {msg}")

    def obj(self, v: Any, path: str, keys: Sequence[str]) -> Mapping[str, Any] | None:
        if not isinstance(v, dict):
            self.err(path, "must be an object")
            return None
        for k in sorted(set(v) - set(keys)):
            self.err(f"{path}.{k}" if path else k, "unknown key")
        return v

    def string(self, v: Any, path: str) -> str | None:
        if not isinstance(v, str):
            self.err(path, "must be a string")
            return None
        return v

    def opt_string(self, v: Any, path: str) -> str | None:
        return None if v is None else self.string(v, path)

    def integer(self, v: Any, path: str, minimum: int) -> int | None:
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(path, "must be an integer")
            return None
        if v < minimum:
            self.err(path, f"must be at least {minimum}")
            return None
        return int(v)

    def number(
        self, v: Any, path: str, lo: float | None = None, hi: float | None = None
    ) -> float | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            self.err(path, "must be a number")
            return None
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            self.err(path, f"must be {rng}")
            return None
        return float(v)

    def boolean(self, v: Any, path: str) -> bool | None:
        if not isinstance(v, bool):
            self.err(path, "must be true or false")
            return None
        return v

    def strings(self, v: Any, path: str) -> tuple[str, ...]:
        if not isinstance(v, list):
            self.err(path, "must be a list of strings")
            return ()
        out = []
        for i, x in enumerate(v):
            s = self.string(x, f"{path}[{i}]")
            if s is not None:
                out.append(s)
        return tuple(out)

    def array(self, v: Any, path: str) -> list[Any]:
        if not isinstance(v, list):
            self.err(path, "must be a list")
            return []
        return v


_PERSON_KEYS = (
    "id", "capacity", "wants", "skills", "goals", "bio", "languages", "timezone",
    "availability", "department", "manager_id", "seniority", "protected", "answers", "name",
    "offers",
)  # fmt: skip


def skill_set(r: _Reader, v: Any, path: str) -> tuple[str, ...]:
    return tuple(sorted({s.strip().lower() for s in r.strings(v, path)} - {""}))


def _person(r: _Reader, v: Any, path: str, mentor: bool, peer: bool = False) -> Person | None:
    n_err = len(r.errors)
    d = r.obj(v, path, _PERSON_KEYS)
    if d is None:
        return None
    pid = r.string(d.get("id"), f"{path}.id") if "id" in d else None
    if "id" not in d:
        r.err(f"{path}.id", "is required")
    kw: dict[str, Any] = {}
    if "capacity" in d:
        if not mentor:
            r.err(f"{path}.capacity", "only mentors have a capacity")
        else:
            kw["capacity"] = r.integer(d["capacity"], f"{path}.capacity", 0)
    if "wants" in d:
        if mentor:
            r.err(f"{path}.wants", "only mentees have wants")
        else:
            kw["wants"] = r.integer(d["wants"], f"{path}.wants", 1)
    if "skills" in d:
        kw["skills"] = skill_set(r, d["skills"], f"{path}.skills")
    if "offers" in d:
        if not peer:
            r.err(f"{path}.offers", "only peers have offers (mentors list skills)")
        else:
            kw["offers"] = skill_set(r, d["offers"], f"{path}.offers")
    for k in ("goals", "bio"):
        if k in d:
            kw[k] = r.opt_string(d[k], f"{path}.{k}") or ""
    if "languages" in d:
        langs = r.strings(d["languages"], f"{path}.languages")
        for i, tag in enumerate(langs):
            if not _LANG.match(tag):
                r.err(f"{path}.languages[{i}]", f"not a BCP 47 language tag {tag!r}")
        kw["languages"] = langs
    if "timezone" in d and d["timezone"] is not None:
        tz = r.string(d["timezone"], f"{path}.timezone")
        if tz is not None and not valid_timezone(tz):
            r.err(f"{path}.timezone", f"unknown timezone {tz!r}")
        kw["timezone"] = tz
    if "availability" in d:
        slots = []
        for i, s in enumerate(r.array(d["availability"], f"{path}.availability")):
            p = f"{path}.availability[{i}]"
            sd = r.obj(s, p, ("day", "start", "end"))
            if sd is None:
                continue
            day = sd.get("day")
            if day not in DAYS:
                r.err(f"{p}.day", f"must be one of {', '.join(DAYS)}")
                continue
            times = []
            for k in ("start", "end"):
                t = sd.get(k)
                m = _TIME.match(t) if isinstance(t, str) else None
                if m is None or (m.group(1) == "24" and m.group(2) != "00"):
                    r.err(f"{p}.{k}", "must be a time HH:MM")
                else:
                    times.append(int(m.group(1)) * 60 + int(m.group(2)))
            if len(times) == 2:
                if times[0] >= times[1] or times[0] == 1440:
                    r.err(p, "start must be before end")
                else:
                    slots.append(Slot(DAYS.index(day), times[0], times[1]))
        kw["availability"] = tuple(sorted(set(slots), key=lambda s: (s.day, s.start, s.end)))
    for k in ("department", "manager_id"):
        if k in d:
            kw[k] = r.opt_string(d[k], f"{path}.{k}")
    if "seniority" in d and d["seniority"] is not None:
        kw["seniority"] = r.number(d["seniority"], f"{path}.seniority", 0.0)
    if "protected" in d:
        pr = r.obj(
            d["protected"],
            f"{path}.protected",
            list(d["protected"]) if isinstance(d["protected"], dict) else [],
        )
        if pr is not None:
            items = []
            for k2, v2 in pr.items():
                if r.string(v2, f"{path}.protected.{k2}") is not None:
                    items.append((k2, v2))
            kw["protected"] = tuple(sorted(items))
    if "answers" in d:
        an = d["answers"]
        if not isinstance(an, dict):
            r.err(f"{path}.answers", "must be an object")
        else:
            items2: list[tuple[str, tuple[str, ...]]] = []
            for k2, v2 in an.items():
                if isinstance(v2, str):
                    items2.append((k2, (v2.strip().lower(),)))
                else:
                    vals = r.strings(v2, f"{path}.answers.{k2}")
                    items2.append((k2, tuple(sorted({x.strip().lower() for x in vals}))))
            kw["answers"] = tuple(sorted(items2))
    if pid is None or len(r.errors) > n_err:
        return None
    return Person(id=pid, **kw)


_SETTINGS_KEYS = (
    "mentors_per_mentee", "min_score", "candidates_per_mentee", "weights", "rules",
    "related_skills", "related_skill_credit", "seniority_margin_years",
    "availability_target_minutes", "availability_weeks", "questions", "fairness_min_group",
    "seniority_direction",
)  # fmt: skip
_RULE_KEYS = (
    "require_common_language", "max_timezone_gap_hours", "min_availability_overlap_minutes",
    "same_department", "forbid_reporting_line", "department_penalty", "mentor_less_senior",
)  # fmt: skip


def _settings(r: _Reader, v: Any) -> Settings:
    d = r.obj(v, "settings", _SETTINGS_KEYS)
    if d is None:
        return Settings()
    kw: dict[str, Any] = {}
    if "mentors_per_mentee" in d:
        kw["mentors_per_mentee"] = r.integer(
            d["mentors_per_mentee"], "settings.mentors_per_mentee", 1
        )
    if "min_score" in d:
        kw["min_score"] = r.number(d["min_score"], "settings.min_score", 0.0, 1.0)
    if "candidates_per_mentee" in d:
        kw["candidates_per_mentee"] = r.integer(
            d["candidates_per_mentee"], "settings.candidates_per_mentee", 1
        )
    questions: list[Question] = []
    if "questions" in d:
        for i, q in enumerate(r.array(d["questions"], "settings.questions")):
            p = f"settings.questions[{i}]"
            qd = r.obj(q, p, ("key", "weight", "compare"))
            if qd is None:
                continue
            key = r.string(qd.get("key"), f"{p}.key")
            w = r.number(qd.get("weight", 1.0), f"{p}.weight", 0.0)
            cmp_ = qd.get("compare", "same")
            if cmp_ not in ("same", "overlap"):
                r.err(f"{p}.compare", "must be 'same' or 'overlap'")
                continue
            if key is not None and w is not None:
                questions.append(Question(key, w, cmp_))
        dup = [k for k, c in Counter(q.key for q in questions).items() if c > 1]
        for k in dup:
            r.err("settings.questions", f"duplicate key {k!r}")
        kw["questions"] = tuple(questions)
    if "weights" in d:
        wd = r.obj(d["weights"], "settings.weights", FACTORS)
        if wd is not None:
            ws = []
            for k in FACTORS:
                if k in wd:
                    w = r.number(wd[k], f"settings.weights.{k}", 0.0)
                    if w is not None:
                        ws.append((k, w))
            kw["weights"] = tuple(ws)
    if "rules" in d:
        rd = r.obj(d["rules"], "settings.rules", _RULE_KEYS)
        if rd is not None:
            rk: dict[str, Any] = {}
            for k in ("require_common_language", "forbid_reporting_line", "mentor_less_senior"):
                if k in rd:
                    rk[k] = r.boolean(rd[k], f"settings.rules.{k}")
            if rd.get("max_timezone_gap_hours") is not None:
                rk["max_timezone_gap_hours"] = r.number(
                    rd["max_timezone_gap_hours"], "settings.rules.max_timezone_gap_hours", 0.0
                )
            if "min_availability_overlap_minutes" in rd:
                rk["min_availability_overlap_minutes"] = r.integer(
                    rd["min_availability_overlap_minutes"],
                    "settings.rules.min_availability_overlap_minutes",
                    0,
                )
            if "same_department" in rd:
                if rd["same_department"] not in ("allow", "avoid", "forbid"):
                    r.err("settings.rules.same_department", "must be one of allow, avoid, forbid")
                else:
                    rk["same_department"] = rd["same_department"]
            if "department_penalty" in rd:
                rk["department_penalty"] = r.number(
                    rd["department_penalty"], "settings.rules.department_penalty", 0.0, 1.0
                )
            kw["rules"] = Rules(**{k: v for k, v in rk.items() if v is not None})
    if "related_skills" in d:
        rel = r.obj(
            d["related_skills"],
            "settings.related_skills",
            list(d["related_skills"]) if isinstance(d["related_skills"], dict) else [],
        )
        if rel is not None:
            kw["related_skills"] = tuple(
                sorted(
                    (
                        k.strip().lower(),
                        tuple(
                            sorted(
                                {
                                    x.strip().lower()
                                    for x in r.strings(vv, f"settings.related_skills.{k}")
                                }
                            )
                        ),
                    )
                    for k, vv in rel.items()
                )
            )
    if "related_skill_credit" in d:
        kw["related_skill_credit"] = r.number(
            d["related_skill_credit"], "settings.related_skill_credit", 0.0, 1.0
        )
    if "seniority_margin_years" in d:
        kw["seniority_margin_years"] = r.number(
            d["seniority_margin_years"], "settings.seniority_margin_years", 0.001
        )
    if "seniority_direction" in d:
        if d["seniority_direction"] not in ("mentor_ahead", "mentee_ahead"):
            r.err("settings.seniority_direction", "must be 'mentor_ahead' or 'mentee_ahead'")
        else:
            kw["seniority_direction"] = d["seniority_direction"]
    if "availability_target_minutes" in d:
        kw["availability_target_minutes"] = r.integer(
            d["availability_target_minutes"], "settings.availability_target_minutes", 1
        )
    if "fairness_min_group" in d:
        kw["fairness_min_group"] = r.integer(
            d["fairness_min_group"], "settings.fairness_min_group", 1
        )
    if "availability_weeks" in d:
        weeks = r.strings(d["availability_weeks"], "settings.availability_weeks")
        import datetime as _dt

        for i, wk in enumerate(weeks):
            try:
                if not _DATE.match(wk):
                    raise ValueError
                _dt.date.fromisoformat(wk)
            except ValueError:
                r.err(f"settings.availability_weeks[{i}]", f"not a date YYYY-MM-DD {wk!r}")
        if not weeks and isinstance(d["availability_weeks"], list):
            r.err("settings.availability_weeks", "must not be empty")
        kw["availability_weeks"] = weeks
    return Settings(**{k: v for k, v in kw.items() if v is not None})


def _pairs(r: _Reader, v: Any, name: str, n: int) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for i, p in enumerate(r.array(v, name)):
        if not isinstance(p, list) or len(p) != n or not all(isinstance(x, str) for x in p[:2]):
            shape = "[mentee, mentor]" if n == 2 else "[mentee, mentor, score]"
            r.err(
                f"{name}[{i}]",
                f"must be a list {shape} of ids" + (" and a number" if n == 3 else ""),
            )
            continue
        if n == 3 and r.number(p[2], f"{name}[{i}][2]", 0.0, 1.0) is None:
            continue
        out.append(tuple(p))
    return out


def load_problem(data: Any) -> Problem:
    """Validate a decoded JSON problem; raise ``ProblemError`` listing every problem."""
    r = _Reader()
    d = r.obj(
        data,
        "",
        ("version", "mode", "mentees", "mentors", "peers", "circles", "settings")
        + ("locked_pairs", "forbidden_pairs", "scores"),
    )
    if d is None:
        raise ProblemError(["$: the problem must be a JSON object"])
    if "version" not in d:
        r.err("version", "is required")
    elif d["version"] != 1:
        r.err("version", f"unsupported version {d['version']!r} (expected 1)")
    settings = _settings(r, d["settings"]) if "settings" in d else Settings()
    if d.get("mode") == "circles":
        from .circle_io import load_circles  # mentees join circles (docs: Circles mode)

        return load_circles(r, d, settings)
    if d.get("mode", "mentoring") != "mentoring":
        from .peer_io import load_peers  # peer mode: everyone is both (docs: Peer mode)

        return load_peers(r, d, settings)
    if "peers" in d:
        r.err("peers", 'only in peer mode ("mode": "peer")')
    if "circles" in d:
        r.err("circles", 'only in circles mode ("mode": "circles")')
    lists: dict[str, list[Person]] = {}
    for name in ("mentees", "mentors"):
        people: list[Person] = []
        if name not in d:
            r.err(name, "is required")
        else:
            seen: dict[str, int] = {}
            for i, pv in enumerate(r.array(d[name], name)):
                p = _person(r, pv, f"{name}[{i}]", name == "mentors")
                if p is None:
                    continue
                if p.id in seen:
                    r.err(f"{name}[{i}].id", f"duplicate id {p.id!r} (also {name}[{seen[p.id]}])")
                    continue
                seen[p.id] = i
                people.append(p)
        lists[name] = people
    mentees, mentors = lists["mentees"], lists["mentors"]
    e_ids = {p.id for p in mentees}
    m_ids = {p.id for p in mentors}
    for name, people in lists.items():
        for i, p in enumerate(people):
            if p.manager_id is not None and p.manager_id not in e_ids | m_ids:
                r.err(f"{name}[{i}].manager_id", f"{p.manager_id!r} is not in mentees or mentors")

    def check(pairs: list[tuple[Any, ...]], name: str) -> list[tuple[Any, ...]]:
        good = []
        seen: set[tuple[str, str]] = set()
        for i, p in enumerate(pairs):
            ok = True
            if p[0] not in e_ids:
                r.err(f"{name}[{i}]", f"mentee {p[0]!r} is not in mentees")
                ok = False
            if p[1] not in m_ids:
                r.err(f"{name}[{i}]", f"mentor {p[1]!r} is not in mentors")
                ok = False
            if ok and (p[0], p[1]) in seen:
                r.err(f"{name}[{i}]", f"duplicate pair {p[0]!r}, {p[1]!r}")
                ok = False
            if ok:
                seen.add((p[0], p[1]))
                good.append(p)
        return good

    locked = check(_pairs(r, d.get("locked_pairs", []), "locked_pairs", 2), "locked_pairs")
    forbidden = check(
        _pairs(r, d.get("forbidden_pairs", []), "forbidden_pairs", 2), "forbidden_pairs"
    )
    scores = None
    if "scores" in d and d["scores"] is not None:
        scores = check(_pairs(r, d["scores"], "scores", 3), "scores")
    fset = {(a, b) for a, b in forbidden}
    cap = {p.id: p.capacity for p in mentors}
    wants = {p.id: p.wants if p.wants is not None else settings.mentors_per_mentee for p in mentees}
    used_m: Counter[str] = Counter()
    used_e: Counter[str] = Counter()
    for i, (a, b) in enumerate(locked):
        if (a, b) in fset:
            r.err(f"locked_pairs[{i}]", f"pair {a!r}, {b!r} is also in forbidden_pairs")
        if a == b:
            r.err(f"locked_pairs[{i}]", f"{a!r} cannot mentor themselves")
        used_m[b] += 1
        used_e[a] += 1
        if used_m[b] == cap[b] + 1:
            r.err(
                f"locked_pairs[{i}]",
                f"mentor {b!r} is locked to more mentees than their capacity {cap[b]}",
            )
        if used_e[a] == wants[a] + 1:
            r.err(
                f"locked_pairs[{i}]",
                f"mentee {a!r} is locked to more mentors than they want ({wants[a]})",
            )
    if r.errors:
        raise ProblemError(r.errors)
    return Problem(
        mentees=tuple(mentees),
        mentors=tuple(mentors),
        settings=settings,
        locked_pairs=tuple((str(a), str(b)) for a, b in locked),
        forbidden_pairs=tuple((str(a), str(b)) for a, b in forbidden),
        scores=None if scores is None else tuple((str(a), str(b), float(s)) for a, b, s in scores),
    )


def load_problem_json(text: str | bytes) -> Problem:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ProblemError([f"$: invalid JSON: {e}"]) from None
    return load_problem(data)


# The result's serialisation lives in io_out; re-exported so callers keep one import.
from .io_out import dumps, recommendations_to_dict, result_to_dict  # noqa: E402

__all__ = [
    "ProblemError",
    "dumps",
    "load_problem",
    "load_problem_json",
    "recommendations_to_dict",
    "result_to_dict",
    "valid_timezone",
]
