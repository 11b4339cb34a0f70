"""Reading and holding /proc files: the walk through a namespace's proc mount, then what the file shows
(proc_pid_status) or a reference kept as an open file keeps it (§3.2, §3.4)."""

from __future__ import annotations

from model.events import Event
from model.procfs.dcache import dget, failed, link_path_walk
from model.procfs.objects import Dentry
from model.procfs.procfs import Procfs


def read_file(fs: Procfs, ns_id: int, path: str) -> list[Event]:
    """Open and read a /proc file through namespace `ns_id`'s proc mount, creating the walk's dentries."""
    events, dentry, errno = link_path_walk(fs, ns_id, path)
    if dentry is None:
        return [*events, failed("cat", path, errno or "ENOENT")]
    if dentry.is_dir:
        return [*events, failed("cat", path, "EISDIR")]
    return [*events, proc_pid_status(fs, dentry)]


def hold_file(fs: Procfs, ns_id: int, path: str) -> list[Event]:
    """Open a /proc path and keep it open: its dentry stays in use until the hold is released."""
    events, dentry, errno = link_path_walk(fs, ns_id, path)
    if dentry is None:
        return [*events, failed("hold", path, errno or "ENOENT")]
    return [*events, dget(fs, dentry)]


def proc_pid_status(fs: Procfs, d: Dentry) -> Event:
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
