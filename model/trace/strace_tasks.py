"""The traced tasks: pids, thread groups, and the cwd and descriptor table each shares (CLONE_FS, CLONE_FILES).

Turns clone/fork/exit into `spawn`, `thread` and `exit` ops, in the order the model accepts them: a task
is created the first time any line names it (a child often speaks before its parent's clone returns),
and a group leader's exit takes its threads with it, so their later `+++ exited` lines make no step.

Each task points at a `Cwd` and an `FdTable`, shared with the tasks cloned with CLONE_FS / CLONE_FILES and
copied otherwise, as the kernel's fs_struct and files_struct are. The descriptors name `OpenFile`s, each
of which the replay holds as one descriptor of the model (`Files`): dup, dup2, F_DUPFD and a fork add
names of the same open file, and the model's descriptor is closed when the last name goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from model.ops import Op, make

STANDIN_PID = 1000
"""The pid given to a trace's lines that carry none (strace without -f)."""


@dataclass(slots=True, eq=False)
class OpenFile:
    """An open file the replay holds as descriptor `handle` of the model, at `path` on the model's disk;
    `refs` counts the descriptors (in every task's table) that name it."""

    handle: int
    path: str
    refs: int = 0


@dataclass(slots=True, eq=False)
class Slot:
    """One descriptor of a task's table: the open file it names, and its close-on-exec flag."""

    file: OpenFile
    cloexec: bool = False


@dataclass(slots=True, eq=False)
class FdTable:
    """A files_struct: descriptor number -> slot, and how many tasks share it (CLONE_FILES)."""

    slots: dict[int, Slot] = field(default_factory=dict)
    users: int = 1


@dataclass(slots=True, eq=False)
class Cwd:
    """An fs_struct's working directory (shared by CLONE_FS tasks), and the model descriptor the replay
    holds on it while it is not the model's cwd."""

    path: str
    users: int = 1
    held: OpenFile | None = None


@dataclass(slots=True)
class Task:
    """One traced task: its thread group, and the cwd and descriptor table it may share with others."""

    pid: int
    tgid: int
    cwd: Cwd
    fds: FdTable
    alive: bool = True
    threads: set[int] = field(default_factory=set)


Close = Callable[[OpenFile], None]
"""Called when the last descriptor naming an open file goes: the replay closes the model's descriptor."""


class Files:
    """The open files the replay holds as model descriptors, and the numbers they have there."""

    def __init__(self, close: Close) -> None:
        self.close = close
        self.handles: set[int] = set()

    def new(self, fd: int, path: str) -> OpenFile:
        """A new open file for descriptor `fd`: the model's number is `fd` itself when free, so a trace of
        one process shows the same numbers, else the next free one."""
        handle = max(fd, 0)
        while handle in self.handles:
            handle += 1
        self.handles.add(handle)
        return OpenFile(handle, path)

    def put(self, table: FdTable, fd: int, file: OpenFile, cloexec: bool = False) -> None:
        """Descriptor `fd` of `table` names `file` (what it named before is let go first, as dup2 does)."""
        file.refs += 1  # first, so replacing a descriptor by itself never closes the file
        self.drop(table, fd)
        table.slots[fd] = Slot(file, cloexec)

    def drop(self, table: FdTable, fd: int) -> bool:
        """Descriptor `fd` of `table` goes; True if it named an open file the replay holds."""
        slot = table.slots.pop(fd, None)
        if slot is None:
            return False
        self.unref(slot.file)
        return True

    def unref(self, file: OpenFile) -> None:
        """One name of `file` goes; the last one closes the model's descriptor."""
        file.refs -= 1
        if file.refs == 0:
            self.handles.discard(file.handle)
            self.close(file)

    def copy(self, table: FdTable) -> FdTable:
        """A copy of `table` for a task cloned without CLONE_FILES (or one that unshares at execve)."""
        for slot in table.slots.values():
            slot.file.refs += 1
        return FdTable({fd: Slot(slot.file, slot.cloexec) for fd, slot in table.slots.items()})

    def leave(self, table: FdTable) -> None:
        """A task stops using `table` (it exited, or unshared it); the last user's going closes every file."""
        table.users -= 1
        if table.users == 0:
            for fd in sorted(table.slots):
                self.drop(table, fd)

    def leave_cwd(self, cwd: Cwd) -> None:
        """A task stops using `cwd`; the last user's going lets go of the descriptor held on it."""
        cwd.users -= 1
        if cwd.users == 0 and cwd.held is not None:
            held, cwd.held = cwd.held, None
            self.unref(held)


Emit = Callable[[Op, str, "str | None"], None]


class Tasks:
    """Task bookkeeping and the task ops it emits through `emit(op, say, expect)`; `gone(task)` is told of each
    task that exits, before its exit step (the kernel closes its files first)."""

    def __init__(self, emit: Emit, cwd: str, files: Files, gone: Callable[[Task], None]) -> None:
        self.emit = emit
        self.start_cwd = cwd
        self.files = files
        self.gone = gone
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
        task = self._new(pid, pid, Cwd(self.start_cwd), FdTable())
        self.emit(make("spawn", pid=pid), f"pid {pid} appears without a clone in the trace", None)
        return task

    def _first(self, pid: int) -> Task:
        self.started = True
        task = self._new(pid, pid, Cwd(self.start_cwd), FdTable())
        if pid != 1:  # the model's ns0 starts with init, pid 1
            self.emit(make("spawn", pid=pid), f"the traced program starts as pid {pid}", None)
        return task

    def _new(self, pid: int, tgid: int, cwd: Cwd, fds: FdTable) -> Task:
        task = Task(pid, tgid, cwd, fds)
        self.tasks[pid] = task
        return task

    def clone(self, parent_pid: int, child: int, text: str, say_prefix: str = "") -> Task:
        """A clone/fork/vfork that made `child`: `thread` for CLONE_THREAD, else `spawn ... parent=`."""
        parent = self.tasks[parent_pid]
        old = self.tasks.get(child)
        if old is not None and old.alive:
            self.exit(child, f"pid {child} is reused: the old task with this number must have exited unseen")
        if "CLONE_FS" in text:
            cwd = parent.cwd
            cwd.users += 1
        else:
            cwd = Cwd(parent.cwd.path)
        if "CLONE_FILES" in text:
            fds = parent.fds
            fds.users += 1
        else:
            fds = self.files.copy(parent.fds)
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
        going = [task]
        if task.tgid == pid:
            going += [self.tasks[tid] for tid in sorted(task.threads)]
        for each in going:
            self._leave(each)
        self.emit(make("exit", pid=pid), say, None)
        task.alive = False
        if task.tgid == pid:
            for tid in task.threads:
                self.tasks[tid].alive = False
            task.threads.clear()
        else:
            self.tasks[task.tgid].threads.discard(pid)

    def _leave(self, task: Task) -> None:
        """The task's files and cwd are let go of (exit_files, exit_fs)."""
        self.gone(task)
        self.files.leave(task.fds)
        self.files.leave_cwd(task.cwd)
