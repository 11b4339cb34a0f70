"""Proc dentries: the path walk and the proc lookups that create them (§3.2), invalidation and dput (§3.4).

Procfs keeps no negative dentries: its ->lookup methods return ERR_PTR(-ENOENT), and the VFS then drops
the dentry it had allocated instead of hashing it negative. So an ENOENT leaves nothing in the dcache.
"""

from __future__ import annotations

from model.errors import OpError
from model.events import Event
from model.limits import path_bytes
from model.procfs.objects import Dentry, PidNamespace, Task
from model.procfs.procfs import Procfs

UINT_MAX = 2**32 - 1
ERRNO_VALUES = {"ENOENT": -2, "ENOTDIR": -20, "EISDIR": -21, "ENAMETOOLONG": -36}
ERRNO_TEXT = {
    "ENOENT": "No such file or directory",
    "ENOTDIR": "Not a directory",
    "EISDIR": "Is a directory",
    "ENAMETOOLONG": "File name too long",
}
LINUX_PATH_MAX = 4096
"""Linux's PATH_MAX: getname copies at most this many bytes, NUL included; a longer path is ENAMETOOLONG."""
LINUX_NAME_MAX = 255

TGID_ENTRIES = ("cmdline", "comm", "cwd", "environ", "exe", "maps", "mounts", "root", "stat", "statm", "status", "task")
"""Names a /proc/<pid> directory answers (a subset of tgid_base_stuff); "task" is the only directory."""
TID_ENTRIES = tuple(name for name in TGID_ENTRIES if name != "task")
"""Names a /proc/<tgid>/task/<tid> directory answers (tid_base_stuff has no "task")."""
STATIC_ENTRIES = ("cpuinfo", "loadavg", "meminfo", "stat", "uptime", "version")
"""Entries of the /proc root that belong to no task (proc_dir_entry tree, found by proc_lookup)."""


def name_to_int(name: str) -> int | None:
    """fs/proc's name_to_int: a decimal number with no leading zero, else None (the kernel's ~0U)."""
    if not name or not name.isascii() or not name.isdigit() or (len(name) > 1 and name[0] == "0"):
        return None
    value = int(name)
    return value if value <= UINT_MAX else None


def split_proc_path(path: str) -> list[str]:
    """The components of a path under /proc (after the mount point), or OpError for any other path."""
    parts = [p for p in path.split("/") if p]
    if not path.startswith("/") or not parts or parts[0] != "proc":
        raise OpError(f"{path!r} is not under /proc", hint="e.g. /proc/42/status")
    return parts[1:]


def child_path(fs: Procfs, parent: Dentry, name: str) -> str:
    return f"{fs.path(parent)}/{name}"


Found = tuple[str, Task | None, str | None]
"""What a ->lookup finds: (the kernel function that looked, the task named, the dentry kind or None for ENOENT)."""


def proc_root_lookup(fs: Procfs, parent: Dentry, name: str) -> Found:
    """The /proc root's ->lookup: a number is a task's directory (proc_pid_lookup), else a static entry."""
    nr = name_to_int(name)
    if nr is not None:
        return proc_pid_lookup(fs, parent, nr)
    return proc_lookup(fs, parent, name)


def proc_pid_lookup(fs: Procfs, parent: Dentry, nr: int) -> Found:
    """/proc/<nr>: the task numbered `nr` in the mount's namespace (find_task_by_pid_ns), if it lives."""
    task = fs.task_in(fs.namespaces[parent.mount], nr)
    return "proc_pid_lookup", task, None if task is None else "pid"


def proc_lookup(fs: Procfs, parent: Dentry, name: str) -> Found:
    """An entry of the proc_dir_entry tree (cpuinfo, meminfo...), which belongs to no task."""
    return "proc_lookup", None, "static" if name in STATIC_ENTRIES else None


def proc_task_lookup(fs: Procfs, parent: Dentry, name: str) -> Found:
    """/proc/<tgid>/task/<tid>: a thread of the same group, numbered in the mount's namespace."""
    nr = name_to_int(name)
    task = None if nr is None else fs.task_in(fs.namespaces[parent.mount], nr)
    owner = fs.task_of(parent)
    if task is not None and owner is not None and task.leader == owner.leader:
        return "proc_task_lookup", task, "tid"
    return "proc_task_lookup", None, None


def proc_pident_lookup(fs: Procfs, parent: Dentry, name: str) -> Found:
    """A file of /proc/<pid> or /proc/<tgid>/task/<tid> (tgid_base_stuff, tid_base_stuff)."""
    names = TGID_ENTRIES if parent.kind == "pid" else TID_ENTRIES
    if name in names:
        return "proc_pident_lookup", fs.task_of(parent), "taskdir" if name == "task" else "file"
    return "proc_pident_lookup", None, None


LOOKUPS = {"root": proc_root_lookup, "taskdir": proc_task_lookup, "pid": proc_pident_lookup, "tid": proc_pident_lookup}
"""Each directory kind's ->lookup (its inode operations)."""


def lookup_one(fs: Procfs, parent: Dentry, name: str) -> tuple[list[Event], Dentry | None]:
    """One component: a dcache hit (revalidated), else the proc lookup, which creates a dentry or fails."""
    fs.counters["lookups"] += 1
    events: list[Event] = []
    hit = fs.d_lookup(parent, name)
    if hit is not None:
        task = fs.task_of(hit)
        if task is None or task.alive:
            fs.counters["dcache_hits"] += 1
            events.append(
                Event("proc.lookup", f"d_lookup {fs.path(hit)}: hit {hit.ref}", refs=(hit.ref,), func="d_lookup")
            )
            return events, hit
        events += pid_revalidate(fs, hit)
    func, task, kind = LOOKUPS[parent.kind](fs, parent, name)
    path = child_path(fs, parent, name)
    if kind is None:
        fs.counters["enoent"] += 1
        events.append(
            Event(
                "proc.lookup",
                f"{func}({path}) in ns{parent.mount}: ENOENT, no dentry kept",
                refs=(parent.ref,),
                explain=enoent_explain(fs, parent, name),
                func=func,
                ret=ERRNO_VALUES["ENOENT"],
                errno="ENOENT",
            )
        )
        return events, None
    d = fs.d_alloc(parent, name, parent.mount, task, kind)
    fs.d_add(d)
    who = "" if task is None else f" -> {task.ref}"
    events.append(
        Event(
            "proc.dentry.new",
            f"{func}({path}) in ns{parent.mount}: d_add {d.ref}{who}",
            refs=(d.ref, *(() if task is None else (task.ref,))),
            func=func,
            created=(d.ref,),
            data={"dentry": d.ref, "ns": f"ns{d.mount}", "path": path},
        )
    )
    return events, d


def enoent_explain(fs: Procfs, parent: Dentry, name: str) -> str:
    """Why a /proc/<n> lookup failed when `n` is some other namespace's number for a live task."""
    nr = name_to_int(name)
    if parent.kind != "root" or nr is None:
        return ""
    ns = fs.namespaces[parent.mount]
    for task in fs.tasks.values():
        for other, number in task.numbers:
            if number != nr or other == ns.id or not task.alive:
                continue
            seen = task.nr_in(ns)
            if seen is not None:
                return (
                    f"{nr} is {task.ref}'s number in ns{other}; {ns.ref} knows it as {seen}: each namespace's "
                    "/proc names tasks by their numbers there. No negative dentry is kept."
                )
            return (
                f"{nr} is {task.ref}'s number in ns{other}, and {ns.ref} cannot see {task.ref}: a namespace "
                "sees only its own tasks and its descendants'. No negative dentry is kept."
            )
    return ""


def pid_revalidate(fs: Procfs, hit: Dentry) -> list[Event]:
    """pid_revalidate finds the task gone: the dentry is invalidated and the lookup done afresh."""
    fs.counters["revalidate_fail"] += 1
    events = [
        Event(
            "proc.revalidate",
            f"pid_revalidate({hit.ref} {fs.path(hit)}): task exited -> 0",
            refs=(hit.ref,),
            explain="A dentry the flush missed is dropped here, when revalidation finds its task dead: "
            "this is why the kernel calls proc_flush_task only an optimization.",
            func="pid_revalidate",
            ret=0,
            changed=(hit.ref,),
        )
    ]
    hit.count += 1  # the walk's reference while it revalidates
    events += d_invalidate(fs, hit)
    events += dput(fs, hit)
    return events


def link_path_walk(fs: Procfs, ns_id: int, path: str) -> tuple[list[Event], Dentry | None, str | None]:
    """Walk `path` in namespace `ns_id`'s proc mount: (events, final dentry or None, errno or None)."""
    ns = fs.ns(ns_id)
    if ns.mount is None or ns.mount.released:
        raise OpError(f"{ns.ref} has no proc mount", hint="its first task (init) creates it; its exit releases it")
    components = split_proc_path(path)
    d = fs.dentries[ns.mount.root]
    events: list[Event] = []
    if path_bytes(path) >= LINUX_PATH_MAX or any(path_bytes(c) > LINUX_NAME_MAX for c in components):
        return events, None, "ENAMETOOLONG"
    for name in components:
        if name == ".":
            continue
        if name == "..":
            d = d if d.parent is None else fs.dentries[d.parent]
            continue
        if not d.is_dir:
            events.append(
                Event(
                    "proc.lookup",
                    f"{fs.path(d)} is not a directory",
                    refs=(d.ref,),
                    func="link_path_walk",
                    ret=ERRNO_VALUES["ENOTDIR"],
                    errno="ENOTDIR",
                )
            )
            return events, None, "ENOTDIR"
        step, child = lookup_one(fs, d, name)
        events += step
        if child is None:
            return events, None, "ENOENT"
        d = child
    return events, d, None


def failed(verb: str, path: str, errno: str) -> Event:
    """The syscall's result when the walk failed."""
    return Event("proc.open", f"{verb}: {path}: {ERRNO_TEXT[errno]}", ret=-1, errno=errno)


def shrink_dcache_parent(fs: Procfs, d: Dentry) -> list[str]:
    """Free every unused dentry below `d`, children before parents; return their ids."""
    freed: list[str] = []
    for cid in list(d.subdirs):
        child = fs.dentries[cid]
        freed += shrink_dcache_parent(fs, child)
        if child.count == 0:
            fs.d_free(child)
            freed.append(child.ref)
    return freed


def descendants(fs: Procfs, d: Dentry) -> list[Dentry]:
    out: list[Dentry] = []
    stack = [fs.dentries[c] for c in reversed(d.subdirs)]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(fs.dentries[c] for c in reversed(node.subdirs))
    return out


def d_invalidate(fs: Procfs, d: Dentry) -> list[Event]:
    """Unhash `d` and free the unused dentries below it; those still in use stay, stale (§3.4)."""
    fs.counters["d_invalidate"] += 1
    path = fs.path(d)
    if not d.hashed:
        return [
            Event("proc.d_invalidate", f"d_invalidate({d.ref}): already unhashed", refs=(d.ref,), func="d_invalidate")
        ]
    events: list[Event] = []
    labels = {x.ref: fs.path(x) for x in descendants(fs, d)}  # read before the frees below
    if fs.legacy:
        freed = shrink_dcache_parent(fs, d)
        fs.d_drop(d)
    else:
        fs.d_drop(d)
        freed = shrink_dcache_parent(fs, d)
    kept = [x.ref for x in descendants(fs, d)]
    in_use = [x for x in (d, *(fs.dentries[int(r[1:])] for r in kept)) if x.holds]
    explain = ""
    if in_use:
        explain = (
            f"{', '.join(x.ref for x in in_use)} still in use (an open /proc file or a cwd): invalidation "
            "unhashes it but cannot free it, so it stays, stale, until its last dput."
        )
    tail = f", {len(kept)} in use kept (stale)" if kept else ""
    if fs.legacy:
        events.append(
            Event(
                "proc.shrink",
                f"shrink_dcache_parent({d.ref} {path}): freed {len(freed)} unused below",
                refs=(d.ref,),
                func="shrink_dcache_parent",
                data={"freed": freed, "ns": f"ns{d.mount}", "gone": {r: labels[r] for r in freed}},
                removed=tuple(freed),
            )
        )
        text, func = f"d_drop({d.ref} {path}): unhashed{tail}", "d_drop"
    else:
        text, func = f"d_invalidate({d.ref} {path}): unhashed, freed {len(freed)} below{tail}", "d_invalidate"
    events.append(
        Event(
            "proc.d_invalidate",
            text,
            refs=(d.ref, *kept),
            explain=explain,
            func=func,
            data={"freed": freed, "kept": kept, "ns": f"ns{d.mount}"}
            | ({} if fs.legacy else {"gone": {r: labels[r] for r in freed}}),
            changed=(d.ref,),
            removed=() if fs.legacy else tuple(freed),
        )
    )
    return events


def kill_reason(fs: Procfs, d: Dentry) -> str | None:
    """Why a dentry whose count reached 0 is freed rather than kept cached; None to keep it."""
    if fs.is_stale(d):
        return "unhashed"
    task = fs.task_of(d)
    if task is not None and not task.alive:
        return "its task exited (pid_delete_dentry)"
    return None


def dput(fs: Procfs, d: Dentry) -> list[Event]:
    """Drop one reference; a dentry left unused and unhashed (or naming a dead task) is freed, and so up."""
    d.count -= 1
    events: list[Event] = []
    node: Dentry | None = d
    while node is not None and node.count == 0:
        reason = kill_reason(fs, node)
        if reason is None:
            break
        ns = fs.namespaces[node.mount]
        label = fs.path(node)
        parent = fs.d_free(node)
        events.append(
            Event(
                "proc.dentry.free",
                f"dput({node.ref} {node.name}): last reference, {reason} -> freed",
                refs=(node.ref,) if parent is None else (node.ref, parent.ref),
                func="dput",
                data={"ns": ns.ref, "gone": {node.ref: label}},
                removed=(node.ref,),
                changed=() if parent is None else (parent.ref,),
            )
        )
        if parent is None:
            events.append(proc_kill_sb(fs, ns))
        node = parent
    return events


def proc_kill_sb(fs: Procfs, ns: PidNamespace, root: Dentry | None = None) -> Event:
    """A proc superblock goes: with its last dentry, which dput has freed (and the namespace, if nothing
    else holds it), or with its `root`, freed here once pid_ns_release_proc dropped the mount's reference."""
    if root is None:
        fs.maybe_free_ns(ns)
        return Event(
            "proc.mount.free",
            f"proc_kill_sb: {ns.ref}'s proc superblock freed with its last dentry",
            refs=(ns.ref,),
            func="proc_kill_sb",
        )
    fs.d_free(root)
    return Event(
        "proc.mount.free",
        f"proc_kill_sb: {ns.ref}'s proc superblock freed with its root {root.ref}",
        refs=(ns.ref,),
        func="proc_kill_sb",
        data={"freed": [root.ref], "ns": ns.ref, "gone": {root.ref: "/proc"}},
        removed=(root.ref,),
    )


def dget(fs: Procfs, d: Dentry) -> Event:
    """Take a reference as an open file or a cwd does (a hold the user drops with `release`)."""
    d.count += 1
    d.holds += 1
    return Event(
        "proc.hold",
        f"dget({d.ref} {fs.path(d)}): held, d_count {d.count}",
        refs=(d.ref,),
        explain="An open /proc file (or a cwd there) keeps its dentry in use: invalidation can unhash it but "
        "not free it.",
        func="dget",
        data={"count": d.count},
        changed=(d.ref,),
    )


def release(fs: Procfs, d: Dentry) -> list[Event]:
    """Drop a hold taken by `hold` (close, or chdir away)."""
    if d.holds == 0:
        held = ", ".join(x.ref for x in fs.dentries.values() if x.holds) or "none"
        raise OpError(f"{d.ref} is not held", hint=f"held dentries: {held}")
    d.holds -= 1
    stale = fs.is_stale(d)
    events = [
        Event(
            "proc.dput",
            f"dput({d.ref} {fs.path(d)}): hold released, d_count {d.count - 1}",
            refs=(d.ref,),
            explain="The last reference to a stale dentry frees it: the kernel's own late cleanup." if stale else "",
            func="dput",
            changed=(d.ref,),
        )
    ]
    return events + dput(fs, d)
