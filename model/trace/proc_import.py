"""A /proc snapshot as `spawn`, `thread` and `unshare-pid` steps that rebuild the same tasks in the same
PID namespaces.

The reader's own namespace is the model's ns0 (its pid 1 is the model's init). A nested namespace is
recognised by its init (the task whose last `NSpid` number is 1) and made the way the kernel makes one:
`unshare-pid` of the task that forked that init, then `spawn 1 ns=K outer=...` with the init's numbers
in the namespaces above; its other tasks follow with their own numbers. Threads come with their leader,
before any namespace below is made (a task that unshared can no longer start threads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from model.ops import Op, make
from model.trace.proc_snapshot import ProcTask, Snapshot


@dataclass(slots=True)
class Namespace:
    """A PID namespace found in the snapshot: its level, init, members and the task that created it."""

    key: str
    level: int
    init: ProcTask | None = None
    members: list[ProcTask] = field(default_factory=list)
    parent: str | None = None
    creator: ProcTask | None = None
    model_id: int | None = None


@dataclass(slots=True)
class ProcReport:
    """What the snapshot held and what the scenario rebuilds."""

    processes: int = 0
    threads: int = 0
    namespaces: int = 1
    vanished: int = 0
    unreadable: int = 0
    beyond_limit: int = 0
    not_nested: int = 0
    no_namespace: int = 0
    steps: int = 0

    def summary(self) -> list[str]:
        lines = [
            f"{self.processes} processes and {self.threads} threads in {self.namespaces} PID namespace(s): "
            f"{self.steps} steps",
        ]
        left = [
            f"{n} {what}"
            for n, what in (
                (self.beyond_limit, "tasks beyond --limit"),
                (self.not_nested, "tasks in the reader's own namespace (--pid-ns)"),
                (self.vanished, "tasks that exited while /proc was read"),
                (self.unreadable, "tasks that could not be read"),
                (self.no_namespace, "tasks whose namespace could not be placed"),
            )
            if n
        ]
        if left:
            lines.append("left out: " + "; ".join(left))
        return lines


def _namespaces(snap: Snapshot) -> tuple[dict[str, Namespace], dict[int, str]]:
    """Group the leaders by PID namespace: by the ns/pid link where readable, else by their init."""
    by_pid = {t.pid: t for t in snap.tasks}

    def key_of(task: ProcTask) -> str | None:
        if task.level == 0:
            return "ns0"
        if task.pid_ns:
            return task.pid_ns
        seen: set[int] = set()
        walker: ProcTask | None = task
        while walker is not None and walker.pid not in seen:
            seen.add(walker.pid)
            if walker.level == task.level and walker.nspid[-1] == 1:
                return f"init:{walker.pid}"
            walker = by_pid.get(walker.ppid)
        return None

    spaces: dict[str, Namespace] = {"ns0": Namespace("ns0", 0)}
    keys: dict[int, str] = {}
    for task in snap.tasks:
        key = key_of(task)
        if key is None:
            continue
        ns = spaces.setdefault(key, Namespace(key, task.level))
        ns.members.append(task)
        keys[task.pid] = key
        if task.nspid[-1] == 1 and task.level:
            ns.init = task
    for ns in spaces.values():
        if ns.level == 0 or ns.init is None:
            continue
        creator = by_pid.get(ns.init.ppid)
        if creator is not None and creator.level == ns.level - 1 and creator.pid in keys:
            ns.creator, ns.parent = creator, keys[creator.pid]
        else:
            above = [s for s in spaces.values() if s.level == ns.level - 1]
            if len(above) == 1:
                ns.parent = above[0].key
    return spaces, keys


def _placed(spaces: dict[str, Namespace]) -> list[Namespace]:
    """Namespaces that can be rebuilt (an init, and a parent that can be rebuilt), parents first."""
    done: dict[str, Namespace] = {"ns0": spaces["ns0"]}
    for ns in sorted(spaces.values(), key=lambda s: (s.level, s.init.pid if s.init else 0)):
        if ns.level and ns.init is not None and ns.parent in done:
            done[ns.key] = ns
    return list(done.values())


def _select(placed: list[Namespace], limit: int, pid_ns_only: bool) -> dict[int, int]:
    """Leaders to rebuild and how many of their threads: inits and creators always, then the others by
    (level, pid) until `limit` tasks are taken."""
    chosen: dict[int, int] = {}
    budget = limit
    essential = [t for ns in placed if ns.level for t in (ns.creator, ns.init) if t is not None]
    needed = {t.pid for t in essential}
    members = [t for ns in placed for t in sorted(ns.members, key=lambda t: t.pid)]
    if pid_ns_only:
        members = [t for t in members if t.level]
    for task in [*essential, *members]:
        if task.pid in chosen or (budget <= 0 and task.pid not in needed):
            continue
        keep = max(0, min(len(task.threads), budget - 1))
        chosen[task.pid] = keep
        budget -= 1 + keep
    return chosen


def _outer(task: ProcTask) -> tuple[int, ...]:
    return tuple(reversed(task.nspid[:-1]))


def plan(snap: Snapshot, *, limit: int = 300, pid_ns_only: bool = False) -> tuple[list[tuple[Op, str]], ProcReport]:
    """The steps that rebuild the snapshot's tasks, and the report."""
    spaces, keys = _namespaces(snap)
    placed = _placed(spaces)
    chosen = _select(placed, limit, pid_ns_only)
    report = ProcReport(vanished=snap.vanished, unreadable=snap.unreadable)
    report.no_namespace = sum(len(ns.members) for ns in spaces.values() if ns not in placed)
    report.no_namespace += sum(1 for t in snap.tasks if t.pid not in keys)
    steps: list[tuple[Op, str]] = []
    unshared: set[int] = set()
    next_id = 1
    for ns in placed:
        if ns.level:
            parent = spaces[ns.parent or "ns0"]
            creator = ns.creator if ns.creator is not None and ns.creator.pid not in unshared else None
            creator = creator or next((t for t in parent.members if t.pid in chosen and t.pid not in unshared), None)
            if creator is None:
                report.no_namespace += len(ns.members)
                continue
            unshared.add(creator.pid)
            ns.model_id, next_id = next_id, next_id + 1
            report.namespaces += 1
            steps.append(
                (
                    make("unshare-pid", pid=creator.pid),
                    f"{creator.name} (pid {creator.pid}) made the PID namespace of {ns.init.name if ns.init else '?'}",
                )
            )
        for task in sorted(ns.members, key=lambda t: (t.nspid[-1] != 1, t.pid)):
            if task.pid not in chosen:
                if pid_ns_only and not task.level:
                    report.not_nested += 1 + len(task.threads)
                else:
                    report.beyond_limit += 1 + len(task.threads)
                continue
            steps.extend(_task_steps(task, ns, report))
            threads = task.threads[: chosen[task.pid]]
            report.beyond_limit += len(task.threads) - len(threads)
            for thread in threads:
                steps.append(
                    (
                        make(
                            "thread",
                            tgid=task.nspid[-1],
                            tid=thread.nspid[-1],
                            ns=ns.model_id or 0,
                            outer=_outer(thread),
                        ),
                        f"{task.name}: thread {_numbers(thread)} of {_numbers(task)}",
                    )
                )
                report.threads += 1
    report.steps = len(steps)
    return steps, report


def _task_steps(task: ProcTask, ns: Namespace, report: ProcReport) -> Iterator[tuple[Op, str]]:
    report.processes += 1
    if ns.level == 0 and task.pid == 1:
        return  # the model's ns0 starts with its init, pid 1
    say = f"{task.name}: pid {_numbers(task)}"
    if ns.level:
        say += f" (NSpid {' '.join(map(str, task.nspid))})"
        yield make("spawn", pid=task.nspid[-1], ns=ns.model_id, outer=_outer(task)), say
    else:
        yield make("spawn", pid=task.pid), say


def _numbers(task: ProcTask) -> str:
    return "/".join(str(n) for n in task.nspid)
