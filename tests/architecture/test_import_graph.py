"""The apps import each other one way: foundation → domain apps → dashboard.

Every `import` in `openmentor/` counts, at module level, inside functions and under
`TYPE_CHECKING` alike: a cycle hidden in a function is still a cycle a reader must hold in
their head, and it is what made the old layout hard to change.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "openmentor"

# The foundation every product app may use; it uses none of them.
FOUNDATION = {"core", "accounts", "organisations"}
# On top of the domain apps; nothing below imports them. `config` (settings, URLs,
# ASGI) wires the project together and sits above everything.
TOP = {"dashboard", "demo", "config"}
NOT_APPS = {"templates", "__init__", "__main__"}
# The order docs/architecture.md draws: an app may import only apps after it here.
ORDER = [
    "config",
    "demo",
    "dashboard",
    "api",
    "scim",
    "sso",
    "chat",
    "community",
    "tracking",
    "events",
    "video",
    "feedback",
    "messaging",
    "matching",
    "meetings",
    "mentorships",
    "programmes",
    "people",
    "notifications",
    "webhooks",
    "organisations",
    "accounts",
    "core",
]


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "openmentor" or parts[1] in NOT_APPS:
        return None
    return parts[1]


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            # `from openmentor import dashboard` names the app in the alias.
            if node.module == "openmentor":
                yield from (f"openmentor.{alias.name}" for alias in node.names)


def app_graph() -> dict[str, dict[str, list[str]]]:
    """app → the apps it imports → the files that do it (for a readable failure)."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue  # migrations name other apps' models by design and never import code
        source = _app_of(".".join(relative.with_suffix("").parts))
        if source is None:
            continue
        edges = graph.setdefault(source, {})
        for module in _imports(path):
            target = _app_of(module)
            if target is not None and target != source:
                edges.setdefault(target, []).append(str(relative))
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    stack: list[str] = []

    def visit(app: str) -> None:
        state[app] = 1
        stack.append(app)
        for target in sorted(graph.get(app, {})):
            if state.get(target) == 1:
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[app] = 2

    for app in sorted(graph):
        if app not in state:
            visit(app)
    return found


def test_the_walk_sees_every_app() -> None:
    graph = app_graph()
    # A walk that found nothing would pass every check below.
    assert {"core", "programmes", "matching", "mentorships", "dashboard"} <= set(graph)
    assert "programmes" in graph["matching"]


def test_no_import_cycle_between_apps() -> None:
    graph = app_graph()
    cycles = _cycles(graph)
    detail = [
        " → ".join(cycle)
        + "  ("
        + "; ".join(f"{a}→{b}: {graph[a][b][0]}" for a, b in zip(cycle, cycle[1:], strict=False))
        + ")"
        for cycle in cycles
    ]
    assert not cycles, "\n".join(detail)


def test_core_imports_no_product_app() -> None:
    graph = app_graph()
    wrong = graph.get("core", {})
    assert not wrong, wrong


def test_foundation_imports_only_foundation() -> None:
    graph = app_graph()
    wrong = {
        f"{app}→{target}": files[0]
        for app in FOUNDATION
        for target, files in graph.get(app, {}).items()
        if target not in FOUNDATION
    }
    assert not wrong, wrong


def test_nothing_below_imports_the_top() -> None:
    graph = app_graph()
    wrong = {
        f"{app}→{target}": files[0]
        for app, edges in graph.items()
        if app not in TOP
        for target, files in edges.items()
        if target in TOP
    }
    assert not wrong, wrong


def test_apps_import_only_apps_below_them_in_the_documented_order() -> None:
    graph = app_graph()
    assert set(graph) <= set(ORDER), f"add {sorted(set(graph) - set(ORDER))} to ORDER and the docs"
    upward = {
        f"{app}→{target}": files[0]
        for app, edges in graph.items()
        for target, files in edges.items()
        if ORDER.index(target) < ORDER.index(app)
    }
    assert not upward, upward


def test_people_names_the_live_enrolment_statuses_as_programmes_does() -> None:
    # people sits below programmes and so cannot import Enrolment; it names the statuses.
    from openmentor.people.selectors import LIVE_ENROLMENT_STATUSES
    from openmentor.programmes.models import Enrolment

    assert LIVE_ENROLMENT_STATUSES == (Enrolment.Status.ACTIVE, Enrolment.Status.PENDING)
