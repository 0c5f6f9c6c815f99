"""The package's layers, read from the source: no import circle, no import upwards.

model/config/db → collect, brief, render, audience → send, signup, feedback →
pipeline → operations, site → web, cli. A module may import its own layer or any
layer below; nothing outside `web/` and `cli/` imports `newsletter.web`. Every
import counts, also one inside a function or under TYPE_CHECKING: a circle that
only closes at run time is still a circle for the reader.

`python tests/test_layers.py` prints the graph's counts (for before/after notes).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "newsletter"

# the first part of a module's name below `newsletter.` → its layer (higher may import lower)
LAYERS = {
    "__init__": 0,
    "model": 0,
    "config": 0,
    "db": 0,
    "schema": 0,
    "environment": 0,
    "migrations": 0,
    "i18n": 0,
    "text": 0,
    "columns": 0,
    "files": 0,
    "bounded_json": 0,  # JSON from outside (webhooks, queues, model servers), bounded first
    "collect": 1,
    "articles": 1,  # article pages of the picked stories: collect's limits, read by brief
    "brief": 1,
    "render": 1,
    "audience": 1,
    "publish": 1,
    "send": 2,
    "signup": 2,
    "feedback": 2,
    "pipeline": 3,
    "editions": 3,
    "runtime": 3,
    "operations": 4,
    "doctor": 4,
    "starter": 4,
    "site": 4,  # the public pages: used by web (serve) and cli (publish)
    "web": 5,
    "cli": 5,
    "__main__": 6,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int, bool]]:
    """(imported module of ours, line, inside a function) for every import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    local_lines = {
        node.lineno
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
            names = [name if name in known else base for name in names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("newsletter"):
                yield name, node.lineno, node.lineno in local_lines


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target, _, _ in imports(path, known) if target != name}
        for name, path in known.items()
    }


def layer(name: str) -> int:
    parts = name.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (source, target)
        for source, targets in edges.items()
        for target in targets
        if layer(target) > layer(source)
    )


def into_web(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (source, target)
        for source, targets in edges.items()
        for target in targets
        if target.startswith("newsletter.web")
        and not source.startswith(("newsletter.web", "newsletter.cli"))
    )


def test_every_module_has_a_layer() -> None:
    assert [
        name for name in modules() if name.split(".")[1:2] and name.split(".")[1] not in LAYERS
    ] == []


def test_no_import_circle() -> None:
    assert circles(graph()) == []


def test_no_import_from_a_lower_layer_to_a_higher_one() -> None:
    assert upward(graph()) == []


def test_nothing_outside_web_and_cli_imports_web() -> None:
    assert into_web(graph()) == []


def local_imports(path: Path) -> int:
    """Import statements inside functions (of any module, ours or not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return len(
        {
            node.lineno
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        }
    )


def counts() -> dict[str, int]:
    known = modules()
    edges = graph()
    return {
        "modules": len(known),
        "circles": len(circles(edges)),
        "upward imports": len(upward(edges)),
        "imports of web from outside web/cli": len(into_web(edges)),
        "function-local imports": sum(local_imports(path) for path in known.values()),
        "files with function-local imports": sum(
            1 for path in known.values() if local_imports(path)
        ),
    }


if __name__ == "__main__":
    edges = graph()
    for component in circles(edges):
        print("circle:", " ↔ ".join(component))
    for source, target in upward(edges):
        print("upward:", source, "→", target)
    for source, target in into_web(edges):
        print("into web:", source, "→", target)
    for key, value in counts().items():
        print(f"{key}: {value}")
