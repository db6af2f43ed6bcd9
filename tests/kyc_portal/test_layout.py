"""The portal's own modules import each other in one direction only: no import circles.

Imports inside functions count too: a circle hidden in a function still ties two modules
together (neither can be understood, tested or moved without the other).
"""

import ast
from itertools import pairwise
from pathlib import Path

from django.conf import settings

APPS = ("accounts", "audit", "kyc_portal", "notifications", "privacy", "review", "sales")
APPS += ("identity", "screening", "verification")


def module_files(root: Path, apps=APPS) -> dict[str, Path]:
    """Every module of `apps` under `root`, by dotted name (a package by its own name)."""
    modules = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_names(tree: ast.AST, module: str, is_package: bool):
    """Dotted names `module` imports anywhere in its body (functions included), each with the
    line; `from pkg import x` gives both `pkg.x` and `pkg`, the caller keeps what exists."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield [alias.name], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            # The first name that is one of our modules wins: `from . import tasks` imports
            # the module `pkg.tasks`; `from .models import Status` imports `pkg.models`.
            for alias in node.names:
                yield [f"{source}.{alias.name}", source], node.lineno


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module -> {imported module: line of the first such import}, for modules in `modules`."""
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = graph.setdefault(module, {})
        for candidates, line in imported_names(tree, module, path.name == "__init__.py"):
            target = next((name for name in candidates if name in modules), None)
            if target and target != module:
                edges.setdefault(target, line)
    return graph


def find_cycles(graph: dict[str, dict]) -> list[list[str]]:
    """The import circles of `graph`, each a path that starts and ends at the same module; []
    when there are none. Within a group of modules that reach each other (a strongly connected
    component) every module's shortest circle is given, so each way round is named."""
    circles = []
    for component in strongly_connected(graph):
        found = {tuple(shortest_circle(graph, member, component)) for member in component}
        circles += sorted({_from_first(circle) for circle in found})
    return [list(circle) for circle in circles]


def strongly_connected(graph: dict[str, dict]) -> list[set[str]]:
    """Groups of two or more modules that each import the others, directly or not (Tarjan)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def connect(node):  # recursive: the portal's graph is a few hundred modules at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while (member := stack.pop()) != node:
                on_stack.discard(member)
                component.add(member)
            on_stack.discard(node)
            component.add(node)
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(components, key=min)


def shortest_circle(graph, start, component) -> list[str]:
    """The shortest path from `start` back to itself inside `component` (breadth first)."""
    previous, frontier = {}, [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph.get(node, ())):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if target in component and target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    raise AssertionError(f"{start} is not on a circle")


def _from_first(circle: list[str]) -> tuple[str, ...]:
    """The same circle, starting from its alphabetically first module (to drop duplicates)."""
    ring = circle[:-1]
    first = ring.index(min(ring))
    ring = ring[first:] + ring[:first]
    return (*ring, ring[0])


def describe(graph, circle: list[str]) -> str:
    """`a (line 3) -> b (line 9) -> a`: each module with the line of its import of the next."""
    steps = [f"{module} (line {graph[module][target]})" for module, target in pairwise(circle)]
    return " -> ".join([*steps, circle[-1]])


def test_portal_modules_import_each_other_without_circles():
    graph = import_graph(module_files(Path(settings.BASE_DIR)))

    circles = find_cycles(graph)

    assert len(graph) > 100, "the module walk found too few modules to be a real check"
    assert not circles, "import circles:\n" + "\n".join(describe(graph, c) for c in circles)


# The portal's imports that closed its known circles, as they were written before they were
# broken (an indented line is inside a function).
KNOWN_CIRCLES_SOURCES = {
    "verification/status.py": "def change_status():\n    from notifications import services\n",
    "notifications/services.py": (
        "from . import content, reverification\ndef queue_email():\n    from . import tasks\n"
    ),
    "notifications/content.py": "from .reverification import DOCUMENT_EXPIRED, lapse_cause\n",
    "notifications/reverification.py": "from verification.status import change_status\n",
    "notifications/tasks.py": "from . import reverification, services\n",
    "verification/services.py": "from . import policy, reading, retry, uploads\n",
    "verification/reading.py": (
        "def queue_reading():\n    from . import tasks\n"
        "def record_reading():\n    from .services import compare_after_submission\n"
    ),
    "verification/tasks.py": "from . import reading\n",
    "verification/policy.py": "from .models import PolicyRule\n",
    "review/services.py": (
        "from . import customer_messages\ndef claim_next():\n"
        "    from .selectors import available_cases\n"
    ),
    "review/selectors.py": "def label():\n    from .services import CORRECTABLE_FIELDS\n",
    "review/customer_messages.py": "def labels():\n    from .services import CORRECTABLE_FIELDS\n",
}


def test_cycle_finder_names_every_known_circle_the_portal_had(tmp_path):
    for name, text in KNOWN_CIRCLES_SOURCES.items():
        write(tmp_path / name, text)
    for package in ("notifications", "verification", "review"):
        write(tmp_path / package / "__init__.py", "")
        write(tmp_path / package / "models.py", "")
    graph = import_graph(module_files(tmp_path, ("notifications", "review", "verification")))

    circles = [" -> ".join(circle) for circle in find_cycles(graph)]

    assert circles == [
        # verification.status -> notifications.services -> notifications.reverification -> ...
        "notifications.content -> notifications.reverification -> verification.status"
        " -> notifications.services -> notifications.content",
        "notifications.reverification -> verification.status -> notifications.services"
        " -> notifications.reverification",
        "notifications.services -> notifications.tasks -> notifications.services",
        "review.customer_messages -> review.services -> review.customer_messages",
        "review.selectors -> review.services -> review.selectors",
        "verification.reading -> verification.services -> verification.reading",
        "verification.reading -> verification.tasks -> verification.reading",
    ]


def test_a_circle_is_described_with_the_line_of_each_import(tmp_path):
    write(tmp_path / "review" / "__init__.py", "")
    write(tmp_path / "review" / "services.py", "import datetime\nimport review.selectors\n")
    write(tmp_path / "review" / "selectors.py", "def f():\n    from review import services\n")
    graph = import_graph(module_files(tmp_path, ("review",)))

    (circle,) = find_cycles(graph)

    assert describe(graph, circle) == (
        "review.selectors (line 2) -> review.services (line 2) -> review.selectors"
    )


def test_imports_resolve_to_the_portal_module_they_load(tmp_path):
    write(tmp_path / "verification" / "__init__.py", "from .ocr import read_mrz\n")
    write(tmp_path / "verification" / "models.py", "")
    write(tmp_path / "verification" / "ocr" / "__init__.py", "from .reader import read_mrz\n")
    write(
        tmp_path / "verification" / "ocr" / "reader.py",
        "from .. import models\nfrom ..models import Document\nimport verification.ocr.cells\n"
        "from django.db import models as db\n",
    )
    write(tmp_path / "verification" / "ocr" / "cells.py", "")
    graph = import_graph(module_files(tmp_path, ("verification",)))

    assert graph == {
        "verification": {"verification.ocr": 1},
        "verification.models": {},
        "verification.ocr": {"verification.ocr.reader": 1},
        "verification.ocr.cells": {},
        "verification.ocr.reader": {"verification.models": 1, "verification.ocr.cells": 3},
    }
    assert find_cycles(graph) == []


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
