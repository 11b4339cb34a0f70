"""The kernel objects procfs keeps: tasks with their struct pid, PID namespaces, proc mounts, dentries.

Each refers to the others by number (serial, namespace id, dentry id), so each is cloned on its own
when the System is copied.
"""

from __future__ import annotations

from model.journal import JDict, JList, Journaled

DIR_KINDS = frozenset({"root", "pid", "taskdir", "tid"})
"""Dentry kinds that are directories: the mount root, /proc/<n>, /proc/<n>/task, /proc/<n>/task/<tid>."""


class Task(Journaled):
    """A task_struct with its struct pid: one (namespace id, number) per level, 0 = the initial namespace."""

    __slots__ = ("alive", "children_ns", "inode_refs", "leader", "numbers", "serial", "threads")

    def __init__(self, serial: int, numbers: list[tuple[int, int]], leader: int, children_ns: int) -> None:
        self.serial = serial
        self.numbers = tuple(numbers)  # (namespace id, number) per level: fixed for the task's life
        self.leader = leader
        self.threads: JList = JList()  # serials of the group's other threads
        self.children_ns = children_ns
        self.alive = True
        self.inode_refs = 0  # proc dentries (inodes) naming this task: they keep the struct pid alive

    def clone(self) -> Task:
        """An independent copy (for System.copy: tasks refer to each other by serial, so no memo is needed)."""
        twin = Task.__new__(Task)
        twin.serial, twin.leader, twin.children_ns = self.serial, self.leader, self.children_ns
        twin.alive, twin.inode_refs = self.alive, self.inode_refs
        twin.numbers, twin.threads = self.numbers, JList(self.threads)
        return twin

    @property
    def level(self) -> int:
        return len(self.numbers) - 1

    @property
    def ns(self) -> int:
        """The task's own (active) PID namespace id."""
        return self.numbers[-1][0]

    @property
    def nr(self) -> int:
        """The number in the task's own namespace."""
        return self.numbers[-1][1]

    @property
    def global_nr(self) -> int:
        return self.numbers[0][1]

    @property
    def ref(self) -> str:
        return f"pid {self.global_nr}"

    @property
    def is_leader(self) -> bool:
        return self.leader == self.serial

    def nr_in(self, ns: PidNamespace) -> int | None:
        """The task's number in `ns` (pid_nr_ns), None if `ns` cannot see it."""
        if ns.level < len(self.numbers) and self.numbers[ns.level][0] == ns.id:
            return self.numbers[ns.level][1]
        return None


class ProcMount(Journaled):
    """A namespace's proc mount (`ns->proc_mnt`): its root dentry; `released` after pid_ns_release_proc."""

    __slots__ = ("ns", "released", "root")

    def __init__(self, ns: int, root: int) -> None:
        self.ns = ns
        self.root = root
        self.released = False


class PidNamespace(Journaled):
    """A struct pid_namespace: its level, its parent, the numbers in use (the idr) and its proc mount."""

    __slots__ = ("adding", "creator", "id", "last_pid", "level", "mount", "parent", "pids", "reaper")

    def __init__(self, id: int, level: int, parent: int | None, creator: int | None) -> None:
        self.id = id
        self.level = level
        self.parent = parent
        self.creator = creator  # serial of the task that unshared it (None for the initial namespace)
        self.pids: JDict = JDict()  # number -> task serial
        self.last_pid = 0
        self.reaper: int | None = None  # child_reaper: its number-1 task
        self.adding = True  # PIDNS_ADDING: cleared when its init exits; fork then fails with ENOMEM
        self.mount: ProcMount | None = None

    def clone(self) -> PidNamespace:
        twin = PidNamespace(self.id, self.level, self.parent, self.creator)
        twin.pids = JDict(self.pids)
        twin.last_pid, twin.reaper, twin.adding = self.last_pid, self.reaper, self.adding
        if self.mount is not None:
            twin.mount = ProcMount(self.mount.ns, self.mount.root)
            twin.mount.released = self.mount.released
        return twin

    @property
    def ref(self) -> str:
        return f"ns{self.id}"


class Dentry(Journaled):
    """A dentry of one proc mount: name, parent, children (d_subdirs), the task its inode names, d_count.

    `count` is the kernel's d_count: holders (`holds`) plus one per child dentry (a child pins its
    parent) plus, for a mount root, the mount's own reference. `kind` is root, static, pid (a
    /proc/<n> directory), taskdir (/proc/<n>/task), tid (/proc/<n>/task/<tid>) or file.
    """

    __slots__ = ("count", "hashed", "holds", "id", "kind", "mount", "name", "parent", "subdirs", "task")

    def __init__(self, id: int, name: str, parent: int | None, mount: int, task: int | None, kind: str) -> None:
        self.id = id
        self.name = name
        self.parent = parent
        self.subdirs: JDict = JDict()  # ordered set of child ids (id -> None), hashed or not
        self.mount = mount
        self.task = task
        self.kind = kind
        self.count = 0
        self.holds = 0
        self.hashed = False

    def clone(self) -> Dentry:
        twin = Dentry.__new__(Dentry)
        twin.id, twin.name, twin.parent, twin.mount = self.id, self.name, self.parent, self.mount
        twin.task, twin.kind, twin.count, twin.holds, twin.hashed = (
            self.task,
            self.kind,
            self.count,
            self.holds,
            self.hashed,
        )
        twin.subdirs = JDict(self.subdirs)
        return twin

    @property
    def ref(self) -> str:
        return f"d{self.id}"

    @property
    def is_dir(self) -> bool:
        return self.kind in DIR_KINDS
