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

STATE_GLYPHS = {"live": ("●", "ok"), "stale": ("○", "warn"), "dead": ("✕", "bad")}
"""Glyph and colour per dentry state: live (hashed), stale (unhashed, kept by a reference), dead (hashed,
naming an exited task: the flush missed it)."""
TASK_GLYPHS = {True: ("●", "ok"), False: ("○", "warn")}
"""Alive, or exited but still named by a proc dentry (its struct pid kept alive)."""
LEGEND = "● live  ○ stale: unhashed, kept while held  ✕ dead: not flushed  ◆ this step"

FREED_EVENT_KINDS = ("proc.d_invalidate", "proc.shrink", "proc.release_mnt", "proc.mount.free")


def _numbered(refs: frozenset[str], prefix: str) -> set[int]:
    """The numbers of the ids in `refs` made of `prefix` and digits (``d7`` -> 7)."""
    size = len(prefix)
    return {int(r[size:]) for r in refs if r.startswith(prefix) and r[size:].isdigit()}


def dentry_text(fs: Procfs, d: Dentry, prefix: str, p: Palette) -> Text:
    """`├─● 1000/ d5 pid 1000 ref 1 held by 1 stale`: tree line, state glyph, name, id, task, d_count."""
    state = fs.state(d)
    glyph, role = STATE_GLYPHS[state]
    colour = getattr(p, role)
    text = Text(prefix, style="dim")
    text.append(f"{glyph} ", style=colour)
    text.append(d.name + ("/" if d.is_dir and d.parent is not None else ""), style="bold" if d.is_dir else "")
    text.append(f" {d.ref}", style="dim")
    task = fs.task_of(d)
    if task is not None and (d.kind in ("pid", "tid") or state == "dead"):
        text.append(f" {task.ref}", style=p.info)
        if d.kind == "pid" and not task.is_leader:
            text.append(" (thread)", style="dim")
    text.append(f" ref {d.count}", style="dim")
    if d.holds:
        text.append(f" held by {d.holds}", style=f"bold {p.special}")
    if state != "live":
        text.append(f" {state}", style=f"bold {colour}")
    return text


def namespace_text(fs: Procfs, ns: PidNamespace, p: Palette) -> Text:
    """The heading of one namespace's proc mount."""
    text = Text(f"{ns.ref}", style="bold reverse")
    text.append(f" level {ns.level}", style="bold")
    init = fs.tasks.get(ns.reaper) if ns.reaper is not None else None
    text.append(f" · init {init.ref if init else 'none yet'}", style="dim")
    if ns.mount is not None:
        text.append(" · proc mount", style="dim")
        if ns.mount.released:
            text.append(" released", style=f"bold {p.warn}")
    if not ns.adding:
        text.append(" · dead", style=f"bold {p.bad}")
    return text


class DentryTreeView(RowList):
    """The dentry trees, one per proc mount; only the visible rows are drawn."""

    def __init__(self) -> None:
        super().__init__("/proc dentries per namespace", id="proc-tree")
        self.fs: Procfs | None = None
        self.dentry_rows = DentryRows()

    @property
    def rows(self) -> list[tuple[str, int, str]]:
        return self.dentry_rows.rows

    def row_count(self) -> int:
        return len(self.rows)

    def row_text(self, index: int) -> Text:
        assert self.fs is not None
        kind, key, prefix = self.rows[index]
        if kind == "ns":
            return namespace_text(self.fs, self.fs.namespaces[key], self.p)
        if kind == "none":
            return Text("  no proc mount: its first task (init) creates it", style="dim italic")
        return dentry_text(self.fs, self.fs.dentries[key], prefix, self.p)

    def row_ref(self, index: int) -> str | None:
        if index >= len(self.rows):
            return None
        kind, key, _ = self.rows[index]
        return f"d{key}" if kind == "d" else f"ns{key}"

    def update_from(self, fs: Procfs, view: StepView) -> None:
        self.dentry_rows.update(fs)
        self.fs = fs
        wanted = {("d", n) for n in _numbered(view.refs, "d")} | {("ns", n) for n in _numbered(view.refs, "ns")}
        marked = frozenset(row for row in (self.dentry_rows.row_of(*key) for key in wanted) if row is not None)
        dentry_rows = sorted(i for i in marked if self.rows[i][0] == "d")
        reveal = dentry_rows[0] if dentry_rows else (min(marked) if marked else None)
        self.border_subtitle = self._subtitle(fs, view)
        self.reload(marked, reveal=reveal)
        if dentry_rows and dentry_rows[-1] - dentry_rows[0] < self.scrollable_content_region.height:
            # then bring the last marked row in too: every dentry the step touched is on screen
            last = Region(0, dentry_rows[-1], 1, 1)
            self.call_after_refresh(self.scroll_to_region, last, animate=False, immediate=True, force=True)

    def _subtitle(self, fs: Procfs, view: StepView) -> str:
        count = len(fs.dentries)
        text = f"{count} dentr{'ies' if count != 1 else 'y'}, {self.dentry_rows.stale} stale"
        freed = [r for e in view.events if e.kind in FREED_EVENT_KINDS for r in e.data.get("freed", [])]
        freed += [e.refs[0] for e in view.events if e.kind == "proc.dentry.free" and e.refs]
        if freed:
            shown = " ".join(freed[:6]) + (" …" if len(freed) > 6 else "")
            text += f" · freed now: {shown}"
        return text


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
    text.append("?" if leader is None else "·".join(str(nr) for _, nr in leader.numbers), style="dim")
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
        wanted = {int(ref[4:]) for ref in view.refs if ref.startswith("pid ") and ref[4:].isdigit()}
        marked = frozenset(row for nr in wanted for row in self._rows_of.get(nr, ()))
        alive = self._alive
        exited = f", {len(self.tasks) - alive} exited (○)" if len(self.tasks) > alive else ""
        spaces = len(fs.namespaces)
        self.border_subtitle = f"{alive} alive{exited}, {spaces} namespace{'s' if spaces != 1 else ''}"
        self.reload(marked, reveal=min(marked) if marked else None)


class ProcPanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """The proc dentry trees of every PID namespace beside the task table, and the selection's details."""

    TAB_TITLE = "proc"
    LEGEND = "● live · ○ stale (unhashed, kept by a reference) · ✕ dead (not flushed) · held by N: open references"
    PART = "procfs"
    DEFAULT_CSS = """
    ProcPanel { height: 1fr; }
    ProcPanel > Horizontal { height: 1fr; }
    ProcPanel DentryTreeView { width: 3fr; }
    ProcPanel TaskTableView { width: 2fr; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield DentryTreeView()
            yield TaskTableView()
        yield DetailsBar(LEGEND)

    def show(self, view: StepView) -> None:
        fs: Procfs = view.system.part("procfs")
        self.query_one(DentryTreeView).update_from(fs, view)
        self.query_one(TaskTableView).update_from(fs, view)
        self.query_one(DetailsBar).show(view.system)
