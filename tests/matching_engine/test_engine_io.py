"""Every error path of the format, through load_problem and the command line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openmentor.matching.engine import ProblemError, load_problem, result_to_dict, solve

ROOT = Path(__file__).resolve().parents[2]


def errors_of(data: Any) -> list[str]:
    with pytest.raises(ProblemError) as e:
        load_problem(data)
    return e.value.errors


def test_valid_problem_loads(base_problem: dict[str, Any]) -> None:
    p = load_problem(base_problem)
    assert [x.id for x in p.mentees] == ["e1", "e2"]
    assert p.mentors[0].capacity == 2


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("version"), "version: is required"),
        (lambda d: d.update(version=2), "version: unsupported version 2 (expected 1)"),
        (lambda d: d.pop("mentees"), "mentees: is required"),
        (lambda d: d.update(mentors={}), "mentors: must be a list"),
        (lambda d: d.update(extra=1), "extra: unknown key"),
        (
            lambda d: d["mentors"][1].update(timezone="Mars/Base"),
            "mentors[1].timezone: unknown timezone 'Mars/Base'",
        ),
        (lambda d: d["mentors"][0].update(capacity=-1), "mentors[0].capacity: must be at least 0"),
        (lambda d: d["mentees"][0].update(wants=0), "mentees[0].wants: must be at least 1"),
        (
            lambda d: d["mentees"][0].update(capacity=2),
            "mentees[0].capacity: only mentors have a capacity",
        ),
        (lambda d: d["mentors"][0].update(wants=2), "mentors[0].wants: only mentees have wants"),
        (
            lambda d: d["mentees"][1].update(id="e1"),
            "mentees[1].id: duplicate id 'e1' (also mentees[0])",
        ),
        (lambda d: d["mentees"][0].pop("id"), "mentees[0].id: is required"),
        (
            lambda d: d["mentees"][0].update(skills="python"),
            "mentees[0].skills: must be a list of strings",
        ),
        (
            lambda d: d["mentees"][0].update(languages=["not a tag"]),
            "mentees[0].languages[0]: not a BCP 47 language tag 'not a tag'",
        ),
        (
            lambda d: d["mentees"][0].update(
                availability=[{"day": "xyz", "start": "10:00", "end": "11:00"}]
            ),
            "mentees[0].availability[0].day: must be one of mon, tue, wed, thu, fri, sat, sun",
        ),
        (
            lambda d: d["mentees"][0].update(
                availability=[{"day": "mon", "start": "25:00", "end": "11:00"}]
            ),
            "mentees[0].availability[0].start: must be a time HH:MM",
        ),
        (
            lambda d: d["mentees"][0].update(
                availability=[{"day": "mon", "start": "12:00", "end": "11:00"}]
            ),
            "mentees[0].availability[0]: start must be before end",
        ),
        (
            lambda d: d["mentees"][0].update(seniority="old"),
            "mentees[0].seniority: must be a number",
        ),
        (
            lambda d: d["mentees"][0].update(manager_id="nobody"),
            "mentees[0].manager_id: 'nobody' is not in mentees or mentors",
        ),
        (
            lambda d: d["mentees"][0].update(protected={"gender": 1}),
            "mentees[0].protected.gender: must be a string",
        ),
        (
            lambda d: d.update(settings={"weights": {"charisma": 1}}),
            "settings.weights.charisma: unknown key",
        ),
        (
            lambda d: d.update(settings={"weights": {"skills": -1}}),
            "settings.weights.skills: must be at least 0.0",
        ),
        (
            lambda d: d.update(settings={"min_score": 2}),
            "settings.min_score: must be between 0.0 and 1.0",
        ),
        (
            lambda d: d.update(settings={"candidates_per_mentee": 0}),
            "settings.candidates_per_mentee: must be at least 1",
        ),
        (
            lambda d: d.update(settings={"rules": {"same_department": "maybe"}}),
            "settings.rules.same_department: must be one of allow, avoid, forbid",
        ),
        (
            lambda d: d.update(settings={"rules": {"require_common_language": "yes"}}),
            "settings.rules.require_common_language: must be true or false",
        ),
        (
            lambda d: d.update(settings={"availability_weeks": ["2026-13-01"]}),
            "settings.availability_weeks[0]: not a date YYYY-MM-DD '2026-13-01'",
        ),
        (
            lambda d: d.update(settings={"questions": [{"key": "q", "compare": "near"}]}),
            "settings.questions[0].compare: must be 'same' or 'overlap'",
        ),
        (
            lambda d: d.update(locked_pairs=[["e1", "m9"]]),
            "locked_pairs[0]: mentor 'm9' is not in mentors",
        ),
        (
            lambda d: d.update(locked_pairs=[["e9", "m1"]]),
            "locked_pairs[0]: mentee 'e9' is not in mentees",
        ),
        (
            lambda d: d.update(locked_pairs=[["e1"]]),
            "locked_pairs[0]: must be a list [mentee, mentor] of ids",
        ),
        (
            lambda d: d.update(locked_pairs=[["e1", "m1"], ["e1", "m1"]]),
            "locked_pairs[1]: duplicate pair 'e1', 'm1'",
        ),
        (
            lambda d: d.update(locked_pairs=[["e1", "m2"], ["e2", "m2"]]),
            "locked_pairs[1]: mentor 'm2' is locked to more mentees than their capacity 1",
        ),
        (
            lambda d: d.update(locked_pairs=[["e1", "m1"], ["e1", "m2"]]),
            "locked_pairs[1]: mentee 'e1' is locked to more mentors than they want (1)",
        ),
        (
            lambda d: d.update(locked_pairs=[["e1", "m1"]], forbidden_pairs=[["e1", "m1"]]),
            "locked_pairs[0]: pair 'e1', 'm1' is also in forbidden_pairs",
        ),
        (
            lambda d: d.update(forbidden_pairs=[["e1", "zz"]]),
            "forbidden_pairs[0]: mentor 'zz' is not in mentors",
        ),
        (
            lambda d: d.update(scores=[["e1", "m1", 1.5]]),
            "scores[0][2]: must be between 0.0 and 1.0",
        ),
        (
            lambda d: d.update(scores=[["e1", "m1"]]),
            "scores[0]: must be a list [mentee, mentor, score] of ids and a number",
        ),
    ],
)
def test_error_paths(base_problem: dict[str, Any], mutate: Any, expected: str) -> None:
    d = copy.deepcopy(base_problem)
    mutate(d)
    assert expected in errors_of(d)


def test_all_errors_are_collected(base_problem: dict[str, Any]) -> None:
    d = copy.deepcopy(base_problem)
    d["mentors"][1]["timezone"] = "Mars/Base"
    d["locked_pairs"] = [["e1", "m9"]]
    d["settings"] = {"weights": {"charisma": 1}}
    errs = errors_of(d)
    assert len(errs) == 3


def test_not_an_object() -> None:
    assert errors_of([1, 2]) == ["$: the problem must be a JSON object"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openmentor.matching", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_cli_invalid_input_exit_2_no_output(tmp_path: Path, base_problem: dict[str, Any]) -> None:
    d = copy.deepcopy(base_problem)
    d["mentors"][1]["timezone"] = "Mars/Base"
    d["locked_pairs"] = [["e1", "m9"]]
    src = tmp_path / "p.json"
    src.write_text(json.dumps(d))
    out = tmp_path / "r.json"
    r = run_cli("solve", str(src), "-o", str(out))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "mentors[1].timezone: unknown timezone 'Mars/Base'",
        "locked_pairs[0]: mentor 'm9' is not in mentors",
    ]
    assert "Traceback" not in r.stderr
    assert not out.exists()
    assert r.stdout == ""


def test_cli_bad_json_and_missing_file(tmp_path: Path) -> None:
    src = tmp_path / "p.json"
    src.write_text("{not json")
    r = run_cli("solve", str(src))
    assert r.returncode == 2 and r.stderr.startswith("$: invalid JSON")
    r = run_cli("solve", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "cannot read" in r.stderr


def test_cli_solve_and_recommend(tmp_path: Path, base_problem: dict[str, Any]) -> None:
    src = tmp_path / "p.json"
    src.write_text(json.dumps(base_problem))
    out = tmp_path / "r.json"
    r = run_cli("solve", str(src), "-o", str(out), "--with-candidates")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert [(m["mentee"], m["mentor"]) for m in data["matches"]] == [("e1", "m1")]
    assert data["unmatched"] == [
        {"mentee": "e2", "missing": 1, "reason": "no mentor shares a language (speaks: fi)"}
    ]
    assert data["objective"]["upper_bound"] == data["objective"]["total_score"]
    assert ["e1", "m1", data["matches"][0]["score"]] in data["candidates"]
    details = " ".join(x["detail"] for x in data["matches"][0]["reasons"])
    assert "shares leadership, python" in details and "both speak Portuguese" in details
    assert "3 h a week overlap" in details
    r = run_cli("recommend", str(src), "--mentee", "e1", "--top", "3")
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["mentee"] == "e1" and rec["recommendations"][0]["mentor"] == "m1"
    r = run_cli("recommend", str(src), "--mentor", "m1")
    assert r.returncode == 0 and json.loads(r.stdout)["recommendations"][0]["mentee"] == "e1"
    r = run_cli("recommend", str(src), "--mentee", "nobody")
    assert r.returncode == 2 and r.stderr.strip() == "--mentee: 'nobody' is not in mentees"


def test_result_is_deterministic(base_problem: dict[str, Any]) -> None:
    a = result_to_dict(solve(load_problem(base_problem)), timings=False)
    b = result_to_dict(solve(load_problem(copy.deepcopy(base_problem))), timings=False)
    assert json.dumps(a) == json.dumps(b)
