"""The /proc panel: one dentry tree per PID namespace's proc mount, with the task table beside it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Region

from model.procfs.objects import Dentry, PidNamespace, Task
from model.procfs.procfs import Procfs
from viz.palette import Palette
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._dentry_rows import DentryRows
from viz.panels._details import DetailsBar, DetailsOnSelect
from viz.panels._rows import RowList
from viz.words import plural

STATE_GLYPHS = {"live": ("●", "ok"), "stale": ("○", "warn"), "dead": ("✕", "bad")}
"""Glyph and colour per dentry state: live (hashed), stale (unhashed, kept by a reference), dead (hashed,
naming an exited task: the flush missed it)."""
TASK_GLYPHS = {True: ("●", "ok"), False: ("○", "warn")}
"""Alive, or exited but still named by a proc dentry (its struct pid kept alive)."""
LEGENDS = (
    "● live · ○ stale: unhashed, kept while held · ✕ dead: not flushed · ◆ changed · ◇ named · ✕ d7 freed now",
    "● live ○ stale (held) ✕ dead: not flushed ◆ changed ◇ named",
    "● live ○ stale ✕ dead ◆ changed",
)


def _numbered(refs: frozenset[str], prefix: str) -> set[int]:
    """The numbers of the ids in `refs` made of `prefix` and digits (``d7`` -> 7)."""
    size = len(prefix)
    return {int(r[size:]) for r in refs if r.startswith(prefix) and r[size:].isdigit()}


def dentry_text(fs: Procfs, d: Dentry, prefix: str, p: Palette) -> Text:
    """`├─● 1000/ d5 pid 1000 ref 1 held by 1 stale`: tree line, state glyph, name, id, task, d_count."""
    state = fs.state(d)
    glyph, role = STATE_GLYPHS[state]
    colour = getattr(p, role)
    text = Text(prefix, style=p.muted)
    text.append(f"{glyph} ", style=colour)
    text.append(d.name + ("/" if d.is_dir and d.parent is not None else ""), style="bold" if d.is_dir else "")
    text.append(f" {d.ref}", style=p.muted)
    task = fs.task_of(d)
    if task is not None and (d.kind in ("pid", "tid") or state == "dead"):
        text.append(f" {task.ref}", style=p.info)
        if d.kind == "pid" and not task.is_leader:
            text.append(" (thread)", style=p.muted)
    text.append(f" ref {d.count}", style=p.muted)
    if d.holds:
        text.append(f" held by {d.holds}", style=f"bold {p.special}")
    if state != "live":
        text.append(f" {state}", style=f"bold {colour}")
    return text


def namespace_text(fs: Procfs, ns: PidNamespace, p: Palette, *, short: bool = False) -> Text:
    """The heading of one namespace's proc mount (`short`: without the words a narrow panel has no room for)."""
    text = Text(f"{ns.ref}", style="bold reverse")
    text.append(f" L{ns.level}" if short else f" level {ns.level}", style="bold")
    init = fs.tasks.get(ns.reaper) if ns.reaper is not None else None
    text.append(f" · init {init.ref if init else 'none yet'}", style=p.muted)
    if ns.mount is not None and not short:
        text.append(" · proc mount", style=p.muted)
        if ns.mount.released:
            text.append(" released", style=f"bold {p.warn}")
    if not ns.adding:
        text.append(" · dead", style=f"bold {p.bad}")
    return text


def ghost_rows(view: StepView) -> list[tuple[int, str, str]]:
    """(namespace id, dentry id, its path) of every dentry the step freed, in the order it freed them."""
    out = []
    for ref, event in view.removed.items():
        ns = str(event.data.get("ns", ""))
        if ref.startswith("d") and ref[1:].isdigit() and ns.startswith("ns") and ns[2:].isdigit():
            out.append((int(ns[2:]), ref, view.gone_label(ref)))
    return out


class DentryTreeView(RowList):
    """The dentry trees, one per proc mount, then (for one step) the dentries the step freed in each."""

    def __init__(self) -> None:
        super().__init__("/proc dentries per namespace", id="proc-tree")
        self.fs: Procfs | None = None
        self.dentry_rows = DentryRows()
        self.shown: list[tuple[str, int, str]] = []  # the rows and any ghost rows ("ghost", ns, "dK path")

    @property
    def rows(self) -> list[tuple[str, int, str]]:
        return self.shown

    def row_count(self) -> int:
        return len(self.shown)

    def row_text(self, index: int) -> Text:
        assert self.fs is not None
        kind, key, prefix = self.shown[index]
        if kind == "ns":
            text = namespace_text(self.fs, self.fs.namespaces[key], self.p)
            if text.cell_len > (self.scrollable_content_region.width or 200) - 2:
                text = namespace_text(self.fs, self.fs.namespaces[key], self.p, short=True)
            return text
        if kind == "none":
            return Text("  no proc mount: its first task (init) creates it", style=f"italic {self.p.muted}")
        if kind == "ghost":
            ref, _, path = prefix.partition(" ")
            text = Text(f"{ref} ", style=f"bold {self.p.bad}")
            text.append(path, style=self.p.muted)
            text.append(" freed", style=f"italic {self.p.bad}")
            return text
        return dentry_text(self.fs, self.fs.dentries[key], prefix, self.p)

    def row_ref(self, index: int) -> str | None:
        if index >= len(self.shown):
            return None
        kind, key, prefix = self.shown[index]
        if kind == "ghost":
            return prefix.partition(" ")[0]
        return f"d{key}" if kind == "d" else f"ns{key}"

    def update_from(self, fs: Procfs, view: StepView) -> None:
        self.dentry_rows.update(fs)
        self.fs = fs
        base = self.dentry_rows.rows
        ghosts = ghost_rows(view)
        offsets: list[int] = []  # base row -> shown row, only when ghosts are inserted
        if ghosts:
            self.shown, offsets = _insert_ghosts(base, ghosts)
        else:
            self.shown = base

        def shown_row(row: int | None) -> int | None:
            return None if row is None else (offsets[row] if offsets else row)

        changed = {("d", n) for n in _numbered(view.changed, "d")} | {("ns", n) for n in _numbered(view.changed, "ns")}
        named = {("d", n) for n in _numbered(view.looked, "d")} | {("ns", n) for n in _numbered(view.looked, "ns")}
        marked = frozenset(r for r in (shown_row(self.dentry_rows.row_of(*k)) for k in changed) if r is not None)
        looked = frozenset(r for r in (shown_row(self.dentry_rows.row_of(*k)) for k in named) if r is not None)
        ghost_at = frozenset(i for i, row in enumerate(self.shown) if row[0] == "ghost") if ghosts else frozenset()
        focus = sorted(i for i in marked | ghost_at if self.shown[i][0] in ("d", "ghost"))
        reveal = focus[0] if focus else (min(marked | looked) if marked | looked else None)
        count = len(fs.dentries)
        stale = self.dentry_rows.stale
        self.set_titles(f"/proc dentries per namespace · {plural(count, 'dentry')}, {stale} stale",
                        f"dentries · {count}, {stale} stale", f"dentries {count}", "dentries")  # fmt: skip
        self.reload(marked, looked=looked, ghosts=ghost_at, reveal=reveal)
        if focus and focus[-1] - focus[0] < self.scrollable_content_region.height:
            # then bring the last marked row in too: every dentry the step touched is on screen
            last = Region(0, focus[-1], 1, 1)
            self.call_after_refresh(self.scroll_to_region, last, animate=False, immediate=True, force=True)


def _insert_ghosts(
    rows: list[tuple[str, int, str]], ghosts: list[tuple[int, str, str]]
) -> tuple[list[tuple[str, int, str]], list[int]]:
    """The rows with each ghost at the end of its namespace's block, and where each old row went."""
    by_ns: dict[int, list[tuple[str, int, str]]] = {}
    for ns, ref, path in ghosts:
        by_ns.setdefault(ns, []).append(("ghost", ns, f"{ref} {path}"))
    shown: list[tuple[str, int, str]] = []
    offsets: list[int] = []
    current: int | None = None
    for row in rows:
        if row[0] == "ns" and current is not None:
            shown += by_ns.pop(current, [])
        if row[0] == "ns":
            current = row[1]
        offsets.append(len(shown))
        shown.append(row)
    if current is not None:
        shown += by_ns.pop(current, [])
    for rest in by_ns.values():  # a namespace gone with its mount
        shown += rest
    return shown, offsets


def task_order(fs: Procfs) -> list[Task]:
    """Thread groups in creation order, each leader followed by its threads (exited ones included)."""
    groups: dict[int, list[Task]] = {}
    for task in fs.tasks.values():
        groups.setdefault(task.leader if task.leader in fs.tasks else task.serial, []).append(task)
    return [task for members in groups.values() for task in members]


def task_text(fs: Procfs, task: Task, p: Palette) -> Text:
    """`● pid 1000  ns1 1000·1    1000·1`: state, id, own namespace, number per level, tgid per level."""
    glyph, role = TASK_GLYPHS[task.alive]
    colour = getattr(p, role)
    leader = fs.tasks.get(task.leader)
    text = Text(f"{glyph} ", style=colour)
    name = task.ref if task.is_leader else f"↳{task.ref}"
    text.append(f"{name:<9} ", style="bold" if task.is_leader else "")
    text.append(f"{'ns' + str(task.ns):<3} ", style=p.info)
    text.append(f"{'·'.join(str(nr) for _, nr in task.numbers):<9} ")
    text.append("?" if leader is None else "·".join(str(nr) for _, nr in leader.numbers), style=p.muted)
    return text


class TaskTableView(RowList):
    """Every task: its number in each namespace from ns0 down to its own, and its thread group's."""

    HEADER = "  task      ns  pid/level tgid/level"

    def __init__(self) -> None:
        super().__init__("tasks", id="proc-tasks")
        self.fs: Procfs | None = None
        self.tasks: list[Task] = []
        self._rows_of: dict[int, list[int]] = {}  # number in ns0 -> rows of the tasks numbered so
        self._alive = 0
        self._signature: tuple = ()

    def row_count(self) -> int:
        return len(self.tasks) + 1

    def row_text(self, index: int) -> Text:
        assert self.fs is not None
        if index == 0:
            return Text(self.HEADER, style="bold underline")
        return task_text(self.fs, self.tasks[index - 1], self.p)

    def row_ref(self, index: int) -> str | None:
        return self.tasks[index - 1].ref if 0 < index <= len(self.tasks) else None

    def update_from(self, fs: Procfs, view: StepView) -> None:
        signature = (fs.next_serial, len(fs.tasks), tuple(len(ns.pids) for ns in fs.namespaces.values()))
        if fs is not self.fs or signature != self._signature:  # a task came, went or exited: order them again
            self.tasks = task_order(fs)
            self._rows_of = {}
            for i, task in enumerate(self.tasks, start=1):
                self._rows_of.setdefault(task.numbers[0][1], []).append(i)
            self._alive = sum(1 for t in self.tasks if t.alive)
            self._signature = signature
        self.fs = fs

        def rows(refs: frozenset[str]) -> frozenset[int]:
            numbers = {int(ref[4:]) for ref in refs if ref.startswith("pid ") and ref[4:].isdigit()}
            return frozenset(row for nr in numbers for row in self._rows_of.get(nr, ()))

        marked, named = rows(view.changed), rows(view.looked)
        alive = self._alive
        exited = len(self.tasks) - alive
        spaces = len(fs.namespaces)
        self.set_titles(f"tasks · {alive} alive, {exited} exited (○), {plural(spaces, 'namespace')}",
                        f"tasks · {alive} alive, {exited} exited", f"tasks {alive}+{exited}", "tasks")  # fmt: skip
        focus = marked or named
        self.reload(marked, looked=named, reveal=min(focus) if focus else None)


def lesson(view: StepView) -> tuple[str, ...]:
    """The step's /proc numbers: dentries flushed and freed at an exit, or made, found or refused by a walk."""
    events = [e for e in view.events if e.kind.startswith("proc.")]
    if not events:
        return ()
    flushes = [e for e in events if e.kind == "proc.flush"]
    freed = sum(len(e.removed) for e in events)
    parts: list[str] = []
    if flushes:
        flushed = sum(e.data.get("flushed", 0) for e in flushes)
        parts.append(f"proc_flush_task: {plural(flushed, 'dentry')} flushed")
    for event in events:
        if event.kind in ("proc.spawn", "proc.thread") and event.refs:
            numbers = " · ".join(f"{ns} {nr}" for ns, nr in event.data.get("numbers", ()))
            parts.append(f"{event.refs[0]}: {numbers}")
    made = sum(1 for e in events if e.kind == "proc.dentry.new")
    hits = sum(1 for e in events if e.kind == "proc.lookup" and e.func == "d_lookup")
    if made:
        parts.append(f"{plural(made, 'dentry')} made")
    if hits:
        parts.append(f"{plural(hits, 'dcache hit')}")
    if freed:
        parts.append(f"{freed} freed")
    errors = [e.errno for e in events if e.errno and e.kind in ("proc.lookup", "proc.open")]
    if errors:
        parts.append(errors[-1])
    if not parts:
        return ()
    return (" · ".join(parts), " · ".join(parts).replace("proc_flush_task: ", ""))


class ProcPanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """The proc dentry trees of every PID namespace beside the task table, and the selection's details."""

    TAB_TITLE = "proc"
    LEGEND = "● live · ○ stale (unhashed, kept by a reference) · ✕ dead (not flushed) · held by N: open references"\
             " · ◆ changed by this step · ◇ named by it · ✕ dK path freed: a dentry freed by this step"  # fmt: skip
    PART = "procfs"
    DEFAULT_CSS = """
    ProcPanel { height: 1fr; }
    ProcPanel > Horizontal { height: 1fr; }
    ProcPanel DentryTreeView { width: 3fr; }
    ProcPanel TaskTableView { width: 2fr; margin-left: 1; }
    ProcPanel.-stacked > Horizontal { layout: vertical; }
    ProcPanel.-stacked DentryTreeView { width: 1fr; height: 3fr; }
    ProcPanel.-stacked TaskTableView { width: 1fr; height: 2fr; margin-left: 0; }
    """
    STACK_BELOW = 72
    """Below this width the task table goes under the dentry trees instead of beside them."""

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.STACK_BELOW, "-stacked")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield DentryTreeView()
            yield TaskTableView()
        yield DetailsBar(*LEGENDS)

    def show(self, view: StepView) -> None:
        fs: Procfs = view.system.part("procfs")
        self.query_one(DentryTreeView).update_from(fs, view)
        self.query_one(TaskTableView).update_from(fs, view)
        self.query_one(DetailsBar).show(view)

    def lesson(self, view: StepView) -> tuple[str, ...]:
        return lesson(view)
