"""Task exit: release_task -> proc_flush_task over every namespace level, and pid_ns_release_proc (§3.3).

The default is the v3.18-v5.6 form (fs/proc/base.c of e.g. v4.19): every level gets
proc_flush_task_mnt(ns->proc_mnt, pid nr, tgid nr), invalidation is d_invalidate, and the namespace's
proc mount is released when its last pid is freed, which after zap_pid_ns_processes is its init's. The
v2.6.24 form passes the tgid for group leaders only, uses shrink_dcache_parent + d_drop, and calls
pid_ns_release_proc at the end of proc_flush_task when the task is number 1 of its own namespace.
"""

from __future__ import annotations

from model.errors import OpError
from model.events import Event
from model.procfs.dcache import d_invalidate, dput, proc_kill_sb, shrink_dcache_parent
from model.procfs.objects import Dentry, PidNamespace, Task
from model.procfs.procfs import Procfs


def do_exit(fs: Procfs, nr: int, ns_id: int) -> list[Event]:
    """The task numbered `nr` in `ns_id` exits: a thread alone, a group leader with its whole group."""
    task = fs.find_task(nr, ns_id)
    if task.ns == 0 and task.nr == 1:
        raise OpError(
            f"{task.ref} is the global init: it does not exit. Its exit would panic the kernel "
            '("Attempted to kill init!", find_child_reaper in kernel/exit.c), and a SIGKILL sent to it from '
            "user space is ignored (SIGNAL_UNKILLABLE)",
            hint="exit a task of your own, or the init of a child namespace",
            refs=(task.ref,),
        )
    if not task.is_leader:
        return release_task(fs, task)
    return exit_group(fs, task)


def is_child_reaper(task: Task) -> bool:
    """Number 1 of its own (non-initial) namespace."""
    return task.level > 0 and task.nr == 1


def exit_group(fs: Procfs, leader: Task) -> list[Event]:
    """exit_group: a namespace's init first kills what its namespace sees; the threads go before the leader."""
    events: list[Event] = []
    if is_child_reaper(leader):
        events += zap_pid_ns_processes(fs, fs.namespaces[leader.ns], leader)
    for serial in list(leader.threads):
        events += release_task(fs, fs.tasks[serial])
    events += release_task(fs, leader)
    return events


def zap_pid_ns_processes(fs: Procfs, ns: PidNamespace, init: Task) -> list[Event]:
    """The init of `ns` is exiting: no more forks into `ns`, and every other task it sees is killed first."""
    ns.adding = False
    leaders: dict[int, Task] = {}
    for nr in sorted(ns.pids):
        task = fs.leader_of(fs.tasks[ns.pids[nr]])
        if task.serial != init.serial:
            leaders.setdefault(task.serial, task)
    victims = list(leaders.values())
    events = [
        Event(
            "proc.zap",
            f"zap_pid_ns_processes({ns.ref}): init exits, "
            + (f"SIGKILL to the {len(victims)} other group(s) it sees" if victims else "no other task to kill"),
            refs=(ns.ref, init.ref, *(v.ref for v in victims)),
            explain=f"When a namespace's init exits, every task {ns.ref} can see dies first, and forks into it "
            "fail from now on (ENOMEM).",
            func="zap_pid_ns_processes",
        )
    ]
    for victim in victims:
        if victim.alive:
            events += exit_group(fs, victim)
    return events


def release_task(fs: Procfs, task: Task) -> list[Event]:
    """release_task: flush the task's /proc dentries in every namespace, then free its numbers."""
    role = "" if task.is_leader else f", thread of {fs.leader_of(task).ref}"
    events = [
        Event(
            "proc.exit",
            f"release_task({task.ref}{role})",
            refs=(task.ref,),
            func="release_task",
            changed=(task.ref,),
            data={"numbers": [[f"ns{ns}", nr] for ns, nr in task.numbers]},
        )
    ]
    events += proc_flush_task(fs, task)
    events += free_pid(fs, task)
    own = fs.namespaces[task.ns]
    if not fs.legacy and is_child_reaper(task):
        events += pid_ns_release_proc(fs, own)
    events += put_pid_ns(fs, task)
    fs.maybe_free_ns(own)
    fs.forget_task(task)
    return events


def proc_flush_task(fs: Procfs, task: Task) -> list[Event]:
    """For each level 0..pid->level: proc_flush_task_mnt(that level's proc mount, pid nr, tgid nr).

    Its event comes first and counts what the flush did: the dentries it invalidated and those freed.
    """
    leader = fs.leader_of(task)
    levels = ", ".join(f"ns{ns}:{nr}" for ns, nr in task.numbers)
    events: list[Event] = []
    for level, (ns_id, nr) in enumerate(task.numbers):
        tgid = leader.numbers[level][1]
        if fs.legacy and not task.is_leader:
            tgid = 0  # v2.6.24 passed the tgid for group leaders only
        events += proc_flush_task_mnt(fs, fs.namespaces[ns_id], nr, tgid)
    flushed = sum(1 for e in events if e.kind == "proc.d_invalidate" and e.changed)
    freed = sum(len(e.removed) for e in events)
    head = Event(
        "proc.flush",
        f"proc_flush_task({task.ref}): levels {levels}",
        refs=(task.ref, *(f"ns{ns}" for ns, _ in task.numbers)),
        explain="The task was seen in every namespace from its own up to ns0, each with its own proc mount "
        "and its own number for it: each mount is flushed under that number.",
        func="proc_flush_task",
        data={"flushed": flushed, "freed": freed},
    )
    events.insert(0, head)
    if fs.legacy and is_child_reaper(task):
        events += pid_ns_release_proc(fs, fs.namespaces[task.ns])
    return events


def d_hash_and_lookup(fs: Procfs, parent: Dentry, name: str, events: list[Event]) -> Dentry | None:
    """A hashed lookup that never creates; a found dentry comes back with a reference taken."""
    found = fs.d_lookup(parent, name)
    where = f"{fs.path(parent)}/{name}"
    if found is None:
        events.append(
            Event(
                "proc.d_hash_and_lookup",
                f"d_hash_and_lookup({where}): not cached",
                refs=(parent.ref,),
                func="d_hash_and_lookup",
            )
        )
        return None
    found.count += 1
    events.append(
        Event(
            "proc.d_hash_and_lookup",
            f"d_hash_and_lookup({where}): {found.ref}",
            refs=(found.ref,),
            func="d_hash_and_lookup",
        )
    )
    return found


def proc_flush_task_mnt(fs: Procfs, ns: PidNamespace, nr: int, tgid: int) -> list[Event]:
    """Invalidate /proc/<nr> and, for a thread, /proc/<tgid>/task/<nr> in `ns`'s proc mount."""
    events = [
        Event(
            "proc.flush.mnt",
            f"proc_flush_task_mnt({ns.ref}, pid {nr}, tgid {tgid})",
            refs=(ns.ref,),
            func="proc_flush_task_mnt",
            data={"ns": ns.ref, "pid": nr, "tgid": tgid},
        )
    ]
    if ns.mount is None or ns.mount.released:
        return events
    root = fs.dentries[ns.mount.root]
    dentry = d_hash_and_lookup(fs, root, str(nr), events)
    if dentry is not None:
        events += d_invalidate(fs, dentry)
        events += dput(fs, dentry)
    if (tgid == 0) if fs.legacy else (nr == tgid):
        return events
    leader = d_hash_and_lookup(fs, root, str(tgid), events)
    if leader is None:
        return events
    task_dir = d_hash_and_lookup(fs, leader, "task", events)
    if task_dir is not None:
        dentry = d_hash_and_lookup(fs, task_dir, str(nr), events)
        if dentry is not None:
            events += d_invalidate(fs, dentry)
            events += dput(fs, dentry)
        events += dput(fs, task_dir)
    events += dput(fs, leader)
    return events


def free_pid(fs: Procfs, task: Task) -> list[Event]:
    """Take the task's numbers out of every namespace's pid map; the task is gone from every /proc."""
    for ns_id, nr in task.numbers:
        del fs.namespaces[ns_id].pids[nr]
    task.alive = False
    if not task.is_leader:
        fs.leader_of(task).threads.remove(task.serial)
    numbers = ", ".join(f"{nr} in ns{ns}" for ns, nr in reversed(task.numbers))
    return [
        Event(
            "proc.free_pid",
            f"free_pid({task.ref}): {numbers} free again",
            refs=(task.ref,),
            func="free_pid",
            changed=(task.ref,),
        )
    ]


def pid_ns_release_proc(fs: Procfs, ns: PidNamespace) -> list[Event]:
    """Drop the namespace's proc mount: unused dentries go now, held ones keep the superblock alive."""
    mount = ns.mount
    if mount is None or mount.released:
        return []
    mount.released = True
    root = fs.dentries[mount.root]
    labels = {d.ref: fs.path(d) for d in fs.dentries.values() if d.mount == ns.id}
    freed = shrink_dcache_parent(fs, root)
    root.count -= 1  # kern_unmount drops the mount's reference
    kept = [d.ref for d in fs.in_order() if d.mount == ns.id and d.id != root.id]
    text = f"pid_ns_release_proc({ns.ref}): proc mount released, {len(freed)} dentries freed"
    events = [
        Event(
            "proc.release_mnt",
            text + (f", {len(kept)} kept (held, or above a held one)" if kept else ""),
            refs=(ns.ref, *kept),
            explain=f"{ns.ref}'s init was its last task: its proc mount goes with it. Dentries still held "
            "keep the superblock until they are released."
            if kept
            else f"{ns.ref}'s init was its last task: its proc mount goes with it.",
            func="pid_ns_release_proc",
            data={"freed": freed, "kept": kept, "ns": ns.ref, "gone": {r: labels[r] for r in freed}},
            removed=tuple(freed),
            changed=(ns.ref,),
        )
    ]
    if root.count == 0:
        events.append(proc_kill_sb(fs, ns, root))
    return events


def put_pid_ns(fs: Procfs, task: Task) -> list[Event]:
    """put_pid_ns of the namespace the task unshared for its children: never forked into, it dies with it."""
    child = fs.namespaces.get(task.children_ns)
    if child is None or child.id == task.ns or child.reaper is not None:
        return []
    del fs.namespaces[child.id]
    return [
        Event(
            "proc.ns.free",
            f"put_pid_ns({child.ref}): unshared but never used, freed",
            refs=(child.ref,),
            func="put_pid_ns",
        )
    ]
