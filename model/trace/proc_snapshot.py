"""A /proc snapshot as data: tasks, their threads, tgids and `NSpid:` numbers per PID namespace, and the
parsing of a status file's text into a task. The CLI reads the tree (viz/cli/host/proc_snapshot.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from model.limits import MAX_PID_NS_LEVEL
from model.trace import TraceFormatError, printable

_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")


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


def is_task_number(name: str) -> bool:
    """Whether a /proc entry's name is a task number written plainly (no sign, no leading zero, ASCII)."""
    return _NUMBER.fullmatch(name) is not None


def parse_status(data: bytes) -> dict[str, str]:
    """The `Key:\\tvalue` lines of a status file's bytes."""
    out: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def _number(status: dict[str, str], key: str, default: int, path: str) -> int:
    """A number of the status file (`Pid:` ...), or TraceFormatError naming the file and the key."""
    value = status.get(key)
    if value is None:
        return default
    if not _NUMBER.fullmatch(value):
        raise TraceFormatError(f"{path}: {key}: expected a number, got {printable(value[:40])!r}")
    return int(value)


def task_from_status(status: dict[str, str], pid: int, path: str, pid_ns: str | None) -> ProcTask:
    """The task a status file (read from `path`, for messages) describes; TraceFormatError if it is not one."""
    levels = status.get("NSpid", str(pid)).split()
    if len(levels) > MAX_PID_NS_LEVEL + 1 or not all(_NUMBER.fullmatch(n) for n in levels):
        raise TraceFormatError(f"{path}: NSpid: expected up to {MAX_PID_NS_LEVEL + 1} numbers, one per PID namespace")
    nspid = tuple(int(n) for n in levels) or (pid,)
    return ProcTask(
        pid=_number(status, "Pid", pid, path),
        tgid=_number(status, "Tgid", pid, path),
        ppid=_number(status, "PPid", 0, path),
        name=printable(status.get("Name", "?")[:64]),
        nspid=nspid,
        pid_ns=pid_ns,
    )
