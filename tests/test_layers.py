"""The import picture: the faces (cli, web) → commands → the domains (simad, maxa → net,
sheets → core) → schemas, arrows one way, no circle; and the structure rules that keep it
readable: no function over 80 lines."""

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


# The domains, and the domains each may import from besides itself. Reading down the table is
# reading up the picture: schemas at the bottom, the faces (command line, web app) at the top.
DOMAINS: dict[str, set[str]] = {
    "schemas": set(),
    "core": {"schemas"},
    "net": {"core"},
    "sheets": {"core", "schemas"},
    "sandbox": {"core"},
    "simad": {"net", "sheets", "core", "schemas"},
    "maxa": {"net", "sheets", "core", "schemas"},
    "commands": {"simad", "maxa", "sandbox", "net", "sheets", "core", "schemas"},
    "cli": {"web", "commands", "core"},  # `simad ui` starts the web app
    "web": {"commands", "sheets", "core"},
}
FACES = {"pipeline.cli": "cli", "pipeline.maxa_cli": "cli", "pipeline.__main__": "cli"}


def domain(module: str) -> str:
    """The domain a module belongs to: its sub-package, or the face it is."""
    if module.startswith("schemas"):
        return "schemas"
    if module == "pipeline":  # the package's face: its version, and logs set up first
        return "core"
    if module in FACES:
        return FACES[module]
    parts = module.split(".")
    if len(parts) < 2 or not (ROOT / "pipeline" / parts[1]).is_dir():
        raise AssertionError(f"{module}: every module of the library lives in a domain package")
    return parts[1]


def test_every_module_lives_in_a_known_domain():
    unknown = {m: domain(m) for m in imports()}
    assert {m: d for m, d in unknown.items() if d not in DOMAINS} == {}


def test_every_arrow_points_down_or_sideways_within_a_domain():
    upward = [
        f"{a} → {b}"
        for a, targets in imports().items()
        for b in targets
        if domain(b) != domain(a) and domain(b) not in DOMAINS[domain(a)]
    ]
    assert upward == []


def test_the_table_has_no_circle():
    """A domain never reaches, through others, back to itself."""

    def below(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        assert name not in seen, " → ".join([*seen, name])
        out = set(DOMAINS[name])
        for lower in DOMAINS[name]:
            out |= below(lower, seen | {name})
        return out

    for name in DOMAINS:
        assert name not in below(name)


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


MAX_FUNCTION_LINES = 80


def test_no_function_over_80_lines():
    """A function a newcomer can read on one screen; longer ones are split."""
    long = []
    for path in [*ROOT.glob("pipeline/**/*.py"), *ROOT.glob("schemas/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert long == []


def test_the_version_is_kept_in_one_place():
    """pyproject reads the version from the package; the installed metadata agrees."""
    from importlib.metadata import version

    import pipeline

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert "\nversion =" not in pyproject.split("[tool.setuptools.dynamic]")[0]
    assert version("simad-sync") == pipeline.__version__
