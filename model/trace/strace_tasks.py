"""The traced tasks: pids, thread groups, and the cwd and fd tables each shares (CLONE_FS, CLONE_FILES).

Turns clone/fork/exit into `spawn`, `thread` and `exit` ops, in the order the model accepts them: a task
is created the first time any line names it (a child often speaks before its parent's clone returns),
and a group leader's exit takes its threads with it, so their later `+++ exited` lines make no step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from model.ops import Op, make

STANDIN_PID = 1000
"""The pid given to a trace's lines that carry none (strace without -f)."""


@dataclass(slots=True)
class Task:
    """One traced task: its thread group, and the cwd and fd table it may share with others."""

    pid: int
    tgid: int
    cwd: list[str]  # one cell, shared by tasks cloned with CLONE_FS
    fds: dict[int, str]  # shared by tasks cloned with CLONE_FILES
    alive: bool = True
    threads: set[int] = field(default_factory=set)


Emit = Callable[[Op, str, "str | None"], None]


class Tasks:
    """Task bookkeeping and the task ops it emits through `emit(op, say, expect)`."""

    def __init__(self, emit: Emit, cwd: str) -> None:
        self.emit = emit
        self.start_cwd = cwd
        self.tasks: dict[int, Task] = {}
        self.started = False
        self.unannounced = 0
        self.skipped_exits = 0

    def get(self, pid: int | None, pending_clone: tuple[int, str] | None = None) -> Task:
        """The live task `pid`, created now if this is the first line that names it.

        `pending_clone` is (parent pid, clone text) of a clone still in progress, whose child this is.
        """
        pid = STANDIN_PID if pid is None else pid
        task = self.tasks.get(pid)
        if task is not None and task.alive:
            return task
        if not self.started:
            return self._first(pid)
        if pending_clone is not None and pending_clone[0] in self.tasks:
            return self.clone(pending_clone[0], pid, pending_clone[1], say_prefix="(seen before its clone returned) ")
        self.unannounced += 1
        task = self._new(pid, pid, [self.start_cwd], {})
        self.emit(make("spawn", pid=pid), f"pid {pid} appears without a clone in the trace", None)
        return task

    def _first(self, pid: int) -> Task:
        self.started = True
        task = self._new(pid, pid, [self.start_cwd], {})
        if pid != 1:  # the model's ns0 starts with init, pid 1
            self.emit(make("spawn", pid=pid), f"the traced program starts as pid {pid}", None)
        return task

    def _new(self, pid: int, tgid: int, cwd: list[str], fds: dict[int, str]) -> Task:
        task = Task(pid, tgid, cwd, fds)
        self.tasks[pid] = task
        return task

    def clone(self, parent_pid: int, child: int, text: str, say_prefix: str = "") -> Task:
        """A clone/fork/vfork that made `child`: `thread` for CLONE_THREAD, else `spawn ... parent=`."""
        parent = self.tasks[parent_pid]
        old = self.tasks.get(child)
        if old is not None and old.alive:
            self.exit(child, f"pid {child} is reused: the old task with this number must have exited unseen")
        cwd = parent.cwd if "CLONE_FS" in text else list(parent.cwd)
        fds = parent.fds if "CLONE_FILES" in text else dict(parent.fds)
        if "CLONE_THREAD" in text:
            leader = self.tasks[parent.tgid]
            task = self._new(child, leader.pid, cwd, fds)
            leader.threads.add(child)
            self.emit(make("thread", tgid=leader.pid, tid=child), f"{say_prefix}[{parent_pid}] {text}", None)
        else:
            task = self._new(child, child, cwd, fds)
            self.emit(make("spawn", pid=child, parent=parent_pid), f"{say_prefix}[{parent_pid}] {text}", None)
        return task

    def is_known(self, pid: int) -> bool:
        """True if `pid` is a live task already (made early, before its clone returned)."""
        task = self.tasks.get(pid)
        return task is not None and task.alive

    def exit(self, pid: int | None, say: str) -> None:
        """`+++ exited +++`: the task goes; a group leader takes its threads with it (as the model does)."""
        pid = STANDIN_PID if pid is None else pid
        task = self.tasks.get(pid)
        if task is None or not task.alive or pid == 1:
            self.skipped_exits += 1
            return
        self.emit(make("exit", pid=pid), say, None)
        task.alive = False
        if task.tgid == pid:
            for tid in task.threads:
                self.tasks[tid].alive = False
            task.threads.clear()
        else:
            self.tasks[task.tgid].threads.discard(pid)
