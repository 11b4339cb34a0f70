"""Creating tasks and PID namespaces: alloc_pid, copy_process's thread rule, create_pid_namespace (§3.1)."""

from __future__ import annotations

from collections.abc import Sequence

from model.errors import OpError
from model.events import Event
from model.limits import MAX_PID_NS_LEVEL
from model.procfs.objects import PidNamespace, Task
from model.procfs.procfs import Procfs

PID_MAX_LIMIT = 4 * 1024 * 1024
"""pid numbers are below this in every namespace (PID_MAX_LIMIT on 64-bit)."""
RESERVED_PIDS = 300
"""alloc_pid wraps around to this, not to 1: the low numbers are left to daemons started at boot."""


def next_free_nr(ns: PidNamespace) -> int:
    """The next free number above the highest used so far in `ns` (alloc_pid's cyclic allocation)."""
    nr = ns.last_pid + 1
    while nr in ns.pids or nr >= PID_MAX_LIMIT:
        nr = RESERVED_PIDS if nr >= PID_MAX_LIMIT else nr + 1
    return nr


def alloc_pid(chain: Sequence[PidNamespace], given: dict[int, int]) -> list[tuple[int, int]]:
    """One number per level of `chain` (struct pid numbers[]): `given` ones checked, the others allocated."""
    numbers = []
    for ns in chain:
        nr = given.get(ns.level)
        if nr is None:
            nr = 1 if ns.reaper is None else next_free_nr(ns)
        elif not 0 < nr < PID_MAX_LIMIT:
            raise OpError(f"pid {nr} is out of range in {ns.ref}", hint=f"1 .. {PID_MAX_LIMIT - 1}", errno="EINVAL")
        elif nr in ns.pids:
            raise OpError(f"{ns.ref} already has a task numbered {nr}", hint="pick a free number", errno="EEXIST")
        elif ns.reaper is None and nr != 1:
            raise OpError(
                f"the first task of {ns.ref} is its init and is numbered 1, not {nr}",
                hint=f"spawn 1 ns={ns.id}",
                errno="EINVAL",
            )
        numbers.append((ns.id, nr))
    return numbers


def given_numbers(read_in: PidNamespace, nr: int, outer: Sequence[int]) -> dict[int, int]:
    """Levels the user numbered: `nr` in `read_in`, then `outer` in its ancestors, nearest first."""
    if len(outer) > read_in.level:
        raise OpError(
            f"outer= gives {len(outer)} numbers but {read_in.ref} has only {read_in.level} ancestor namespace(s)",
            hint="outer= lists the numbers in the namespaces above, nearest first, e.g. outer=1000",
        )
    given = {read_in.level: nr}
    for depth, outer_nr in enumerate(outer, start=1):
        given[read_in.level - depth] = outer_nr
    return given


def attach_pid(fs: Procfs, task: Task) -> None:
    """Enter the task's numbers in each namespace's pid map (the idr) and make it init where it is first."""
    fs.tasks[task.serial] = task
    fs.next_serial += 1
    for ns_id, nr in task.numbers:
        ns = fs.namespaces[ns_id]
        ns.pids[nr] = task.serial
        ns.last_pid = max(ns.last_pid, nr)
        if ns.reaper is None:
            ns.reaper = task.serial


def numbers_text(task: Task) -> str:
    return ", ".join(f"{nr} in ns{ns}" for ns, nr in reversed(task.numbers))


def spawn(fs: Procfs, nr: int, ns_id: int | None, parent_nr: int | None, outer: Sequence[int]) -> list[Event]:
    """fork(): a new thread-group leader in its parent's namespace for children (or `ns_id`), numbered `nr` there."""
    if parent_nr is not None:
        parent = fs.find_task(parent_nr, 0)
        if parent.children_ns not in fs.namespaces:
            raise OpError(
                f"pid {parent_nr}'s children go to ns{parent.children_ns}, whose init has exited",
                hint="alloc_pid fails once PIDNS_ADDING is cleared",
                errno="ENOMEM",
            )
        target = fs.namespaces[parent.children_ns]
        if ns_id is not None and ns_id != target.id:
            raise OpError(
                f"pid {parent_nr}'s children go to {target.ref}, not ns{ns_id}",
                hint="leave out ns= or parent=, or unshare-pid the parent first",
            )
    else:
        target = fs.ns(0 if ns_id is None else ns_id)
    if not target.adding:
        raise OpError(
            f"{target.ref}'s init has exited: no new task can enter it",
            hint="alloc_pid fails once PIDNS_ADDING is cleared",
            errno="ENOMEM",
        )
    first = target.reaper is None
    chain = fs.ancestry(target)
    numbers = alloc_pid(chain, given_numbers(target, nr, outer))
    task = Task(fs.next_serial, numbers, fs.next_serial, target.id)
    attach_pid(fs, task)
    explain = (
        f"One task, {len(numbers)} numbers: struct pid has one (upid.nr, upid.ns) per level, so each "
        f"namespace from {target.ref} up to ns0 sees it under its own number."
        if target.level
        else ""
    )
    events = [
        Event(
            "proc.spawn",
            f"alloc_pid: {task.ref} = {numbers_text(task)}" + (f" (init of {target.ref})" if first else ""),
            refs=(task.ref, target.ref),
            explain=explain,
            func="alloc_pid",
            created=(task.ref,),
            ret=nr,
            data={"numbers": [[f"ns{n}", v] for n, v in numbers], "init": first},
        )
    ]
    if first:
        root = fs.pid_ns_prepare_proc(target)
        events.append(
            Event(
                "proc.mount",
                f"pid_ns_prepare_proc({target.ref}): its own proc mount, root {root.ref}",
                refs=(target.ref, root.ref),
                created=(root.ref,),
                changed=(target.ref,),
                explain="Each PID namespace gets its own proc mount (ns->proc_mnt) when its first task, its init, "
                "is created; /proc there lists only the tasks that namespace can see, by their numbers in it.",
                func="pid_ns_prepare_proc",
                ret=0,
            )
        )
    return events


def thread(fs: Procfs, tgid_nr: int, tid_nr: int, ns_id: int, outer: Sequence[int]) -> list[Event]:
    """clone(CLONE_THREAD): a new thread in group `tgid_nr`, numbered `tid_nr` in namespace `ns_id`."""
    leader = fs.find_task(tgid_nr, ns_id)
    if not leader.is_leader:
        group = fs.leader_of(leader)
        raise OpError(
            f"{tgid_nr} in ns{ns_id} is a thread of {group.ref}, not a thread-group leader",
            hint="give the group's number (its tgid)",
        )
    if leader.children_ns != leader.ns:
        raise OpError(
            f"{leader.ref} unshared its PID namespace: a thread cannot join a group in another namespace",
            hint="copy_process refuses CLONE_THREAD when pid_ns_for_children differs",
            errno="EINVAL",
        )
    read_in = fs.ns(ns_id)
    chain = fs.ancestry(fs.namespaces[leader.ns])
    numbers = alloc_pid(chain, given_numbers(read_in, tid_nr, outer))
    task = Task(fs.next_serial, numbers, leader.serial, leader.children_ns)
    attach_pid(fs, task)
    leader.threads.append(task.serial)
    return [
        Event(
            "proc.thread",
            f"copy_process(CLONE_THREAD): {task.ref} = {numbers_text(task)}, in group {leader.ref}",
            refs=(task.ref, leader.ref),
            created=(task.ref,),
            explain="A thread has its own pid but shares its leader's tgid: /proc lists only the leader, "
            "the thread is found as /proc/<tgid>/task/<tid> (and, unlisted, as /proc/<tid>).",
            func="alloc_pid",
            ret=tid_nr,
            data={"numbers": [[f"ns{n}", v] for n, v in numbers]},
        )
    ]


def unshare_pid(fs: Procfs, nr: int, ns_id: int) -> list[Event]:
    """unshare(CLONE_NEWPID): a child namespace for the task's next children (create_pid_namespace)."""
    task = fs.find_task(nr, ns_id)
    if task.children_ns != task.ns:
        raise OpError(
            f"{task.ref} already unshared: its children go to ns{task.children_ns}",
            hint="copy_pid_ns refuses a second CLONE_NEWPID while pid_ns_for_children differs",
            errno="EINVAL",
        )
    own = fs.namespaces[task.ns]
    if own.level + 1 > MAX_PID_NS_LEVEL:
        raise OpError(f"PID namespaces nest at most {MAX_PID_NS_LEVEL} deep", errno="ENOSPC")
    child = fs.create_pid_namespace(own, creator=task.serial)
    task.children_ns = child.id
    return [
        Event(
            "proc.unshare",
            f"create_pid_namespace: {child.ref} (level {child.level}, parent {own.ref}) for {task.ref}'s children",
            refs=(task.ref, child.ref),
            created=(child.ref,),
            changed=(task.ref,),
            explain="unshare(CLONE_NEWPID) does not move the caller: its next child becomes pid 1 of the new "
            "namespace, and the namespace's proc mount appears with that child.",
            func="create_pid_namespace",
            ret=0,
        )
    ]
