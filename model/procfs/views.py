"""The procfs part's views for the System: its JSON dump, object descriptions and invariant checks.

`ProcfsViews` is a mixin of `model.procfs.procfs.Procfs`; the functions below read its state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.ids import id_number
from model.journal import Journaled
from model.procfs.objects import Dentry, PidNamespace, Task


class ProcfsViews(Journaled):
    """What the System asks every part for: `to_dict`, `describe` and `check`."""

    __slots__ = ()
    kernel: str
    legacy: bool
    namespaces: dict[int, PidNamespace]
    tasks: dict[int, Task]
    dentries: dict[int, Dentry]
    dcache: dict[tuple[int, str], int]
    counters: dict[str, int]
    path: Callable[[Dentry], str]
    state: Callable[[Dentry], str]
    task_of: Callable[[Dentry], Task | None]
    task_by_ref: Callable[[str], Task | None]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state: namespaces, tasks, dentries in id order."""
        return to_dict(self)

    def describe(self, ref: str) -> str | None:
        """A multi-line description of ``pid N``, ``nsK`` or ``dK``; None for ids of other parts."""
        return describe(self, ref)

    def check(self) -> list[str]:
        """Invariant violations: parent links, counts, hashing, and no unflushed dentry of an exited task."""
        return check(self)


def to_dict(fs: ProcfsViews) -> dict[str, Any]:
    """JSON-ready state (namespaces, tasks, dentries in id order)."""
    return {
        "kernel": fs.kernel,
        "namespaces": [_ns_dict(fs, ns) for ns in fs.namespaces.values()],
        "tasks": [_task_dict(fs, t) for t in fs.tasks.values()],
        "dentries": [_dentry_dict(fs, d) for d in fs.in_order()],
    }


def _ns_dict(fs: ProcfsViews, ns: PidNamespace) -> dict[str, Any]:
    mount = None
    if ns.mount is not None:
        mount = {"root": f"d{ns.mount.root}", "released": ns.mount.released}
    reaper = None if ns.reaper is None or ns.reaper not in fs.tasks else fs.tasks[ns.reaper].ref
    return {
        "id": ns.ref,
        "level": ns.level,
        "parent": None if ns.parent is None else f"ns{ns.parent}",
        "init": reaper,
        "adding": ns.adding,
        "pids": {str(nr): fs.tasks[s].ref for nr, s in sorted(ns.pids.items())},
        "mount": mount,
    }


def _task_dict(fs: ProcfsViews, t: Task) -> dict[str, Any]:
    leader = fs.tasks.get(t.leader)
    return {
        "serial": t.serial,
        "id": t.ref,
        "ns": f"ns{t.ns}",
        "numbers": [[f"ns{ns}", nr] for ns, nr in t.numbers],
        "tgid": None if leader is None else [nr for _, nr in leader.numbers],
        "leader": t.is_leader,
        "alive": t.alive,
        "children_ns": f"ns{t.children_ns}",
    }


def _dentry_dict(fs: ProcfsViews, d: Dentry) -> dict[str, Any]:
    return {
        "id": d.ref,
        "ns": f"ns{d.mount}",
        "name": d.name,
        "parent": None if d.parent is None else f"d{d.parent}",
        "path": fs.path(d),
        "kind": d.kind,
        "task": d.task,
        "count": d.count,
        "holds": d.holds,
        "hashed": d.hashed,
        "state": fs.state(d),
    }


def describe(fs: ProcfsViews, ref: str) -> str | None:
    """A multi-line description of ``pid N``, ``nsK`` or ``dK``; None for ids of other subsystems."""
    if (ns := id_number(ref, "ns")) is not None and ns in fs.namespaces:
        return _describe_ns(fs, fs.namespaces[ns])
    if (dentry := id_number(ref, "d")) is not None and dentry in fs.dentries:
        return _describe_dentry(fs, fs.dentries[dentry])
    task = fs.task_by_ref(ref)
    return None if task is None else _describe_task(fs, task)


def _describe_task(fs: ProcfsViews, t: Task) -> str:
    numbers = ", ".join(f"{nr} in ns{ns}" for ns, nr in t.numbers)
    leader = fs.tasks.get(t.leader)
    role = "thread-group leader" if t.is_leader else f"thread of {leader.ref if leader else '?'}"
    names = [d.ref for d in fs.in_order() if d.task == t.serial]
    return "\n".join(
        [
            f"{t.ref}: {role}, {'alive' if t.alive else 'exited'}, in ns{t.ns} (level {t.level})",
            f"numbers: {numbers}",
            f"threads: {', '.join(fs.tasks[s].ref for s in t.threads) or 'none'}",
            f"children go to: ns{t.children_ns}",
            f"proc dentries naming it: {', '.join(names) or 'none'}",
        ]
    )


def _describe_ns(fs: ProcfsViews, ns: PidNamespace) -> str:
    reaper = fs.tasks.get(ns.reaper) if ns.reaper is not None else None
    if ns.mount is None:
        mount = "no proc mount (none yet, or freed)"
    else:
        mount = f"proc mount root d{ns.mount.root}" + (
            " (released, kept by held dentries)" if ns.mount.released else ""
        )
    parent = "none (the initial namespace)" if ns.parent is None else f"ns{ns.parent}"
    return "\n".join(
        [
            f"ns{ns.id}: PID namespace, level {ns.level}, parent {parent}",
            f"init: {reaper.ref if reaper else 'none yet'}; forks {'allowed' if ns.adding else 'refused (ENOMEM)'}",
            f"pids: {', '.join(str(n) for n in sorted(ns.pids)) or 'none'}",
            mount,
        ]
    )


def _describe_dentry(fs: ProcfsViews, d: Dentry) -> str:
    task = fs.task_of(d)
    who = "no task" if task is None else f"{task.ref} ({'alive' if task.alive else 'exited'})"
    return "\n".join(
        [
            f"{d.ref}: {fs.path(d)} in ns{d.mount}'s proc mount, {fs.state(d)}",
            f"kind: {d.kind}; inode names {who}",
            f"d_count {d.count} (held {d.holds}, children {len(d.subdirs)}); " + ("hashed" if d.hashed else "unhashed"),
        ]
    )


def check(fs: ProcfsViews) -> list[str]:
    """Invariant violations: parent links, counts, hashing, and no unflushed dentry of an exited task."""
    problems: list[str] = []
    for d in fs.dentries.values():
        problems += _check_dentry(fs, d)
    for key, did in fs.dcache.items():
        d = fs.dentries.get(did)
        if d is None or (d.parent, d.name) != key or not d.hashed:
            problems.append(f"dcache entry {key} names a missing or unhashed dentry d{did}")
    if fs.counters["d_alloc"] - fs.counters["dentry_kill"] != len(fs.dentries):
        problems.append(f"d_alloc - dentry_kill != nr_dentry ({len(fs.dentries)})")
    if any(value < 0 for value in fs.counters.values()):
        problems.append("a dcache counter went negative")
    for ns in fs.namespaces.values():
        for nr, serial in ns.pids.items():
            t = fs.tasks.get(serial)
            if t is None or not t.alive or t.nr_in(ns) != nr:
                problems.append(f"ns{ns.id} maps {nr} to a task that is gone or numbered otherwise")
        if ns.mount is not None and ns.mount.released and ns.pids:
            problems.append(f"ns{ns.id}'s proc mount was released while it still has tasks")
    naming: dict[int, int] = {}
    for d in fs.dentries.values():
        if d.task is not None:
            naming[d.task] = naming.get(d.task, 0) + 1
    for t in fs.tasks.values():
        refs = naming.get(t.serial, 0)
        if refs != t.inode_refs:
            problems.append(f"{t.ref}: inode_refs {t.inode_refs}, but {refs} dentries name it")
        if not t.alive and refs == 0:
            problems.append(f"{t.ref} exited and nothing refers to it, yet it is kept")
    return problems


def _check_dentry(fs: ProcfsViews, d: Dentry) -> list[str]:
    problems = []
    if d.parent is not None:
        parent = fs.dentries.get(d.parent)
        if parent is None or parent.mount != d.mount:
            problems.append(f"{d.ref}: parent d{d.parent} missing or in another mount")
        elif d.id not in parent.subdirs:
            problems.append(f"{d.ref}: not on its parent's d_subdirs")
        if d.hashed and fs.dcache.get((d.parent, d.name)) != d.id:
            problems.append(f"{d.ref}: hashed, but d_lookup cannot find it")
    elif fs.namespaces[d.mount].mount is None or fs.namespaces[d.mount].mount.root != d.id:
        problems.append(f"{d.ref}: a parentless dentry that is not its mount's root")
    for child in d.subdirs:
        if child not in fs.dentries or fs.dentries[child].parent != d.id:
            problems.append(f"{d.ref}: d_subdirs holds d{child}, which is not its child")
    mount = fs.namespaces[d.mount].mount
    own = 1 if d.parent is None and mount is not None and not mount.released else 0
    if d.count < 0 or d.holds < 0:
        problems.append(f"{d.ref}: negative count")
    if d.count != d.holds + len(d.subdirs) + own:
        problems.append(f"{d.ref}: d_count {d.count} != holds {d.holds} + children {len(d.subdirs)} + {own}")
    if fs.state(d) == "stale" and d.count == 0:
        problems.append(f"{d.ref}: stale with no reference (should have been freed)")
    if fs.state(d) == "dead" and not _legacy_unflushed(fs, d):
        problems.append(f"{d.ref}: still hashed, naming an exited task (proc_flush_task missed it)")
    return problems


def _legacy_unflushed(fs: ProcfsViews, d: Dentry) -> bool:
    """v2.6.24 leaves /proc/<tgid>/task/<tid> of a non-leader thread hashed (§3.3); nothing else."""
    if not fs.legacy:
        return False
    node: Dentry | None = d
    while node is not None:
        if node.kind == "tid":
            task = fs.task_of(node)
            return task is not None and not task.is_leader
        node = None if node.parent is None else fs.dentries[node.parent]
    return False
