"""OpenMentor's matching engine: plain Python, no Django.

In-process API (the Django app calls these; the CLI ``python -m openmentor.matching`` too)::

    from openmentor.matching.engine import load_problem, solve, recommend, result_to_dict

    problem = load_problem(json_data)          # raises ProblemError(.errors: list[str])
    result = solve(problem, with_candidates=False, progress=None)   # -> Result
    data = result_to_dict(result)              # the documented JSON result
    recs = recommend(problem, mentee_id="e1", top=5)   # or mentor_id=...

The format is documented in docs/matching-format.md.
"""

from .api import recommend, solve
from .embedding import EmbeddingUnavailable, get_embedder
from .io import (
    ProblemError,
    load_problem,
    load_problem_json,
    recommendations_to_dict,
    result_to_dict,
)
from .model import Person, Problem, Result, Rules, Settings

__all__ = [
    "EmbeddingUnavailable",
    "Person",
    "Problem",
    "ProblemError",
    "Result",
    "Rules",
    "Settings",
    "get_embedder",
    "load_problem",
    "load_problem_json",
    "recommend",
    "recommendations_to_dict",
    "result_to_dict",
    "solve",
]
