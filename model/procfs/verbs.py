"""The procfs verbs: tasks and PID namespaces, /proc walks, holds, and exit (§3).

Numbers on a line are read in the namespace given by ``ns=`` (default ns0, the initial namespace); for
``spawn`` that is the new task's own namespace. Numbers at other levels are allocated, or given with
``outer=`` (the numbers in the namespaces above, nearest first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.events import Event
from model.ids import id_number
from model.ops import COUNT, PATH, ArgKind, Param, command, id_kind
from model.procfs.dcache import release
from model.procfs.exit import do_exit
from model.procfs.files import hold_file, read_file
from model.procfs.procfs import Procfs
from model.procfs.tasks import spawn, thread, unshare_pid

if TYPE_CHECKING:
    from model.system import System


def _ns(text: str) -> int:
    number = id_number(text if text.startswith("ns") else f"ns{text}", "ns")
    if number is None:
        raise ValueError(f"expected a namespace like 1 or ns1, got {text!r}")
    return number


def _outer(text: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(word) for word in text.split(","))
    except ValueError:
        raise ValueError(f"expected numbers separated by commas, e.g. 1000 or 5,1001, got {text!r}") from None
    if any(n <= 0 for n in numbers):
        raise ValueError(f"pid numbers are > 0, got {text!r}")
    return numbers


NS = ArgKind("N", _ns)
OUTER = ArgKind("N,...", _outer, lambda numbers: ",".join(str(n) for n in numbers))
NS_PARAM = Param("ns", NS, keyword=True, default=0)
OUTER_PARAM = Param("outer", OUTER, keyword=True, default=())


def procfs_of(system: System) -> Procfs:
    """The procfs part of the machine."""
    return system.part("procfs")


@command(
    "spawn",
    Param("pid", COUNT),
    Param("ns", NS, keyword=True, default=None),
    Param("parent", COUNT, keyword=True, default=None),
    OUTER_PARAM,
    summary="fork a process numbered PID in namespace N (or in parent P's namespace for children, P read in ns0)",
    part="procfs",
    example="spawn 1 parent=100 outer=1000",
)
def spawn_verb(system: System, pid: int, ns: int | None, parent: int | None, outer: tuple[int, ...]) -> list[Event]:
    return spawn(procfs_of(system), pid, ns, parent, outer)


@command(
    "thread",
    Param("tgid", COUNT),
    Param("tid", COUNT),
    NS_PARAM,
    OUTER_PARAM,
    summary="create thread TID in the thread group TGID (both numbers read in namespace N)",
    part="procfs",
    example="thread 1 2 ns=1",
)
def thread_verb(system: System, tgid: int, tid: int, ns: int, outer: tuple[int, ...]) -> list[Event]:
    return thread(procfs_of(system), tgid, tid, ns, outer)


@command(
    "unshare-pid",
    Param("pid", COUNT),
    NS_PARAM,
    summary="unshare(CLONE_NEWPID): a new child PID namespace for the task's next children",
    part="procfs",
    example="unshare-pid 100",
)
def unshare_verb(system: System, pid: int, ns: int) -> list[Event]:
    return unshare_pid(procfs_of(system), pid, ns)


@command(
    "exit",
    Param("pid", COUNT),
    NS_PARAM,
    summary="the task exits: release_task -> proc_flush_task in every namespace that saw it",
    part="procfs",
    example="exit 1 ns=1",
)
def exit_verb(system: System, pid: int, ns: int) -> list[Event]:
    return do_exit(procfs_of(system), pid, ns)


@command(
    "cat",
    Param("path", PATH),
    NS_PARAM,
    summary="read a /proc file through namespace N's proc mount, creating the dentries of the walk",
    part="procfs",
    example="cat /proc/1/status ns=1",
)
def cat_verb(system: System, path: str, ns: int) -> list[Event]:
    return read_file(procfs_of(system), ns, path)


@command(
    "hold",
    Param("path", PATH),
    NS_PARAM,
    summary="open a /proc path in namespace N and keep it open (its dentry stays in use until dput)",
    part="procfs",
    example="hold /proc/1/status ns=1",
)
def hold_verb(system: System, path: str, ns: int) -> list[Event]:
    return hold_file(procfs_of(system), ns, path)


@command(
    "dput",
    Param("dentry", id_kind("d", "a dentry")),
    summary="release a hold taken by 'hold' (close the file); a stale dentry is freed with its last reference",
    part="procfs",
    example="dput d7",
)
def dput_verb(system: System, dentry: str) -> list[Event]:
    fs = procfs_of(system)
    return release(fs, fs.dentry(dentry))
