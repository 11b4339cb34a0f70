"""Every event cites its source: each kernel function an event names (`func`) maps to the kernel file and
function of the era its mode follows, with a link at a fixed release (model/sources.py, each mechanism's
sources.py, registered through its spec in model/parts.py)."""

from __future__ import annotations

import json
import re
from io import StringIO
from types import SimpleNamespace

import pytest

from model.events import Event
from model.parts import mechanisms, source_of, sources
from model.quiz.engine import make_quiz, subsystems
from model.scenario import builtin_names, load_builtin
from model.system import System
from tests.model.test_kernel_names import written_funcs
from viz.cli.run import _run

LINK = re.compile(
    r"https://(elixir\.bootlin\.com/linux/v[0-9.]+/A/ident/\w+"
    r"|github\.com/NetBSD/src/blob/netbsd-\d-\d-RELEASE/\S+"
    r"|github\.com/freebsd/freebsd-src/blob/release/\d+\.\d+\.\d/\S+"
    r"|man\.freebsd\.org/cgi/man\.cgi\?query=\w+&sektion=\d&manpath=FreeBSD\+[0-9.]+-RELEASE"
    r"|man\.netbsd\.org/NetBSD-[0-9.]+/\w+\.\d"
    r"|man7\.org/linux/man-pages/man\d/\w+\.\d\.html(#\w+)?"
    r"|gcc\.gnu\.org/onlinedocs/gcc/\S+)"
)
"""Links at a fixed release: a version, a release tag or a release's manual; never a moving branch."""


def emitted() -> list[tuple[Event, dict]]:
    """Every event the built-in scenarios and a quiz of each subsystem (forward and reverse) emit, with the
    config of the machine that emitted it."""
    found: list[tuple[Event, dict]] = []
    for name in builtin_names():
        scenario = load_builtin(name)
        system = System(scenario.raw_config)
        for step in scenario.steps:
            found += [(e, system.config) for e in system.apply(step.op) if e.func]
    for subsystem in subsystems():
        for reverse in (False, True):
            quiz = make_quiz(1, subsystem, 12, reverse=reverse)
            system = System(quiz.config)
            for step in quiz.steps:
                found += [(e, system.config) for e in system.apply(step.op) if e.func]
    return found


@pytest.fixture(scope="module")
def events() -> list[tuple[Event, dict]]:
    return emitted()


def test_every_func_the_scenarios_and_quizzes_emit_has_a_source(events):
    missing = sorted({e.func for e, config in events if source_of(e, config) is None})
    assert len({e.func for e, _ in events}) > 60
    assert missing == []


def test_every_func_written_in_the_model_has_a_source():
    """Also the functions no scenario reaches (vput, VOP_RMDIR, d_drop...), and those named through a variable."""
    dynamic = {"vrele", "vput", "open", "create", "mkdir", "unlink", "rmdir", "rename", "chdir", "mount",
               "read", "write", "truncate", "lookup", "getcwd_common", "cpu_dcache_wbinval_all",
               "cpu_icache_inval_all", "__flush_purge_region"}  # fmt: skip
    assert sorted((written_funcs() | dynamic) - set(sources())) == []


def test_every_source_links_to_a_fixed_release_and_names_its_file_and_function():
    for func, found in sources().items():
        for source in found:
            assert LINK.fullmatch(source.url), (func, source.url)
            assert source.file and source.function and source.kernel, func
            assert "/" in source.file or source.file.startswith("man"), (func, source.file)
    assert {m.name for m in mechanisms() if m.sources} >= {"vfs", "procfs", "cpu"}


def test_the_source_follows_the_mode():
    """The era the mode follows: cacheflush per ABI and kernel mode (from the event's data), proc_flush_task
    per proc_kernel (from the config)."""

    def of(func: str, config: dict | None = None, **data: str) -> str:
        source = source_of(Event("x", "x", func=func, data=data), config)
        assert source is not None
        return f"{source.kernel} {source.file} {source.function}"

    assert of("sys_cacheflush", abi="mips", mode="linux") == "Linux v4.19 arch/mips/mm/cache.c sys_cacheflush"
    assert of("sys_cacheflush", abi="m68k", mode="linux") == "Linux v4.19 arch/m68k/kernel/sys_m68k.c sys_cacheflush"
    assert of("sys_cacheflush", abi="mips", mode="spec").startswith("Linux v6.5 arch/parisc/kernel/cache.c")
    assert of("sys_cacheflush", abi="sh", mode="legacy").startswith("Linux man-pages man2/cacheflush.2")
    assert of("proc_flush_task", {"proc_kernel": "v4.19"}) == "Linux v4.19 fs/proc/base.c proc_flush_task"
    assert of("proc_flush_task", {"proc_kernel": "v2.6.24"}) == "Linux v2.6.24 fs/proc/base.c proc_flush_task"
    assert of("cache_lookup") == "NetBSD 4.0 sys/kern/vfs_cache.c cache_lookup"
    assert of("vrele") == "FreeBSD 4.11 sys/kern/vfs_subr.c vrele"
    assert source_of(Event("x", "x")) is None  # no func, no source


def test_run_json_gives_each_event_its_source():
    out = StringIO()
    assert _run(SimpleNamespace(scenario="namecache-basics", json=True, state=False), out) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    with_func = [e for r in records for e in r["events"] if "func" in e]
    assert with_func and all("source" in e for e in with_func)
    lookup = next(e for e in with_func if e["func"] == "cache_lookup")
    assert lookup["source"] == {
        "kernel": "NetBSD 4.0",
        "file": "sys/kern/vfs_cache.c",
        "function": "cache_lookup",
        "url": "https://github.com/NetBSD/src/blob/netbsd-4-0-RELEASE/sys/kern/vfs_cache.c",
    }
    assert not [e for r in records for e in r["events"] if "func" not in e and "source" in e]
