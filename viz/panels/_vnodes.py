"""The vnodes panel: every vnode's type, state, counts and lock, and the free list in LRU order.

A vnode the step changed (allocated, referenced, released, recycled, reclaimed) is marked ◆; one it only
named (the directory a lookup searched) is marked ◇. Vnode structs are never freed, only recycled, so
this panel has no ghosts.
"""

from __future__ import annotations

from itertools import islice

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from model.vfs.namecache_entry import children_of, names_of
from model.vfs.vfs import Vfs
from model.vfs.vnode import ACTIVE, DEAD, INACTIVE, RECLAIMED
from viz.palette import palette
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._details import DetailsBar, DetailsOnSelect
from viz.panels._rows import RowList
from viz.words import plural

STATE_GLYPHS = {ACTIVE: ("●", "ok"), INACTIVE: ("○", "warn"), RECLAIMED: ("✕", "muted"), DEAD: ("†", "bad")}
"""Glyph and colour role per life-cycle state: active, inactive (on the free list), reclaimed, dead."""

LEGENDS = (
    "● active · ○ inactive, on the free list · ✕ reclaimed · † dead · [L] locked · ◆ changed · ◇ named",
    "● active ○ inactive ✕ reclaimed † dead [L] locked ◆ changed ◇ named",
    "● active ○ free ✕ reclaimed † dead ◆ changed",
)
LESSON_KINDS = {
    "vnode.new": "allocated",
    "vnode.recycle": "recycled",
    "vnode.reclaim": "reclaimed",
    "vnode.inactive": "inactive",
    "vnode.dead": "dead",
    "vnode.space_freed": "space freed",
}


def _vnode_index(ref: str) -> int | None:
    """The row of the struct a vnode id names, whatever its generation (``vp6`` and ``vp6#2`` are row 5)."""
    number = ref.partition("#")[0][2:]
    return int(number) - 1 if ref.startswith("vp") and number.isdigit() else None


class VnodesView(RowList):
    """One row per vnode struct, in allocation order."""

    def __init__(self) -> None:
        super().__init__("vnodes", id="vnode-list")
        self.vfs: Vfs | None = None

    def row_count(self) -> int:
        return self.vfs.vnodes.numvnodes if self.vfs else 0

    def row_text(self, index: int) -> Text:
        """`vp4 ○ inactive VREG use 0 hold 0 mnt0:16 /usr/bin/cc (1 name, 0 under)`; in a narrow list the
        counts of names, the hold count and the inode give way, never the path."""
        assert self.vfs is not None
        vp = self.vfs.vnodes.vnodes[index]
        glyph, role = STATE_GLYPHS[vp.state]
        wide = (self.scrollable_content_region.width or 200) >= 78
        text = Text(f"{vp.id:<6}" if wide else f"{vp.id:<5}", style="bold")
        text.append(f"{glyph} {vp.state:<9}", style=getattr(self.p, role))
        text.append(f" {vp.type:<4} use {vp.usecount:<2} ")
        if wide:
            text.append(f"hold {vp.holdcount:<2} ")
        text.append("[L] " if vp.locked else ("    " if wide else ""), style=f"bold {self.p.bad}")
        if wide:
            text.append(f"{(vp.mount or '-')}:{vp.ino if vp.ino is not None else '-':<4} ", style=self.p.muted)
        text.append(self.vfs.path_of(vp), style=self.p.info)
        names, children = sum(1 for _ in names_of(vp)), sum(1 for _ in children_of(vp))
        cached = f"  ({plural(names, 'name')}, {children} below)"
        if wide and (names or children) and text.cell_len + len(cached) <= self.scrollable_content_region.width - 2:
            text.append(cached, style=self.p.muted)
        return text

    def row_ref(self, index: int) -> str | None:
        return self.vfs.vnodes.vnodes[index].id if self.vfs and index < self.row_count() else None

    def update_from(self, vfs: Vfs, view: StepView) -> None:
        self.vfs = vfs
        count = vfs.vnodes.numvnodes

        def rows(refs: frozenset[str]) -> list[int]:
            return sorted(i for i in map(_vnode_index, refs) if i is not None and 0 <= i < count)

        changed, named, created = rows(view.changed), rows(view.looked), rows(view.created)
        self.set_titles(f"vnodes · {count} of desiredvnodes {vfs.vnodes.desiredvnodes}",
                        f"vnodes {count}/{vfs.vnodes.desiredvnodes}", "vnodes")  # fmt: skip
        marked = created or changed or named
        reveal = (marked[0], marked[-1]) if marked else None
        self.reload(frozenset(changed), looked=frozenset(named), reveal=reveal)


def lesson(view: StepView) -> tuple[str, ...]:
    """What the step did to vnodes: how many were allocated, recycled, reclaimed, made inactive."""
    counts: dict[str, int] = {}
    for event in view.events:
        word = LESSON_KINDS.get(event.kind)
        if word is not None:
            counts[word] = counts.get(word, 0) + 1
    parts = [f"{n} {word}" for word, n in counts.items()]
    removes = [e for e in view.events if e.kind == "vfs.remove" and "nlink" in e.data]
    if removes:  # the unlinked file: its link count, and whether it is still open
        d = removes[-1].data
        parts.insert(0, f"{d['vnode']} link count {d['nlink']}, usecount {d['usecount']}")
    elif not parts:
        uses = [(e.refs[0], e.data["usecount"]) for e in view.events if "usecount" in e.data and e.refs]
        return (f"{uses[-1][0]} usecount {uses[-1][1]}",) if uses else ()
    return (" · ".join(parts), parts[0])


class VnodePanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """Vnodes with the free list above them and the details of the selected vnode below."""

    TAB_TITLE = "vnodes"
    LEGEND = "● active · ○ inactive, on the free list · ✕ reclaimed · † dead · [L] locked · ◆ changed by this "\
             "step · ◇ named by it, unchanged"  # fmt: skip
    PART = "vfs"
    DEFAULT_CSS = """
    VnodePanel { height: 1fr; }
    VnodePanel #freelist { height: auto; max-height: 3; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="freelist")
        yield VnodesView()
        yield DetailsBar(*LEGENDS)

    def show(self, view: StepView) -> None:
        vfs: Vfs = view.system.part("vfs")
        freelist = vfs.vnodes.freelist
        p = palette(self.app)
        text = Text("free list (head is recycled first): ", style="bold")
        shown = list(islice(freelist.values(), 24))  # the head only: the list can hold every vnode
        text.append(" → ".join(v.id for v in shown) or "empty", style=p.warn)
        if len(freelist) > len(shown):
            text.append(f" … {len(freelist) - len(shown)} more", style=p.muted)
        self.query_one("#freelist", Static).update(text)
        self.query_one(VnodesView).update_from(vfs, view)
        self.query_one(DetailsBar).show(view)

    def lesson(self, view: StepView) -> tuple[str, ...]:
        return lesson(view)
