"""Plain-language reasons for each match and for each unmatched mentee."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from . import availability as av
from .model import SCORE_SCALE, Person, Reason
from .scoring import STAGES, Prepared, pair_factors, pair_overlap

LANGUAGE_NAMES = {
    "ar": "Arabic", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "ga": "Irish", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "no": "Norwegian", "nb": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "zh": "Chinese", "yo": "Yoruba", "cy": "Welsh",
}  # fmt: skip


def language_name(tag: str) -> str:
    p = tag.split("-")[0].lower()
    return LANGUAGE_NAMES.get(p, tag)


def hours(minutes: float) -> str:
    mins = int(round(minutes))
    h, mm = divmod(mins, 60)
    if h and mm:
        return f"{h} h {mm} min"
    return f"{h} h" if h else f"{mm} min"


def _join(xs: list[str]) -> str:
    return ", ".join(xs[:6]) + (f" and {len(xs) - 6} more" if len(xs) > 6 else "")


def _skills_detail(prep: Prepared, e: Person, m: Person) -> str:
    rel: dict[str, set[str]] = {}
    for k, vs in prep.problem.settings.related_skills:
        for v in vs:
            rel.setdefault(k, set()).add(v)
            rel.setdefault(v, set()).add(k)
    offered = set(m.skills)
    shared = [s for s in e.skills if s in offered]
    near = [
        f"{s} (via {', '.join(sorted(rel.get(s, set()) & offered))})"
        for s in e.skills
        if s not in offered and rel.get(s, set()) & offered
    ]
    parts = []
    if shared:
        parts.append("shares " + _join(shared))
    if near:
        parts.append("related: " + _join(near))
    return "; ".join(parts) if parts else "no wanted skill offered"


def _availability_detail(prep: Prepared, i: int, j: int, minutes: float) -> str:
    if minutes <= 0:
        return "no common free time"
    e, m = prep.problem.mentees[i], prep.problem.mentors[j]
    best = av.largest_common(prep.e_iv[0][i], prep.m_iv[0][j]) if prep.e_iv else None
    text = f"{hours(minutes)} a week overlap"
    if best is not None:
        mid = (best[0] + best[1]) // 2
        monday = av.week_start(prep.problem.settings.availability_weeks[0])
        pe = av.part_of_day(mid, e, monday)
        pm = av.part_of_day(mid, m, monday)
        if pe == pm:
            text += f" in both your {pe}s"
        else:
            text += f" in the mentee's {pe}s and the mentor's {pm}s"
    return text


def match_reasons(
    prep: Prepared, ii: NDArray[np.int64], jj: NDArray[np.int64], ss: NDArray[np.int64]
) -> list[tuple[Reason, ...]]:
    """Factor contributions (weight × value / total weight) and details for each pair."""
    pr = prep.problem
    if prep.given is not None:
        return [
            (Reason("given", float(s) / SCORE_SCALE, "score supplied in the problem"),) for s in ss
        ]
    vals = pair_factors(prep, ii, jj)
    ov = pair_overlap(prep, ii, jj) if "availability" in prep.weights else None
    wsum = sum(prep.weights.values())
    rules = pr.settings.rules
    out: list[tuple[Reason, ...]] = []
    for a, (i, j) in enumerate(zip(ii.tolist(), jj.tolist(), strict=True)):
        e, m = pr.mentees[i], pr.mentors[j]
        reasons: list[Reason] = []
        for name in sorted(prep.weights, key=lambda k: (-prep.weights[k], k)):
            v = float(vals[name][a])
            contrib = prep.weights[name] * v / wsum if wsum else 0.0
            if name == "skills":
                detail = _skills_detail(prep, e, m)
            elif name in ("goals", "bio"):
                detail = f"{name} similar in meaning ({v:.2f})" if v > 0 else f"{name} unrelated"
                if not (e.goals if name == "goals" else e.bio) or not (
                    m.goals if name == "goals" else m.bio
                ):
                    detail = f"{name} missing on one side"
            elif name == "availability":
                assert ov is not None
                detail = _availability_detail(prep, i, j, float(ov[a]))
            elif name == "seniority":
                if e.seniority is None or m.seniority is None:
                    detail = "seniority unknown"
                else:
                    gap = m.seniority - e.seniority
                    margin = pr.settings.seniority_margin_years
                    if pr.settings.seniority_direction == "mentee_ahead":
                        detail = (
                            f"mentor {-gap:g} years junior (preferred {margin:g})"
                            if gap < 0
                            else "mentor not more junior"
                        )
                    else:
                        detail = (
                            f"mentor {gap:g} years ahead (preferred {margin:g})"
                            if gap > 0
                            else "mentor not more senior"
                        )
            else:
                key = name.split(".", 1)[1]
                ea = set(dict(e.answers).get(key, ()))
                ma = set(dict(m.answers).get(key, ()))
                common = sorted(ea & ma)
                detail = (
                    f"{key}: both answered " + _join(common)
                    if common
                    else f"{key}: different answers"
                )
            reasons.append(Reason(name, contrib, detail))
        if rules.same_department == "avoid" and e.department and e.department == m.department:
            reasons.append(
                Reason(
                    "department",
                    -rules.department_penalty,
                    f"same department ({e.department}), avoided",
                )
            )
        common_l = sorted(
            {t.split("-")[0].lower() for t in e.languages}
            & {t.split("-")[0].lower() for t in m.languages}
        )
        if common_l:
            names = [language_name(x) for x in common_l]
            reasons.append(Reason("languages", 0.0, "both speak " + " and ".join(names)))
        out.append(tuple(reasons))
    return out


def unmatched_reason(
    prep: Prepared, i: int, counts: NDArray[np.int32], got: int, wants: int
) -> str:
    pr = prep.problem
    e = pr.mentees[i]
    st = pr.settings
    if prep.m == 0:
        return "there are no mentors"
    eligible = int(counts[-1])
    if got > 0:
        return f"only {got} of {wants} mentors: " + (
            f"only {eligible} eligible mentors"
            if eligible < wants
            else f"capacity exhausted among the {eligible} eligible mentors"
        )
    first_zero = next((k for k in range(len(STAGES)) if counts[k] == 0), None)
    if first_zero is None:
        return f"capacity exhausted: all {eligible} eligible mentors are full"
    stage = STAGES[first_zero]
    if prep.given is not None and first_zero < 5:
        return "no scored pair for this mentee"
    if stage == "language":
        return f"no mentor shares a language (speaks: {', '.join(e.languages)})"
    if stage == "timezone":
        return (
            f"no mentor within {st.rules.max_timezone_gap_hours:g} h of their timezone "
            f"({e.timezone})"
        )
    if stage == "overlap":
        return (
            f"no mentor has {st.rules.min_availability_overlap_minutes} min a week of common "
            "free time"
        )
    if stage == "department":
        return f"every remaining mentor is in their own department ({e.department})"
    if stage == "seniority":
        return "no mentor is known to be less senior (reverse mentoring requires it)"
    if stage == "reporting_line":
        return "every remaining mentor is in their reporting line"
    if stage == "forbidden":
        return "every remaining mentor is a forbidden pair"
    return f"all candidates below the minimum score {st.min_score:g}"
