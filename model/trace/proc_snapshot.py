"""A read-only snapshot of a /proc tree: tasks, their threads, tgids and `NSpid:` numbers per PID namespace.

Tasks come and go while /proc is read; one that vanishes half-way (FileNotFoundError, ProcessLookupError,
or ESRCH) is counted and left out, never fatal. What is not a proc tree's (a status file that is a FIFO,
a device or huge, or holds no numbers where numbers go) is InputError naming the file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from model.limits import MAX_PID_NS_LEVEL
from model.trace import printable
from model.trace.source import InputError, read_regular

VANISHED = (FileNotFoundError, ProcessLookupError)


@dataclass(slots=True)
class ProcTask:
    """One task as /proc shows it: numbers as seen by the reader (pid, tgid, ppid) and per level (nspid)."""

    pid: int
    tgid: int
    ppid: int
    name: str
    nspid: tuple[int, ...]
    pid_ns: str | None = None  # the /proc/PID/ns/pid link ("pid:[4026531836]") when readable
    threads: list[ProcTask] = field(default_factory=list)

    @property
    def level(self) -> int:
        """Depth of the task's own PID namespace below the reader's."""
        return len(self.nspid) - 1


@dataclass(slots=True)
class Snapshot:
    """Every thread-group leader read, with its threads, and what could not be read."""

    tasks: list[ProcTask] = field(default_factory=list)
    vanished: int = 0
    unreadable: int = 0


STATUS_MAX = 64 << 10
"""The largest status file read (a real one is about 1.5 KiB)."""
_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")


def read_status(path: str) -> dict[str, str]:
    """The `Key:\tvalue` lines of a status file: a regular file of at most STATUS_MAX bytes, opened without
    blocking (a FIFO or a device in a crafted tree is InputError naming it, never a hang)."""
    try:
        data = read_regular(path, STATUS_MAX)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    out: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def _number(status: dict[str, str], key: str, default: int, path: str) -> int:
    """A number of the status file (`Pid:` ...), or InputError naming the file and the key."""
    value = status.get(key)
    if value is None:
        return default
    if not _NUMBER.fullmatch(value):
        raise InputError(f"{path}: {key}: expected a number, got {printable(value[:40])!r}")
    return int(value)


def _task(directory: str, pid: int) -> ProcTask:
    path = os.path.join(directory, "status")
    status = read_status(path)
    levels = status.get("NSpid", str(pid)).split()
    if len(levels) > MAX_PID_NS_LEVEL + 1 or not all(_NUMBER.fullmatch(n) for n in levels):
        raise InputError(f"{path}: NSpid: expected up to {MAX_PID_NS_LEVEL + 1} numbers, one per PID namespace")
    nspid = tuple(int(n) for n in levels) or (pid,)
    try:
        pid_ns: str | None = os.readlink(os.path.join(directory, "ns", "pid"))
    except OSError:  # not allowed to look, or gone since its status was read: numbers alone will do
        pid_ns = None
    return ProcTask(
        pid=_number(status, "Pid", pid, path),
        tgid=_number(status, "Tgid", pid, path),
        ppid=_number(status, "PPid", 0, path),
        name=printable(status.get("Name", "?")[:64]),
        nspid=nspid,
        pid_ns=pid_ns,
    )


def _numbered(directory: str) -> list[int]:
    """The task directories' numbers (names that are numbers written plainly; anything else is not a task)."""
    return sorted(int(name) for name in os.listdir(directory) if _NUMBER.fullmatch(name))


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
