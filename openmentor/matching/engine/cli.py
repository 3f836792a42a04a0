"""``python -m openmentor.matching solve|recommend``: exit 0 ok, 2 invalid input, 1 a bug."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .embedding import DEFAULT_BACKEND, EmbeddingUnavailable
from .io import ProblemError, dumps, load_problem_json, recommendations_to_dict, result_to_dict


def _engine_options(p: argparse.ArgumentParser) -> None:
    # The command line is the engine's caller here: it reads the same variables as the
    # site's settings, so a flag or the environment picks the engine's resources.
    p.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("OPENMENTOR_MATCHING_THREADS") or 0) or None,
        help="scoring threads (default: $OPENMENTOR_MATCHING_THREADS, else the cores, at most 4)",
    )
    p.add_argument(
        "--embedding-backend",
        default=os.environ.get("OPENMENTOR_EMBEDDING_BACKEND") or DEFAULT_BACKEND,
        help="wordllama or minilm (default: $OPENMENTOR_EMBEDDING_BACKEND, else wordllama)",
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m openmentor.matching")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("solve", help="match the whole cohort")
    s.add_argument("problem", type=Path)
    s.add_argument("-o", "--output", type=Path)
    s.add_argument("--with-candidates", action="store_true")
    _engine_options(s)
    r = sub.add_parser("recommend", help="rank mentors for a mentee (or mentees for a mentor)")
    r.add_argument("problem", type=Path)
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--mentee")
    g.add_argument("--mentor")
    r.add_argument("--top", type=int, default=5)
    r.add_argument("-o", "--output", type=Path)
    _engine_options(r)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        text = args.problem.read_bytes()
    except OSError as e:
        print(f"{args.problem}: cannot read: {e.strerror}", file=sys.stderr)
        return 2
    try:
        problem = load_problem_json(text)
        from . import api

        engine = {"threads": args.threads, "embedding_backend": args.embedding_backend}

        if args.command == "solve":
            out = result_to_dict(api.solve(problem, with_candidates=args.with_candidates, **engine))
        else:
            if args.top < 1:
                raise ProblemError(["--top: must be at least 1"])
            if problem.mode == "peer":
                raise ProblemError(["mode: recommend needs a mentoring problem, not peer mode"])
            pid = args.mentee or args.mentor
            ids = {p.id for p in (problem.mentees if args.mentee else problem.mentors)}
            if pid not in ids:
                role = "mentee" if args.mentee else "mentor"
                raise ProblemError([f"--{role}: {pid!r} is not in {role}s"])
            if args.mentee:
                recs = api.recommend(problem, mentee_id=pid, top=args.top, **engine)
            else:
                recs = api.recommend(problem, mentor_id=pid, top=args.top, **engine)
            out = recommendations_to_dict("mentee" if args.mentee else "mentor", pid, recs)
    except ProblemError as e:
        for line in e.errors:
            print(line, file=sys.stderr)
        return 2
    except EmbeddingUnavailable as e:
        print(f"embedding model unavailable: {e}", file=sys.stderr)
        return 2
    text_out = dumps(out)
    if args.output:
        args.output.write_text(text_out, encoding="utf-8")
    else:
        sys.stdout.write(text_out)
    return 0
