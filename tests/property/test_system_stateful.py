"""The whole System under random command lines of every subsystem: invariants after every operation.

Lines are generated as text and parsed (so the parser is exercised too), applied to one System holding
the name cache, vnodes, page cache, procfs and CPU caches together, and after every one: `System.check()`
is empty and the text round-trips; a copy equals the original at the end; and three accounting rules hold:
every cache_lookup call moves exactly one of the six nchstats counters (§1.10); bytes are counted lost
only by an invalidation, exactly the dirty bytes it dropped (§4.3); and no dirty data disappears otherwise.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from model.events import Event
from model.ops import parse, to_text
from model.procfs.procfs import KERNELS
from model.system import System
from model.vfs.page import DIRTY, QUEUED
from model.vfs.vfs import Vfs
from tests.property.strategies import (
    CONFIG,
    PROC_SHAPES,
    SETUP,
    core_lines,
    cpu_lines,
    page_lines,
    proc_lines,
    vfs_lines,
)

LOOKUP_OUTCOMES = frozenset(
    {"namecache.miss", "namecache.long", "namecache.hit", "namecache.neghit", "namecache.badhit", "namecache.falsehit"}
)
"""The event kinds of which each cache_lookup call emits exactly one: one call, one outcome."""

PICK = st.integers(min_value=0, max_value=1_000)

Unsaved = dict[tuple[tuple[str, int], int], tuple[str, int]]
"""(file, page index) -> (version, offset of its first dirty byte) of data the file server does not have yet."""


def unsaved(vfs: Vfs) -> Unsaved:
    """The data only the kernel holds: every dirty or queued page, by the file it belongs to."""
    out: Unsaved = {}
    for vnode, pages in vfs.pagecache.pages.items():
        vp = vfs.vnodes.get(vnode)
        file = vfs.file_of(vp) if vp is not None else None
        for index, page in pages.items():
            if file is not None and page.state in (DIRTY, QUEUED):
                first = min((lo for lo, _ in page.dirty), default=0)
                out[(file, index)] = (page.version, index * vfs.pagecache.page_size + first)
    return out


class SystemMachine(RuleBasedStateMachine):
    """One System driven through the command language, a subsystem per rule plus state-aware picks."""

    def __init__(self) -> None:
        super().__init__()
        self.system = System(CONFIG)

    @initialize(
        kernel=st.sampled_from(KERNELS),
        protocol=st.sampled_from(["freebsd4", "freebsd5"]),
        mode=st.sampled_from(["linux", "spec", "legacy"]),
    )
    def boot(self, kernel: str, protocol: str, mode: str) -> None:
        config = {**CONFIG, "proc_kernel": kernel, "vnode_protocol": protocol, "cacheflush_mode": mode}
        self.system = System(config)
        for line in SETUP:
            events = self.system.apply(parse(line))
            assert not [e for e in events if e.is_error], (line, events)

    @property
    def vfs(self) -> Vfs:
        return self.system.part("vfs")

    def do(self, line: str) -> list[Event]:
        """Parse and apply one line, checking the accounting rules around it."""
        op = parse(line)
        assert parse(to_text(op)) == op, (line, to_text(op))
        vfs = self.vfs
        pagecache, namecache = vfs.pagecache, vfs.namecache
        before = unsaved(vfs)
        lost_before, calls_before = pagecache.stats["bytes_lost"], namecache.lookups
        dirty_before = {
            (vnode, index): page.dirty_bytes
            for vnode, pages in pagecache.pages.items()
            for index, page in pages.items()
            if page.state == DIRTY
        }
        events = self.system.apply(op)
        assert events and all(isinstance(e, Event) and e.text for e in events), (line, events)
        outcomes = sum(1 for e in events if e.func == "cache_lookup" and e.kind in LOOKUP_OUTCOMES)
        assert namecache.lookups - calls_before == outcomes, line
        lost = pagecache.stats["bytes_lost"] - lost_before
        assert lost == sum(e.data["bytes"] for e in events if e.kind == "page.lost"), line
        if op.verb == "inval":
            dropped = sum(n for (v, i), n in dirty_before.items() if i not in pagecache.pages.get(v, {}))
            assert lost == dropped, (line, lost, dropped)
        else:
            assert lost == 0, line
            self.nothing_lost(op.verb, before)
        return events

    def nothing_lost(self, verb: str, before: Unsaved) -> None:
        """Dirty or queued data is still pending, or on the server, unless its file or its page is gone."""
        vfs = self.vfs
        after = unsaved(vfs)
        queued = {(r.file, r.index, r.version) for r in vfs.pagecache.queue}
        for (file, index), (version, first_dirty) in before.items():
            mount = vfs.mounts.get(file[0])
            if mount is None or file[1] not in mount.fs.inodes:
                continue  # the file itself is gone (last link removed, or unmounted)
            server = vfs.pagecache.server_file(file)
            if verb == "truncate" and first_dirty >= server.size:
                continue  # every byte written lay past the new end of file: truncated away on purpose
            kept = (file, index) in after or (file, index, version) in queued or server.pages.get(index) == version
            assert kept, f"{verb}: page {index} of {file} (version {version}) vanished without reaching the server"

    @rule(line=vfs_lines())
    def vfs_op(self, line: str) -> None:
        self.do(line)

    @rule(line=page_lines())
    def page_op(self, line: str) -> None:
        self.do(line)

    @rule(line=proc_lines())
    def proc_op(self, line: str) -> None:
        self.do(line)

    @rule(line=cpu_lines())
    def cpu_op(self, line: str) -> None:
        self.do(line)

    @rule(line=core_lines())
    def core_op(self, line: str) -> None:
        self.do(line)

    @rule(pick=PICK)
    def close_a_held_vnode(self, pick: int) -> None:
        held = sorted(self.vfs.user_refs)
        if held:
            self.do(f"close {held[pick % len(held)]}")

    @rule(pick=PICK, shape=st.sampled_from(PROC_SHAPES), verb=st.sampled_from(["cat", "hold", "exit"]))
    def touch_a_live_task(self, pick: int, shape: str, verb: str) -> None:
        fs = self.system.part("procfs")
        live = [t for t in reversed(fs.tasks.values()) if t.alive and (t.ns, t.nr) != (0, 1)]
        if not live:
            return
        task = live[pick % len(live)]
        if verb == "exit":
            self.do(f"exit {task.nr} ns={task.ns}")
        else:
            leader = fs.leader_of(task)
            self.do(f"{verb} /proc/{leader.nr}{shape.format(tid=task.nr)} ns={task.ns}")

    @rule(pick=PICK, nr=st.integers(2, 30), thread=st.booleans())
    def fork_or_clone(self, pick: int, nr: int, thread: bool) -> None:
        fs = self.system.part("procfs")
        live = [t for t in reversed(fs.tasks.values()) if t.alive]
        task = live[pick % len(live)]
        if thread:
            leader = fs.leader_of(task)
            self.do(f"thread {leader.nr} {nr + 30} ns={leader.ns}")
        else:
            self.do(f"spawn {nr} parent={task.global_nr}")

    @rule(pick=PICK)
    def release_a_held_dentry(self, pick: int) -> None:
        held = [d for d in self.system.part("procfs").dentries.values() if d.holds]
        if held:
            self.do(f"dput {held[pick % len(held)].ref}")

    @invariant()
    def consistent(self) -> None:
        assert self.system.check() == []

    def teardown(self) -> None:
        """A copy (what a checkpoint is) equals the original at the end of every history."""
        assert self.system.copy().to_dict() == self.system.to_dict()


SystemMachine.TestCase.settings = settings(stateful_step_count=40)  # examples: the profile (tests/conftest.py)
TestSystemMachine = SystemMachine.TestCase
