"""The vnodes panel: every vnode's type, state, counts and lock, and the free list in LRU order."""

from __future__ import annotations

from itertools import islice

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from model.vfs.vfs import Vfs
from model.vfs.vnode import ACTIVE, DEAD, INACTIVE, RECLAIMED
from viz.palette import palette
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._details import DetailsBar, DetailsOnSelect
from viz.panels._rows import RowList

STATE_GLYPHS = {ACTIVE: ("●", "ok"), INACTIVE: ("○", "warn"), RECLAIMED: ("✕", "dim"), DEAD: ("†", "bad")}
"""Glyph and colour role per life-cycle state: active, inactive (on the free list), reclaimed, dead."""


class VnodesView(RowList):
    """One row per vnode struct, in allocation order."""

    def __init__(self) -> None:
        super().__init__("vnodes", id="vnode-list")
        self.vfs: Vfs | None = None

    def row_count(self) -> int:
        return self.vfs.vnodes.numvnodes if self.vfs else 0

    def row_text(self, index: int) -> Text:
        assert self.vfs is not None
        vp = self.vfs.vnodes.vnodes[index]
        glyph, role = STATE_GLYPHS[vp.state]
        colour = getattr(self.p, role, role)
        text = Text(f"{vp.id:<6}", style="bold")
        text.append(f"{glyph} {vp.state:<9}", style=colour)
        text.append(f" {vp.type:<4} use {vp.usecount:<2} hold {vp.holdcount:<2} ")
        text.append("[L] " if vp.locked else "    ", style=f"bold {self.p.bad}")
        text.append(f"{(vp.mount or '-')}:{vp.ino if vp.ino is not None else '-':<4} ", style="dim")
        text.append(self.vfs.path_of(vp), style=self.p.info)
        names = len(vp.v_nclist) + len(vp.v_dnclist)
        if names:
            text.append(f"   ({len(vp.v_nclist)} names, {len(vp.v_dnclist)} children cached)", style="dim")
        return text

    def row_ref(self, index: int) -> str | None:
        return self.vfs.vnodes.vnodes[index].id if self.vfs and index < self.row_count() else None

    def update_from(self, vfs: Vfs, view: StepView) -> None:
        self.vfs = vfs
        structs = (vfs.vnodes.struct(r) for r in view.refs if r.startswith("vp"))  # any generation: its row
        touched = sorted({vp.num - 1 for vp in structs if vp is not None})
        self.border_subtitle = f"{vfs.vnodes.numvnodes} of desiredvnodes {vfs.vnodes.desiredvnodes}"
        self.reload(frozenset(touched), reveal=touched[0] if touched else None)


class VnodePanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """Vnodes with the free list above them and the details of the selected vnode below."""

    TAB_TITLE = "vnodes"
    LEGEND = "● active · ○ inactive, on the free list · ✕ reclaimed · † dead · [L] locked"
    PART = "vfs"
    DEFAULT_CSS = """
    VnodePanel { height: 1fr; }
    VnodePanel #freelist { height: auto; max-height: 3; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="freelist")
        yield VnodesView()
        yield DetailsBar(
            "Select a vnode to see its names (namecache_print) and counts. "
            "● active  ○ inactive (free list)  ✕ reclaimed  † dead  [L] locked"
        )

    def show(self, view: StepView) -> None:
        vfs: Vfs = view.system.part("vfs")
        freelist = vfs.vnodes.freelist
        text = Text("free list (head is recycled first): ", style="bold")
        shown = list(islice(freelist.values(), 24))  # the head only: the list can hold every vnode
        text.append(" → ".join(v.id for v in shown) or "empty", style=palette(self.app).warn)
        if len(freelist) > len(shown):
            text.append(f" … {len(freelist) - len(shown)} more", style="dim")
        self.query_one("#freelist", Static).update(text)
        self.query_one(VnodesView).update_from(vfs, view)
        self.query_one(DetailsBar).show(view.system)
