"""`import proc`: a read-only snapshot of a /proc tree, for `model.trace.proc_import`.

Tasks come and go while /proc is read; one that vanishes half-way (FileNotFoundError, ProcessLookupError,
or ESRCH) is counted and left out, never fatal. What is not a proc tree's (a status file that is a FIFO,
a device or huge, or holds no numbers where numbers go) is an error naming the file.
"""

from __future__ import annotations

import os

from model.trace.proc_snapshot import ProcTask, Snapshot, is_task_number, parse_status, task_from_status
from viz.cli.host.source import InputError, read_regular

VANISHED = (FileNotFoundError, ProcessLookupError)

STATUS_MAX = 64 << 10
"""The largest status file read (a real one is about 1.5 KiB)."""


def read_status(path: str) -> dict[str, str]:
    """The `Key:\\tvalue` lines of a status file: a regular file of at most STATUS_MAX bytes, opened without
    blocking (a FIFO or a device in a crafted tree is InputError naming it, never a hang)."""
    try:
        data = read_regular(path, STATUS_MAX)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    return parse_status(data)


def _task(directory: str, pid: int) -> ProcTask:
    path = os.path.join(directory, "status")
    status = read_status(path)
    try:
        pid_ns: str | None = os.readlink(os.path.join(directory, "ns", "pid"))
    except OSError:  # not allowed to look, or gone since its status was read: numbers alone will do
        pid_ns = None
    return task_from_status(status, pid, path, pid_ns)


def _numbered(directory: str) -> list[int]:
    """The task directories' numbers (names that are numbers written plainly; anything else is not a task)."""
    return sorted(int(name) for name in os.listdir(directory) if is_task_number(name))


def take(proc: str = "/proc") -> Snapshot:
    """Read every task under `proc` (read-only), tolerating tasks that exit meanwhile."""
    snap = Snapshot()
    for pid in _numbered(proc):
        directory = os.path.join(proc, str(pid))
        try:
            leader = _task(directory, pid)
            tids = _numbered(os.path.join(directory, "task")) if os.path.isdir(os.path.join(directory, "task")) else []
        except VANISHED:
            snap.vanished += 1
            continue
        except OSError as exc:
            if exc.errno == 3:  # ESRCH
                snap.vanished += 1
            else:
                snap.unreadable += 1
            continue
        for tid in tids:
            if tid == pid:
                continue
            try:
                leader.threads.append(_task(os.path.join(directory, "task", str(tid)), tid))
            except VANISHED:
                snap.vanished += 1
            except OSError:
                snap.unreadable += 1
        snap.tasks.append(leader)
    return snap
