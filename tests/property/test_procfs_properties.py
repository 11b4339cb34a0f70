"""Random procfs histories (hypothesis state machine): docs/kernel-rules.md §3's invariants hold after every step.

The rules pick among the tasks, namespaces and held dentries that exist, so most generated commands are
accepted and the histories reach nested namespaces, threads, stale dentries and released mounts.
"""

import copy
import json

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from model.events import Event
from model.ops import parse
from model.procfs.objects import Task
from model.procfs.procfs import KERNELS, Procfs
from model.system import System

PICK = st.integers(min_value=0, max_value=1_000)
NR = st.integers(min_value=1, max_value=9)
SHAPES = ("", "/status", "/task", "/task/{tid}", "/task/{tid}/status", "/stat", "/nosuch")


class ProcHistory(RuleBasedStateMachine):
    """Spawns, threads, unshares, walks, holds, releases and exits, checked after every command."""

    def __init__(self) -> None:
        super().__init__()
        self.system = System()
        self.seen: set[str] = set()

    @property
    def fs(self) -> Procfs:
        return self.system.part("procfs")

    def apply(self, line: str) -> list[Event]:
        events = self.system.apply(parse(line))
        assert events, line
        self.seen.update(e.func for e in events)
        return events

    def live(self) -> list[Task]:
        """Live tasks, newest first (hypothesis favours small picks: recent tasks get walked and exit)."""
        return [t for t in reversed(self.fs.tasks.values()) if t.alive]

    @initialize(kernel=st.sampled_from(KERNELS))
    def boot(self, kernel: str) -> None:
        self.system = System({"proc_kernel": kernel})

    @rule(pick=PICK, nr=NR)
    def fork(self, pick: int, nr: int) -> None:
        parent = self.live()[pick % len(self.live())]
        target = self.fs.namespaces.get(parent.children_ns)
        if target is not None and target.reaper is None:
            nr = 1
        elif target is not None and nr in target.pids:
            nr = max(target.pids) + 1  # mostly free numbers; collisions are tested elsewhere
        self.apply(f"spawn {nr} parent={parent.global_nr}")

    @rule(pick=PICK)
    def unshare(self, pick: int) -> None:
        fresh = [t for t in self.live() if t.children_ns == t.ns]
        if not fresh:
            return
        task = fresh[pick % len(fresh)]
        self.apply(f"unshare-pid {task.nr} ns={task.ns}")

    @rule(pick=PICK, nr=NR)
    def clone_thread(self, pick: int, nr: int) -> None:
        leaders = [t for t in self.live() if t.is_leader and t.children_ns == t.ns]
        if not leaders:
            return
        leader = leaders[pick % len(leaders)]
        ns = self.fs.namespaces[leader.ns]
        tid = nr + 10 if nr + 10 not in ns.pids else max(ns.pids) + 1
        self.apply(f"thread {leader.nr} {tid} ns={leader.ns}")

    @rule(pick=PICK)
    def exit(self, pick: int) -> None:
        mortal = [t for t in self.live() if t.ns != 0 or t.nr != 1]
        if not mortal:
            return
        task = mortal[pick % len(mortal)]
        self.apply(f"exit {task.nr} ns={task.ns}")

    @rule(pick=PICK, ns_pick=PICK, shape=st.sampled_from(SHAPES), verb=st.sampled_from(["cat", "hold"]))
    def walk(self, pick: int, ns_pick: int, shape: str, verb: str) -> None:
        mounted = [ns for ns in reversed(self.fs.namespaces.values()) if ns.mount and not ns.mount.released]
        ns = mounted[ns_pick % len(mounted)]
        visible = [t for t in self.live() if t.nr_in(ns) is not None]
        task = visible[pick % len(visible)]
        leader = self.fs.leader_of(task)
        threads = [leader, *(self.fs.tasks[s] for s in leader.threads)]
        tid = threads[pick % len(threads)].nr_in(ns)
        self.apply(f"{verb} /proc/{leader.nr_in(ns)}{shape.format(tid=tid)} ns={ns.id}")

    @rule(pick=PICK, shape=st.sampled_from(SHAPES))
    def hold_then_exit(self, pick: int, shape: str) -> None:
        """Keep a dentry of a task in use, then let the task (or its group) exit: the §3.4 case."""
        mortal = [t for t in self.live() if t.ns != 0 or t.nr != 1]
        if not mortal:
            return
        task = mortal[pick % len(mortal)]
        leader = self.fs.leader_of(task)
        self.apply(f"hold /proc/{leader.nr}{shape.format(tid=task.nr)} ns={task.ns}")
        self.apply(f"exit {task.nr} ns={task.ns}")

    @rule(pick=PICK)
    def release(self, pick: int) -> None:
        held = [d for d in self.fs.dentries.values() if d.holds]
        if held:
            self.apply(f"dput {held[pick % len(held)].ref}")

    @invariant()
    def consistent(self) -> None:
        assert self.system.check() == []
        fs = self.fs
        for d in fs.dentries.values():
            task = fs.task_of(d)
            if task is not None and not task.alive and not fs.is_stale(d):
                assert fs.legacy, fs.path(d)  # only the v2.6.24 form leaves a dead task's dentry hashed

    @invariant()
    def copies_exactly(self) -> None:
        twin = copy.deepcopy(self.fs)
        assert json.dumps(twin.to_dict()) == json.dumps(self.fs.to_dict())


ProcHistory.TestCase.settings = settings(stateful_step_count=40)  # examples: the profile (tests/conftest.py)
TestProcHistory = ProcHistory.TestCase
