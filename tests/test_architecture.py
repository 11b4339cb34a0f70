"""The layout holds: no import circle in model/, viz/ or themes/, and no import against the grain.

The graph is read with `ast` from every import statement, wherever it is: at the top, inside a function
(a late import), or under `if TYPE_CHECKING:` (a type is a dependency too). The rules:

- the model imports no UI: nothing under model/ imports viz, themes, textual or rich;
- themes import neither the model nor viz;
- a mechanism (a package of model/ that registers one, e.g. model.vfs) imports no other mechanism;
- the core (every other module of model/: the registry, the command language, the quiz engine, the
  trace importers) imports no mechanism: mechanisms come to it through the registry.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import model
from model.parts import CORE_PACKAGES

ROOT = Path(model.__file__).resolve().parent.parent
PACKAGES = ("model", "viz", "themes")
MECHANISMS = sorted(
    p.name for p in (ROOT / "model").iterdir() if (p / "__init__.py").exists() and p.name not in CORE_PACKAGES
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    """Every module of our packages by dotted name."""
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """Every module `name` imports, at any depth of its tree (the full name where it is one of ours)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                yield target if target in known else base


def graph() -> dict[str, set[str]]:
    """module -> the modules it imports (ours and others', by full name)."""
    modules = sources()
    known = set(modules)
    return {name: set(imports_of(name, path, known)) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in edges:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges[node]:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def mechanism_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "model" and len(parts) > 1 and parts[1] in MECHANISMS else None


def forbidden(module: str, target: str) -> str | None:
    """Why the import of `target` by `module` goes against the layout, or None."""
    top, target_top = module.split(".")[0], target.split(".")[0]
    if top == "model" and target_top in ("viz", "themes", "textual", "rich"):
        return "the model imports no UI"
    if top == "themes" and target_top in ("model", "viz"):
        return "themes import neither the model nor viz"
    here, there = mechanism_of(module), mechanism_of(target)
    if there is not None and here is not None and here != there:
        return "a mechanism imports no other mechanism"
    if there is not None and here is None and top == "model":
        return "the core imports no mechanism (mechanisms reach it through the registry)"
    return None


def test_the_mechanisms_are_found_as_packages():
    assert MECHANISMS == ["cpu", "procfs", "vfs"]


def test_no_import_circle_in_model_viz_or_themes():
    assert cycles(graph()) == []


def test_no_import_against_the_layout():
    offenders = [
        f"{module} -> {target}: {why}"
        for module, targets in sorted(graph().items())
        for target in sorted(targets)
        if (why := forbidden(module, target)) is not None
    ]
    assert offenders == []


def test_the_checks_catch_what_they_are_for():
    """The rules and the circle finder, on edges that break them (so a rule that can never fire is caught)."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert forbidden("model.vfs.namei", "model.procfs.dcache") == "a mechanism imports no other mechanism"
    assert forbidden("model.quiz.engine", "model.vfs.quiz") is not None
    assert forbidden("model.trace.din", "model.cpu.cache") is not None
    assert forbidden("model.system", "textual.app") == "the model imports no UI"
    assert forbidden("themes", "viz.app") is not None
    assert forbidden("model.vfs.verbs", "model.ops") is None
    assert forbidden("viz.panels._namecache", "model.vfs.namecache") is None


def test_late_and_type_checking_imports_are_in_the_graph():
    """The graph sees an import inside a function and under TYPE_CHECKING, and resolves relative ones."""
    edges = graph()
    assert "model.vfs.vfs" in edges["model.vfs.namei"]  # under TYPE_CHECKING
    assert "viz.panels" in edges["viz.help"]  # inside legend_table
    assert "model.vfs.syscalls" in edges["model.vfs.verbs"]  # `from model.vfs import syscalls`
