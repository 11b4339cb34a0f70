"""Scenario files are data only: loading and running one evaluates no code and writes no file.

Static: nothing under model/ calls eval/exec/compile/__import__ or imports pickle-like deserialisers or
code by name (importlib, except the registry in model/parts.py loading our own mechanism packages, and
importlib.resources reading our own scenario files). Nothing under model/, the trace importers included
(they parse what viz/cli/host/ reads for them), imports what touches files or processes. Dynamic:
scenarios naming real paths, and holding text that looks like code, run with every file-writing call
trapped, and leave the disk as it was.
"""

from __future__ import annotations

import ast
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import model
from model.scenario import builtin_names, load_builtin, load_file

ROOT = Path(model.__file__).parent
CODE_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
DESERIALISERS = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "jsonpickle", "yaml"}
REGISTRY = {"model/parts.py"}
"""The module that imports our own packages by name: the registry, loading the mechanisms."""
SYSTEM_MODULES = {"os", "shutil", "tempfile", "subprocess", "socket", "io", "ctypes", "mmap", "sys", "stat", "glob"}


def modules(under: Path = ROOT) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(under.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def imported(tree: ast.Module) -> Iterator[str]:
    """Every name an import statement brings in, in full (`from a import b` gives a.b)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_evaluates_code_or_deserialises_objects() -> None:
    offenders = []
    for path, tree in modules():
        name = path.relative_to(ROOT.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CODE_CALLS:
                offenders.append(f"{name}:{node.lineno}: {node.func.id}()")
        for module in imported(tree):
            top = module.split(".")[0]
            if top in DESERIALISERS:
                offenders.append(f"{name}: imports {module}")
            registry = module == "importlib" and name in REGISTRY
            if top == "importlib" and not registry and module != "importlib.resources":
                offenders.append(f"{name}: imports {module}")
    assert offenders == []


def test_only_the_registry_imports_modules_by_name() -> None:
    """The one dynamic import loads our own packages, found by pkgutil, never a name from data."""
    source = (ROOT / "parts.py").read_text(encoding="utf-8")
    assert 'importlib.import_module(f"model.{module.name}")' in source
    assert "pkgutil.iter_modules([str(Path(__file__).parent)])" in source


def test_the_model_imports_nothing_that_touches_files_or_processes() -> None:
    """The trace importers included: they parse what the CLI reads for them (viz/cli/host/)."""
    offenders = []
    for path, tree in modules():
        for module in imported(tree):
            if module.split(".")[0] in SYSTEM_MODULES:
                offenders.append(f"{path.name}: imports {module}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                offenders.append(f"{path.name}:{node.lineno}: open()")
    assert offenders == []


@pytest.fixture
def no_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Trap every call that could create, change or remove a file; return the list of attempts."""
    attempts: list[str] = []
    real_open = io.open

    def guarded_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(flag in mode for flag in "wax+"):
            attempts.append(f"open({file!r}, {mode!r})")
            raise PermissionError("write trapped by the test")
        return real_open(file, mode, *args, **kwargs)

    def trap(name: str):  # type: ignore[no-untyped-def]
        def trapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            attempts.append(f"os.{name}{args}")
            raise PermissionError("write trapped by the test")

        return trapped

    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr("builtins.open", guarded_open)
    real_os_open = os.open

    def guarded_os_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            attempts.append(f"os.open({path!r})")
            raise PermissionError("write trapped by the test")
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_os_open)
    for name in ("remove", "unlink", "rename", "replace", "mkdir", "makedirs", "rmdir", "truncate", "symlink",
                 "link", "chmod", "utime"):  # fmt: skip
        monkeypatch.setattr(os, name, trap(name))
    return attempts


def snapshot(directory: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        p.relative_to(directory).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size, p.read_bytes())
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_the_trap_catches_every_kind_of_write(tmp_path: Path, no_writes: list[str]) -> None:
    """The check below is only as good as its trap: each of these is caught and recorded."""
    target = tmp_path / "f"
    attempts = [
        lambda: target.write_text("x"),
        lambda: target.touch(),
        lambda: open(target, "a"),  # noqa: SIM115
        lambda: (tmp_path / "d").mkdir(),
        lambda: target.unlink(),
        lambda: target.rename(tmp_path / "g"),
    ]
    for attempt in attempts:
        recorded = len(no_writes)
        with pytest.raises(PermissionError):
            attempt()
        assert len(no_writes) > recorded
    assert not target.exists()


@pytest.fixture
def scenario_on_disk(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A scenario naming real paths beside it (its directory, a file, itself), with code-like text."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    sentinel = tmp_path / "pwned"
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'''title = "__import__('os').system('touch {sentinel}')"
about = "{{{{ {sentinel} }}}} $(touch {sentinel}) `touch {sentinel}`"
[config]
tree = ["{tmp_path}/", "{victim}", "{scenario}"]
[[step]]
do = "create {tmp_path}/new"
[[step]]
do = "write {victim} 0 100"
[[step]]
do = "unlink {victim}"
[[step]]
do = "rename {scenario} {tmp_path}/moved"
[[step]]
do = "mkdir {tmp_path}/dir"
[[step]]
do = "say $(touch {sentinel}); exec('import os')"
[[step]]
do = "cat /proc/1/status"
'''
    )
    return scenario, victim, sentinel


def test_scenarios_naming_real_paths_and_holding_code_like_text_change_nothing_on_disk(
    tmp_path: Path, scenario_on_disk: tuple[Path, Path, Path], no_writes: list[str]
) -> None:
    """The model's files are its own: `create`, `write`, `unlink`, `rename`, `mkdir` of real paths (the
    scenario's own directory, its own file) stay inside the simulation; text that looks like code stays text."""
    scenario, _, sentinel = scenario_on_disk
    before = snapshot(tmp_path)
    loaded = load_file(scenario)
    timeline = loaded.timeline()
    while (events := timeline.step()) is not None:
        assert not [e for e in events if e.is_error], events
    assert timeline.system.check() == []
    assert no_writes == []
    assert snapshot(tmp_path) == before
    assert not sentinel.exists()


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_runs_without_touching_the_disk(name: str, no_writes: list[str]) -> None:
    timeline = load_builtin(name).timeline()
    while timeline.step() is not None:
        pass
    timeline.goto(0)
    assert no_writes == []
