"""The procfs subsystem's verbs: tasks and PID namespaces, /proc walks, holds, and exit (SEMANTICS §3).

Numbers on a line are read in the namespace given by ``ns=`` (default ns0, the initial namespace); for
``spawn`` that is the new task's own namespace. Numbers at other levels are allocated, or given with
``outer=`` (the numbers in the namespaces above, nearest first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.events import Event
from model.ids import id_number
from model.ops import COUNT, PATH, ArgKind, Param, command, id_kind
from model.parts import ConfigKey, Mechanism, one_of, register
from model.proc_dcache import failed, hold, release, walk
from model.proc_exit import do_exit
from model.proc_tasks import spawn, thread, unshare_pid
from model.procfs import KERNELS, Dentry, Procfs

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


def _factory(config: Mapping[str, Any]) -> Procfs:
    return Procfs(config["proc_kernel"])


register(
    Mechanism(
        "procfs",
        _factory,
        order=20,
        config=(
            ConfigKey(
                "proc_kernel",
                "v4.19",
                one_of(*KERNELS),
                "which proc_flush_task: v4.19 (the v3.18-v5.6 form) or v2.6.24 (tgid for leaders only, d_drop)",
            ),
        ),
    )
)


def _fs(system: System) -> Procfs:
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
    return spawn(_fs(system), pid, ns, parent, outer)


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
    return thread(_fs(system), tgid, tid, ns, outer)


@command(
    "unshare-pid",
    Param("pid", COUNT),
    NS_PARAM,
    summary="unshare(CLONE_NEWPID): a new child PID namespace for the task's next children",
    part="procfs",
    example="unshare-pid 100",
)
def unshare_verb(system: System, pid: int, ns: int) -> list[Event]:
    return unshare_pid(_fs(system), pid, ns)


@command(
    "exit",
    Param("pid", COUNT),
    NS_PARAM,
    summary="the task exits: release_task -> proc_flush_task in every namespace that saw it",
    part="procfs",
    example="exit 1 ns=1",
)
def exit_verb(system: System, pid: int, ns: int) -> list[Event]:
    return do_exit(_fs(system), pid, ns)


@command(
    "cat",
    Param("path", PATH),
    NS_PARAM,
    summary="read a /proc file through namespace N's proc mount, creating the dentries of the walk",
    part="procfs",
    example="cat /proc/1/status ns=1",
)
def cat_verb(system: System, path: str, ns: int) -> list[Event]:
    fs = _fs(system)
    events, dentry, errno = walk(fs, ns, path)
    if dentry is None:
        return [*events, failed("cat", path, errno or "ENOENT")]
    if dentry.is_dir:
        return [*events, failed("cat", path, "EISDIR")]
    return [*events, _read(fs, dentry)]


@command(
    "hold",
    Param("path", PATH),
    NS_PARAM,
    summary="open a /proc path in namespace N and keep it open (its dentry stays in use until dput)",
    part="procfs",
    example="hold /proc/1/status ns=1",
)
def hold_verb(system: System, path: str, ns: int) -> list[Event]:
    fs = _fs(system)
    events, dentry, errno = walk(fs, ns, path)
    if dentry is None:
        return [*events, failed("hold", path, errno or "ENOENT")]
    return [*events, hold(fs, dentry)]


@command(
    "dput",
    Param("dentry", id_kind("d", "a dentry")),
    summary="release a hold taken by 'hold' (close the file); a stale dentry is freed with its last reference",
    part="procfs",
    example="dput d7",
)
def dput_verb(system: System, dentry: str) -> list[Event]:
    fs = _fs(system)
    return release(fs, fs.dentry(dentry))


def _read(fs: Procfs, d: Dentry) -> Event:
    """What reading the file shows; status files show the numbers as the mount's namespace sees them."""
    path = fs.path(d)
    task = fs.task_of(d)
    if d.name != "status" or task is None:
        return Event("proc.read", f"read {path} ({d.ref}): contents not modelled", refs=(d.ref,))
    ns = fs.namespaces[d.mount]
    leader = fs.leader_of(task)
    nspid = [nr for _, nr in task.numbers[ns.level :]]
    text = f"read {path}: Tgid {leader.nr_in(ns)}, Pid {task.nr_in(ns)}, NSpid {' '.join(map(str, nspid))}"
    explain = ""
    if len(nspid) > 1:
        explain = (
            f"NSpid lists the task's numbers from ns{ns.id} down to its own namespace: "
            "the same task, one number per level."
        )
    return Event(
        "proc.read",
        text,
        refs=(d.ref, task.ref),
        explain=explain,
        func="proc_pid_status",
        data={"tgid": leader.nr_in(ns), "pid": task.nr_in(ns), "nspid": nspid},
    )
