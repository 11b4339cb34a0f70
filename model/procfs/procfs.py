"""The procfs part: Linux /proc per PID namespace, its state and the dcache bookkeeping every operation
shares (allocate, hash, unhash, free a dentry). Section numbers (§3.4) are those of docs/kernel-rules.md.

The kernel's operations live beside it, named as in the kernel: `tasks` (alloc_pid,
create_pid_namespace's callers), `dcache` (the path walk, the proc lookups, d_invalidate, dput), `exit`
(release_task, proc_flush_task, pid_ns_release_proc) and `files` (reading and holding /proc files);
`views` holds what the System asks for (to_dict, describe, check).

Ids: a task is ``pid N`` (N its number in the initial namespace), a namespace ``nsK``, a dentry ``dK``.
"""

from __future__ import annotations

from typing import Any

from model.errors import OpError
from model.ids import id_number
from model.journal import JDict, JIndex
from model.procfs.objects import Dentry, PidNamespace, ProcMount, Task
from model.procfs.views import ProcfsViews

KERNELS = ("v4.19", "v2.6.24")
"""`proc_kernel` modes: v3.18-v5.6 form (default, e.g. v4.19) and the v2.6.24 form (§3.3)."""


class Procfs(ProcfsViews):
    """The procfs part: every namespace, task and proc dentry, with the dcache hash (parent, name) -> dentry."""

    __slots__ = (
        "counters",
        "dcache",
        "dentries",
        "kernel",
        "namespaces",
        "next_dentry",
        "next_ns",
        "next_serial",
        "tasks",
    )

    def __init__(self, kernel: str = "v4.19") -> None:
        if kernel not in KERNELS:
            raise ValueError(f"proc_kernel must be one of {', '.join(KERNELS)}, got {kernel!r}")
        self.kernel = kernel
        self.namespaces: JDict = JDict()  # id -> PidNamespace
        self.tasks: JDict = JDict()  # serial -> Task
        self.dentries: JIndex = JIndex()  # id -> Dentry; ids only grow: `in_order` gives them in order made
        self.dcache: JIndex = JIndex()  # the dcache hash: (parent dentry, name) -> dentry id
        self.next_dentry = 1
        self.next_ns = 0
        self.next_serial = 1
        self.counters = JDict.fromkeys(
            ("lookups", "dcache_hits", "d_alloc", "enoent", "d_invalidate", "dentry_kill", "revalidate_fail"), 0
        )
        self._boot()

    def _boot(self) -> None:
        """The initial namespace, its proc mount (proc_root_init) and init, pid 1."""
        ns0 = self.create_pid_namespace(None, creator=None)
        self.pid_ns_prepare_proc(ns0)
        init = Task(self.next_serial, [(ns0.id, 1)], self.next_serial, ns0.id)
        self.next_serial += 1
        self.tasks[init.serial] = init
        ns0.pids[1] = init.serial
        ns0.last_pid = 1
        ns0.reaper = init.serial

    def __deepcopy__(self, memo: dict[int, Any]) -> Procfs:
        """A fast deep copy: every object refers to others by id, so each can be cloned on its own."""
        twin = Procfs.__new__(Procfs)
        twin.kernel = self.kernel
        twin.namespaces = JDict((k, ns.clone()) for k, ns in self.namespaces.items())
        twin.tasks = JDict((k, t.clone()) for k, t in self.tasks.items())
        twin.dentries = JIndex((k, d.clone()) for k, d in self.dentries.items())
        twin.dcache = JIndex(self.dcache)
        twin.next_dentry, twin.next_ns, twin.next_serial = self.next_dentry, self.next_ns, self.next_serial
        twin.counters = JDict(self.counters)
        memo[id(self)] = twin
        return twin

    def in_order(self) -> list[Dentry]:
        """Every dentry in the order made (ids only grow): the order to show or compare them in."""
        dentries = self.dentries
        return [dentries[k] for k in sorted(dentries)]

    @property
    def legacy(self) -> bool:
        """True in the v2.6.24 mode."""
        return self.kernel == "v2.6.24"

    # ---- namespaces and tasks -------------------------------------------------------------------

    def create_pid_namespace(self, parent: PidNamespace | None, *, creator: int | None) -> PidNamespace:
        """A new PID namespace below `parent` (None: the initial one), unshared by task serial `creator`."""
        ns = PidNamespace(
            self.next_ns, 0 if parent is None else parent.level + 1, None if parent is None else parent.id, creator
        )
        self.next_ns += 1
        self.namespaces[ns.id] = ns
        return ns

    def pid_ns_prepare_proc(self, ns: PidNamespace) -> Dentry:
        """Mount a fresh proc superblock for `ns` (kern_mount); its root dentry holds the mount's reference."""
        root = self.d_alloc(None, "/proc", ns.id, None, "root")
        root.hashed = True  # a mount root is never in the hash, but it is never unhashed either
        root.count = 1
        ns.mount = ProcMount(ns.id, root.id)
        return root

    def ns(self, id: int) -> PidNamespace:
        """The namespace `nsK`, or OpError."""
        try:
            return self.namespaces[id]
        except KeyError:
            known = ", ".join(ns.ref for ns in self.namespaces.values())
            raise OpError(f"no PID namespace ns{id}", hint=f"namespaces: {known}; unshare-pid creates one") from None

    def ancestry(self, ns: PidNamespace) -> list[PidNamespace]:
        """The namespaces from the initial one down to `ns` (index = level)."""
        chain = [ns]
        while chain[-1].parent is not None:
            chain.append(self.namespaces[chain[-1].parent])
        return chain[::-1]

    def task_in(self, ns: PidNamespace, nr: int) -> Task | None:
        """find_task_by_pid_ns: the live task numbered `nr` in `ns`."""
        serial = ns.pids.get(nr)
        return None if serial is None else self.tasks[serial]

    def find_task(self, nr: int, ns_id: int) -> Task:
        """The live task numbered `nr` in namespace `ns_id`, or OpError naming what that namespace sees."""
        ns = self.ns(ns_id)
        task = self.task_in(ns, nr)
        if task is None:
            seen = ", ".join(str(n) for n in sorted(ns.pids)[:12]) or "none"
            raise OpError(f"no task {nr} in {ns.ref}", hint=f"{ns.ref} sees pids {seen}", errno="ESRCH")
        return task

    def task_by_ref(self, ref: str) -> Task | None:
        """The task with id ``pid N`` (or ``pidN``): the live one, else the newest exited one still referenced."""
        nr = id_number(ref.replace(" ", ""), "pid")
        if nr is None:
            return None
        live = self.task_in(self.namespaces[0], nr)
        if live is not None:
            return live
        dead = [t for t in self.tasks.values() if t.global_nr == nr]
        return dead[-1] if dead else None

    def leader_of(self, task: Task) -> Task:
        return self.tasks[task.leader]

    def maybe_free_ns(self, ns: PidNamespace) -> None:
        """Forget a namespace that can hold nothing any more: init gone, no pids, no proc mount."""
        if ns.id != 0 and not ns.adding and not ns.pids and ns.mount is None:
            del self.namespaces[ns.id]

    def forget_task(self, task: Task) -> None:
        """Drop an exited task once no proc inode refers to it (put_pid of the last reference)."""
        if not task.alive and task.inode_refs == 0:
            del self.tasks[task.serial]

    # ---- dentry bookkeeping ---------------------------------------------------------------------

    def dentry(self, ref: str) -> Dentry:
        """The dentry with id ``dK``, or OpError."""
        try:
            return self.dentries[int(ref[1:])]
        except (KeyError, ValueError):
            raise OpError(f"no dentry {ref}", hint="dentry ids are shown in the proc panel, e.g. d7") from None

    def d_alloc(self, parent: Dentry | None, name: str, mount: int, task: Task | None, kind: str) -> Dentry:
        """Allocate an unhashed dentry under `parent` (which it pins) naming `task`."""
        d = Dentry(self.next_dentry, name, None if parent is None else parent.id, mount, None, kind)
        self.next_dentry += 1
        self.dentries[d.id] = d
        if parent is not None:
            parent.subdirs[d.id] = None
            parent.count += 1
        if task is not None:
            d.task = task.serial
            task.inode_refs += 1
        self.counters["d_alloc"] += 1
        return d

    def d_add(self, d: Dentry) -> None:
        """Hash `d` so lookups find it (d_add)."""
        assert d.parent is not None
        self.dcache[(d.parent, d.name)] = d.id
        d.hashed = True

    def d_drop(self, d: Dentry) -> None:
        """Unhash `d` (__d_drop): lookups no longer find it; it lives on while referenced."""
        if d.hashed and d.parent is not None and self.dcache.get((d.parent, d.name)) == d.id:
            del self.dcache[(d.parent, d.name)]
        d.hashed = False

    def d_lookup(self, parent: Dentry, name: str) -> Dentry | None:
        """The hashed child `name` of `parent` (d_lookup / d_hash_and_lookup, without taking a reference)."""
        child = self.dcache.get((parent.id, name))
        return None if child is None else self.dentries[child]

    def d_free(self, d: Dentry) -> Dentry | None:
        """Free a dentry with no references (the end of dentry_kill); return its parent, now one count lighter."""
        self.d_drop(d)
        del self.dentries[d.id]
        self.counters["dentry_kill"] += 1
        if d.task is not None and d.task in self.tasks:
            task = self.tasks[d.task]
            task.inode_refs -= 1
            self.forget_task(task)
        if d.parent is None:
            self.namespaces[d.mount].mount = None  # the superblock goes with its root
            return None
        parent = self.dentries[d.parent]
        del parent.subdirs[d.id]
        parent.count -= 1
        return parent

    def task_of(self, d: Dentry) -> Task | None:
        return None if d.task is None else self.tasks.get(d.task)

    def is_stale(self, d: Dentry) -> bool:
        """Unreachable by lookup: `d` or an ancestor was unhashed, or its mount was released."""
        mount = self.namespaces[d.mount].mount
        if mount is None or mount.released:
            return True
        node: Dentry | None = d
        while node is not None:
            if not node.hashed:
                return True
            node = None if node.parent is None else self.dentries[node.parent]
        return False

    def state(self, d: Dentry) -> str:
        """live, stale (unhashed, kept while in use) or dead (still hashed, its task gone: not flushed)."""
        if self.is_stale(d):
            return "stale"
        task = self.task_of(d)
        return "dead" if task is not None and not task.alive else "live"

    def path(self, d: Dentry) -> str:
        names = []
        node = d
        while node.parent is not None:
            names.append(node.name)
            node = self.dentries[node.parent]
        return "/proc/" + "/".join(reversed(names)) if names else "/proc"

    # ---- the Part protocol (to_dict, describe and check in `views`) ----------------------------------

    def stats(self) -> dict[str, int]:
        """dentry_stat-style gauges for the proc dentries, then the operation counters."""
        nr_unused = sum(1 for d in self.dentries.values() if d.count == 0)
        nr_stale = sum(1 for d in self.dentries.values() if self.is_stale(d))
        return {"nr_dentry": len(self.dentries), "nr_unused": nr_unused, "nr_stale": nr_stale, **self.counters}
