"""A read-only snapshot of a /proc tree: tasks, their threads, tgids and `NSpid:` numbers per PID namespace.

Tasks come and go while /proc is read; one that vanishes half-way (FileNotFoundError, ProcessLookupError,
or ESRCH) is counted and left out, never fatal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

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


def read_status(path: str) -> dict[str, str]:
    """The `Key:\\tvalue` lines of a status file."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def _task(directory: str, pid: int) -> ProcTask:
    status = read_status(os.path.join(directory, "status"))
    nspid = tuple(int(n) for n in status.get("NSpid", str(pid)).split()) or (pid,)
    try:
        pid_ns: str | None = os.readlink(os.path.join(directory, "ns", "pid"))
    except OSError:  # not allowed to look, or gone since its status was read: numbers alone will do
        pid_ns = None
    return ProcTask(
        pid=int(status.get("Pid", pid)),
        tgid=int(status.get("Tgid", pid)),
        ppid=int(status.get("PPid", 0)),
        name=status.get("Name", "?"),
        nspid=nspid,
        pid_ns=pid_ns,
    )


def _numbered(directory: str) -> list[int]:
    return sorted(int(name) for name in os.listdir(directory) if name.isdigit())


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
