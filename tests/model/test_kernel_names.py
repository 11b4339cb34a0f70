"""Kernel names are defs: every kernel function an event names (its `func`) is a def of that name in model/.

So `grep -rn "def vop_inactive" model/` lands on the code that does it. The funcs are gathered two ways:
from what every built-in scenario and a quiz of every subsystem (forward and reverse) emit when run, and
from every `func=` written in model/ (keyword arguments and the lazy events' class attributes), so that a
function no scenario reaches is held to the rule too. Kernel names are upper-case in places (VOP_INACTIVE,
a macro); the def is the lower-case name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import model
from model.quiz.engine import make_quiz, subsystems
from model.scenario import builtin_names, load_builtin
from model.system import System

ROOT = Path(model.__file__).resolve().parent
NOT_FUNCTIONS = {"file server"}
"""`func` values that name the actor rather than a function: the puffs file server changing its own files."""


def trees() -> Iterator[ast.Module]:
    for path in sorted(ROOT.rglob("*.py")):
        yield ast.parse(path.read_text(encoding="utf-8"), str(path))


def defs() -> set[str]:
    """The names of every function and method defined under model/, lower-cased."""
    return {
        node.name.lower()
        for tree in trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def written_funcs() -> set[str]:
    """Every `func` given as a string in model/: `func="cache_lookup"`, and `func = ...` in a class body."""
    found: set[str] = set()
    for tree in trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "func" and isinstance(node.value, ast.Constant):
                found.add(node.value.value)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    names = target.elts if isinstance(target, ast.Tuple) else [target]
                    values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                    for name, value in zip(names, values, strict=False):
                        if isinstance(name, ast.Name) and name.id == "func" and isinstance(value, ast.Constant):
                            found.add(value.value)
    return {f for f in found if isinstance(f, str) and f}


def emitted_funcs() -> set[str]:
    """Every `func` the built-in scenarios and a quiz of each subsystem emit when run."""
    found: set[str] = set()
    for name in builtin_names():
        scenario = load_builtin(name)
        system = System(scenario.raw_config)
        for step in scenario.steps:
            found |= {e.func for e in system.apply(step.op) if e.func}
    for subsystem in subsystems():
        for reverse in (False, True):
            quiz = make_quiz(1, subsystem, 12, reverse=reverse)
            system = System(quiz.config)
            for step in quiz.steps:
                found |= {e.func for e in system.apply(step.op) if e.func}
    return found


@pytest.fixture(scope="module")
def kernel_defs() -> set[str]:
    return defs()


def test_every_emitted_func_is_a_def(kernel_defs):
    emitted = emitted_funcs() - NOT_FUNCTIONS
    assert len(emitted) > 60  # the scenarios and quizzes reach most of the model
    assert sorted(f for f in emitted if f.lower() not in kernel_defs) == []


def test_every_written_func_is_a_def(kernel_defs):
    written = written_funcs() - NOT_FUNCTIONS
    assert {"vop_inactive", "cache_lookup", "proc_flush_task_mnt", "sys_cacheflush"} <= {f.lower() for f in written}
    assert sorted(f for f in written if f.lower() not in kernel_defs) == []


def test_the_names_the_issue_looked_for_are_defs(kernel_defs):
    """The functions a new maintainer could not find by name before (issue 15), and their neighbours."""
    wanted = {
        "vop_inactive", "vop_reclaim", "vinactive", "vgone", "getnewvnode", "vfs_vget", "vop_lookup",
        "puffs_inval_pagecache_node_range", "puffs_flush_pagecache_node", "vop_putpages", "vclean",
        "proc_flush_task", "proc_flush_task_mnt", "proc_pid_lookup", "proc_kill_sb", "pid_revalidate",
        "sys_cacheflush", "cache_flush_040", "__builtin___clear_cache", "getcwd_common", "cache_revlookup",
        "cache_purge1", "namei_hash", "nchash",
    }  # fmt: skip
    assert sorted(wanted - kernel_defs) == []


def test_a_func_without_a_def_is_caught(kernel_defs):
    assert "vop_frobnicate" not in kernel_defs
    assert "file server" not in kernel_defs  # so NOT_FUNCTIONS is needed, and used
    assert "file server" in written_funcs()
