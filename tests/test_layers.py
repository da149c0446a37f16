"""The import picture: cli and web → commands → library → schemas, arrows one way, no circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports() -> dict[str, set[str]]:
    """Module → the project modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = {}
    files = [*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("schemas/*.py")]
    known = {module_name(p) for p in files}
    for path in files:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")
                    up = up[: len(up) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    found.add(full if full in known else base)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m in known and m != name}
    return graph


def layer(module: str) -> int:
    if module.startswith("schemas"):
        return 0
    if module.startswith("pipeline.commands"):
        return 2
    if module in ("pipeline.cli", "pipeline.maxa_cli", "pipeline.__main__"):
        return 3
    if module.startswith("pipeline.web"):
        return 3  # the web app: a face on the command layer, like the command line
    return 1  # the library


def test_every_arrow_points_down_or_sideways():
    upward = [
        f"{a} → {b}"
        for a, targets in imports().items()
        for b in targets
        if layer(b) > layer(a) and b != "pipeline"
    ]
    assert upward == []


def test_no_circle():
    graph = imports()
    graph = {m: {t for t in ts if t != "pipeline"} for m, ts in graph.items()}
    seen: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                raise AssertionError(" → ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in seen:
                visit(nxt)
        path.pop()
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module)


def test_the_sandbox_stands_alone():
    """The stand-in server shares no rules with the client: only its own modules and the
    owner-only file helper."""
    borrowed = {
        f"{a} → {b}"
        for a, targets in imports().items()
        if a.startswith("pipeline.sandbox")
        for b in targets
        if not b.startswith("pipeline.sandbox") and b not in ("pipeline.core.private", "pipeline")
    }
    assert borrowed == set()
