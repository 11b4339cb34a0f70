"""The cpu panel: the I-cache and the D-cache as grids, and the selected line beside memory.

Sets are rows and ways columns; the I-cache's set k and the D-cache's set k share row k. A cell shows
the line's state as a glyph (so it reads in monochrome) and its tag. Below the grid, the words of the
selected line's addresses as the I-cache, the D-cache and memory each hold them: a stale I-line shows
up as a difference. The grid renders only its visible rows (Line API), so thousands of sets scroll fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from model.cpu.cache import INVALID, WORD, Cache
from model.cpu.cpu import CpuCaches
from viz.palette import Palette, palette
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._rows import pick

INVALID_GLYPH, CLEAN_GLYPH, DIRTY_GLYPH, STALE_GLYPH, CURSOR_GLYPH = "·", "○", "●", "≠", "▸"
CHANGED_GLYPH, GHOST_GLYPH, LOOK_GLYPH = "◆", "✕", "◇"
LEGENDS = (
    f"{INVALID_GLYPH} invalid  {CLEAN_GLYPH} clean  {DIRTY_GLYPH} dirty  {STALE_GLYPH} stale (not the newest "
    f"bytes)  {CURSOR_GLYPH} selected  {CHANGED_GLYPH} changed  {GHOST_GLYPH} invalidated  {LOOK_GLYPH} named",
    f"{INVALID_GLYPH} invalid {CLEAN_GLYPH} clean {DIRTY_GLYPH} dirty {STALE_GLYPH} stale {CURSOR_GLYPH} selected "
    f"{CHANGED_GLYPH} changed {GHOST_GLYPH} gone {LOOK_GLYPH} named",
    f"{CLEAN_GLYPH} clean {DIRTY_GLYPH} dirty {STALE_GLYPH} stale {CHANGED_GLYPH} changed {GHOST_GLYPH} gone",
)
LEGEND = LEGENDS[0]
_LINE_REF = re.compile(r"([ID]) set (\d+) way (\d+)")
WORDS_PER_ROW = 8


@dataclass(frozen=True, slots=True)
class Selection:
    """A cache line's position: which cache, set and way."""

    cache: str
    index: int
    way: int

    @property
    def ref(self) -> str:
        return f"{self.cache} set {self.index} way {self.way}"


def tag_text(tag: int, width: int) -> str:
    """A tag as the events write it (`0x8000`), right-aligned in `width` columns."""
    return f"{tag:#x}".rjust(width)


MIN_TAG_WIDTH = 6
"""Columns kept for a tag however small the tags held are (`0x8000`)."""


class CacheGrid(ScrollView, can_focus=True):
    """Both caches, set by set: a fixed header row, then one row per set (only visible rows are drawn)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cache-grid--header",
        "cache-grid--invalid",
        "cache-grid--clean",
        "cache-grid--dirty",
        "cache-grid--stale",
        "cache-grid--ghost",
        "cache-grid--touched",
        "cache-grid--cursor",
    }
    DEFAULT_CSS = """
    CacheGrid { height: 1fr; scrollbar-size-vertical: 1; }
    CacheGrid:focus { background-tint: $foreground 4%; }
    CacheGrid > .cache-grid--header { color: $text-muted; text-style: bold; }
    CacheGrid > .cache-grid--invalid { color: $text-disabled; }
    CacheGrid > .cache-grid--clean { color: $success; }
    CacheGrid > .cache-grid--dirty { color: $warning; text-style: bold; }
    CacheGrid > .cache-grid--stale { color: $error; text-style: bold; }
    CacheGrid > .cache-grid--ghost { color: $error; text-style: italic; }
    CacheGrid > .cache-grid--touched { text-style: reverse bold; }
    CacheGrid > .cache-grid--cursor { text-style: underline; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(0, -1)", "Set up", show=False),
        Binding("down", "move(0, 1)", "Set down", show=False),
        Binding("left", "move(-1, 0)", "Way left", show=False),
        Binding("right", "move(1, 0)", "Way right", show=False),
    ]

    cursor: reactive[Selection] = reactive(Selection("D", 0, 0), layout=False)

    class LineSelected(Message):
        """The user moved the cursor to a line."""

        def __init__(self, selection: Selection) -> None:
            super().__init__()
            self.selection = selection

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cpu: CpuCaches | None = None
        self._refs: frozenset[str] = frozenset()
        self._changed: frozenset[str] = frozenset()
        self._ghosts: dict[str, int] = {}  # line ref -> the tag it held, for lines the step invalidated
        self._tag_width = MIN_TAG_WIDTH  # as wide as the widest tag held now: the grid fits narrow panels

    # -- data -------------------------------------------------------------------------------
    def update_view(self, cpu: CpuCaches, view: StepView, selection: Selection | None) -> None:
        """Show `cpu`, marking the lines the step changed, removed or named; move the cursor to `selection`."""
        self._cpu = cpu
        self._refs = view.refs
        self._changed = view.changed
        self._ghosts = {ref: e.data["tag"] for ref, e in view.removed.items() if isinstance(e.data.get("tag"), int)}
        held = [t for cache in (cpu.icache, cpu.dcache) for ways in cache.slots for t in ways if t != INVALID]
        self._tag_width = max([MIN_TAG_WIDTH, *(len(f"{t:#x}") for t in (*held, *self._ghosts.values()))])
        self.virtual_size = Size(self.row_width, 1 + max(cpu.icache.sets, cpu.dcache.sets))
        if selection is not None:
            self.set_reactive(CacheGrid.cursor, self._clamp(selection))
            self.call_after_refresh(self.scroll_to_cursor)  # once the new virtual size is laid out
        else:
            self.set_reactive(CacheGrid.cursor, self._clamp(self.cursor))
        self.refresh()

    @property
    def row_width(self) -> int:
        if self._cpu is None:
            return 0
        return self.set_column + sum(1 + cache.ways * self.cell_width(cache) for cache in self._caches())

    @property
    def set_column(self) -> int:
        """Width of the set-number column: the widest set number and two spaces, at least "set "."""
        if self._cpu is None:
            return 4
        return max(4, len(str(max(self._cpu.icache.sets, self._cpu.dcache.sets) - 1)) + 2)

    def _caches(self) -> tuple[Cache, Cache]:
        assert self._cpu is not None
        return self._cpu.icache, self._cpu.dcache

    def cell_width(self, cache: Cache) -> int:
        """A cell: cursor or mark, state glyph, space, the tag, space, the stale mark, a gap."""
        return self._tag_width + 5

    def _clamp(self, selection: Selection) -> Selection:
        if self._cpu is None:
            return selection
        cache = self._cpu.cache(selection.cache)
        return Selection(selection.cache, min(selection.index, cache.sets - 1), min(selection.way, cache.ways - 1))

    # -- cursor -----------------------------------------------------------------------------
    def action_move(self, dx: int, dy: int) -> None:
        """Move the cursor by ways (across both caches, I then D) and sets."""
        if self._cpu is None:
            return
        columns = [("I", w) for w in range(self._cpu.icache.ways)] + [("D", w) for w in range(self._cpu.dcache.ways)]
        column = columns.index((self.cursor.cache, self.cursor.way))
        name, way = columns[max(0, min(len(columns) - 1, column + dx))]
        sets = self._cpu.cache(name).sets
        self.cursor = Selection(name, max(0, min(sets - 1, self.cursor.index + dy)), way)

    def watch_cursor(self, selection: Selection) -> None:
        self.scroll_to_cursor()
        self.refresh()
        self.post_message(self.LineSelected(selection))

    def scroll_to_cursor(self) -> None:
        """Scroll so that the cursor's cell is visible (rows sit below the fixed header row)."""
        if self._cpu is None or self.size.height < 2:
            return
        row, top, rows = self.cursor.index, round(self.scroll_y), self.size.height - 1
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + rows:
            self.scroll_to(y=row - rows + 1, animate=False, immediate=True)
        x, left, width = self._cell_x(self.cursor), round(self.scroll_x), self.size.width
        cell = self.cell_width(self._cpu.cache(self.cursor.cache))
        if x < left + self.set_column:
            self.scroll_to(x=max(0, x - self.set_column), animate=False, immediate=True)
        elif x + cell > left + width:
            self.scroll_to(x=x + cell - width, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        """A click on a cell selects that line (the header row and the set column select nothing)."""
        offset = event.get_content_offset(self)
        if offset is None or self._cpu is None:
            return
        row = offset.y + round(self.scroll_y) - 1
        x = offset.x + round(self.scroll_x) - self.set_column
        if row < 0 or x < 0:
            return
        for cache in self._caches():
            span = 1 + cache.ways * self.cell_width(cache)
            if x < span:
                way = (x - 1) // self.cell_width(cache) if x >= 1 else 0
                if 0 <= row < cache.sets and 0 <= way < cache.ways:
                    self.cursor = Selection(cache.name, row, way)
                return
            x -= span

    def _cell_x(self, selection: Selection) -> int:
        x = self.set_column
        for cache in self._caches():
            x += 1
            if cache.name == selection.cache:
                return x + selection.way * self.cell_width(cache)
            x += cache.ways * self.cell_width(cache)
        return x

    # -- rendering --------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if self._cpu is None:
            return Strip.blank(width, base)
        if y == 0:
            segments = self._header()
        else:
            index = scroll_y + y - 1
            if index >= self.virtual_size.height - 1:
                return Strip.blank(width, base)
            segments = self._row(index)
        strip = Strip(segments).apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"cache-grid--{name}")

    def _header(self) -> list[Segment]:
        style = self._style("header")
        segments = [Segment("set".ljust(self.set_column), style)]
        for cache in self._caches():
            segments.append(Segment("│", style))
            for way in range(cache.ways):
                label = f" {cache.name} way {way}" if way == 0 else f" way {way}"
                segments.append(Segment(label.ljust(self.cell_width(cache)), style))
        return segments

    def _row(self, index: int) -> list[Segment]:
        touched_set = any(f"{cache.name} set {index}" in self._refs for cache in self._caches())
        touched_set = touched_set or any(f"{c.name} set {index} way {w}" in self._changed
                                         for c in self._caches() for w in range(c.ways))  # fmt: skip
        number_style = self._style("touched") if touched_set else self._style("header")
        number = str(index)
        segments = [Segment(" " * (self.set_column - 2 - len(number))), Segment(number, number_style), Segment("  ")]
        for cache in self._caches():
            segments.append(Segment("│", self._style("header")))
            for way in range(cache.ways):
                segments += self._cell(cache, index, way)
        return segments

    def _cell(self, cache: Cache, index: int, way: int) -> list[Segment]:
        width = self.cell_width(cache)
        if index >= cache.sets:
            return [Segment(" " * width)]
        assert self._cpu is not None
        selection = Selection(cache.name, index, way)
        ref = selection.ref
        cursor = selection == self.cursor
        tag = cache.slots[index][way]
        ghost = tag == INVALID and ref in self._ghosts
        if tag == INVALID and not ghost:
            glyph, state, body, stale = INVALID_GLYPH, "invalid", " " * self._tag_width, False
        elif ghost:
            glyph, state, body, stale = GHOST_GLYPH, "ghost", tag_text(self._ghosts[ref], self._tag_width), False
        else:
            dirty = cache.is_dirty(index, way)
            glyph, state = (DIRTY_GLYPH, "dirty") if dirty else (CLEAN_GLYPH, "clean")
            body = tag_text(tag, self._tag_width)
            stale = cache.name == "I" and self._cpu.is_stale(index, way)
        changed = ref in self._changed and not ghost
        mark = CURSOR_GLYPH if cursor else (CHANGED_GLYPH if changed else LOOK_GLYPH if ref in self._refs else " ")
        if ghost and not cursor:
            mark = " "
        style = self._style(state)
        if stale:
            style = style + self._style("stale")
        if changed:
            style = style + self._style("touched")
        if cursor:
            style = style + self._style("cursor")
        text = f"{glyph} {body} {STALE_GLYPH if stale else ' '}"
        mark_style = self._style("cursor") if cursor else None
        return [Segment(mark, mark_style), Segment(text, style), Segment(" " * (width - 1 - len(text)))]


def line_detail(cpu: CpuCaches, selection: Selection, focus: int | None, p: Palette, width: int = 100) -> Text:
    """The selected line, then the words of its addresses in the I-cache, the D-cache and memory, as many
    words a row as `width` holds."""
    cache = cpu.cache(selection.cache)
    base = cache.way_addr(selection.index, selection.way)
    text = Text()
    text.append(f"{selection.ref}: ", style="bold")
    if base == INVALID:
        text.append("invalid (empty)")
        if focus is None:
            return text
        base = focus & ~(cache.line - 1)
        text.append(f"; showing {base:#x}, the line last in view")
    else:
        dirty = cache.is_dirty(selection.index, selection.way)
        rank = cache.lru_rank(selection.index, selection.way)
        state = f"{DIRTY_GLYPH} dirty" if dirty else f"{CLEAN_GLYPH} clean"
        text.append(
            f"{base:#x}..{base + cache.line - 1:#x}, tag {cache.slots[selection.index][selection.way]:#x}, "
            f"{state}, LRU {rank} of {len(cache.order[selection.index])} (0 = next victim)"
        )
    per_row = max(1, min(WORDS_PER_ROW, (width - ROW_LABEL) // 9))
    for start in range(base, base + cache.line, WORD * per_row):
        words = range(start, min(base + cache.line, start + WORD * per_row), WORD)
        for label, values in (
            ("I-cache", [cpu.copy_of(cpu.icache, a) for a in words]),
            ("D-cache", [cpu.copy_of(cpu.dcache, a) for a in words]),
            ("memory", [cpu.memory.read(a, WORD) for a in words]),
        ):
            text.append("\n")
            text.append(_words_row(cpu, label, values, words, p, width))
    return text


ROW_LABEL = 22
"""Columns before the first word of a detail row: the address, the copy's name and the ≠ mark."""
NOTES = {
    "I-cache": ("stale: fetches run this", "stale: runs this", "stale"),
    "D-cache": ("old: the dirty D-line is newer", "old: D-line newer", "old"),
    "memory": ("old: the dirty D-line is newer", "old: D-line newer", "old"),
}


def _words_row(cpu: CpuCaches, label: str, values: list[bytes | None], addrs: range, p: Palette, width: int) -> Text:
    """One row of words; a word that differs from the newest bytes is marked (reverse and ≠)."""
    row = Text()
    differs = False
    cells = Text()
    for addr, value in zip(addrs, values, strict=True):
        if value is None:
            cells.append("--------", style=p.muted)
        else:
            newest = cpu.newest_word(addr)
            if value != newest:
                differs = True
                cells.append(value.hex(), style="reverse bold")
            else:
                cells.append(value.hex())
        cells.append(" ")  # a span of its own, so no word starts with a space
    row.append(f"{addrs[0]:#010x} {label:<8}", style="bold")
    row.append(f"{STALE_GLYPH} " if differs else "  ", style=f"bold {p.bad}" if differs else "bold")
    row.append_text(cells)
    if differs:
        room = width - row.cell_len
        note = next((n for n in NOTES[label] if len(n) <= room), NOTES[label][-1])
        row.append(note, style=f"italic {p.bad}")
    return row


def summary(cpu: CpuCaches, width: int, p: Palette) -> Text:
    """The ABI and mode in force, each cache's geometry and counters, and the glyph legend: two lines
    worded to fit `width` (longest first), never cut."""
    stale = f"stale fetches {cpu.stale_fetches}"
    long_caches, short_caches = [], []
    for cache in (cpu.icache, cpu.dcache):
        c = cache.counters()
        wb = f" wb {c['writebacks']}" if cache.name == "D" else ""
        long_caches.append(f"{cache.name} {cache.sets}x{cache.ways}x{cache.line}B hit {c['hits']} miss {c['misses']}"
                           f"{wb} inv {c['invalidations']}")  # fmt: skip
        short_caches.append(f"{cache.name} hit {c['hits']} miss {c['misses']}{wb}")
    head = f"{cpu.abi} · {cpu.mode}"
    first = pick(width, (" │ ".join([head, stale, *long_caches]), " │ ".join([head, stale, *short_caches]),
                         f"{head} │ {stale}", f"{head} │ stale {cpu.stale_fetches}"))  # fmt: skip
    text = Text(no_wrap=True)
    text.append(first, style="bold")
    if cpu.stale_fetches:
        text.highlight_words([stale, f"stale {cpu.stale_fetches}"], style=f"bold {p.bad}")
    text.append("\n")
    text.append(pick(width, LEGENDS), style=p.muted)
    return text


class CpuCachePanel(Vertical, SubsystemPanel):
    """The cpu tab: summary and legend, the cache grid, and the selected line beside memory."""

    TAB_TITLE = "cpu"
    LEGEND = (
        "· invalid · ○ valid clean · ● valid dirty · ≠ stale (not the newest bytes) · ▸ selected line · ◆ changed "
        "by this step (reversed) · ✕ 0x8000 invalidated or evicted by it · ◇ named by it"
    )
    PART = "cpu"
    DEFAULT_CSS = """
    CpuCachePanel { height: 1fr; }
    CpuCachePanel > #cpu-summary { height: 2; padding: 0 1; }
    CpuCachePanel > #cpu-detail { height: auto; max-height: 45%; border-top: solid $primary-darken-1; padding: 0 1; }
    CpuCachePanel #cpu-detail-text { height: auto; }
    CpuCachePanel #cpu-detail { scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: StepView | None = None
        self._focus: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="cpu-summary")
        yield CacheGrid(id="cpu-grid")
        yield VerticalScroll(Static(id="cpu-detail-text"), id="cpu-detail")

    @property
    def cpu(self) -> CpuCaches | None:
        if self._view is None or "cpu" not in self._view.system.parts:
            return None
        return self._view.system.part("cpu")

    def show(self, view: StepView) -> None:
        """Draw the machine after a step; select the line the step touched last."""
        self._view = view
        cpu = self.cpu
        if cpu is None:
            return
        selection, focus = touched_line(view)
        if focus is not None or selection is not None:
            self._focus = focus
        self._show_summary()
        grid = self.query_one(CacheGrid)
        grid.update_view(cpu, view, selection)
        self._show_detail(grid.cursor)

    def on_resize(self) -> None:
        if self.cpu is not None:
            self._show_summary()
            self._show_detail(self.query_one(CacheGrid).cursor)

    def _show_summary(self) -> None:
        cpu = self.cpu
        if cpu is not None:
            width = (self.size.width or 100) - 2
            self.query_one("#cpu-summary", Static).update(summary(cpu, width, palette(self.app)))

    def on_cache_grid_line_selected(self, message: CacheGrid.LineSelected) -> None:
        cpu = self.cpu
        if cpu is not None:
            base = cpu.cache(message.selection.cache).way_addr(message.selection.index, message.selection.way)
            if base != INVALID:
                self._focus = base
            self._show_detail(message.selection)

    def _show_detail(self, selection: Selection) -> None:
        cpu = self.cpu
        if cpu is not None:
            width = (self.size.width or 100) - 3
            detail = line_detail(cpu, selection, self._focus, palette(self.app), width)
            self.query_one("#cpu-detail-text", Static).update(detail)

    def lesson(self, view: StepView) -> tuple[str, ...]:
        return lesson(view)


def lesson(view: StepView) -> tuple[str, ...]:
    """The step's CPU numbers: the cacheflush call's result, a stale fetch's two words, what a fetch ran."""
    for event in reversed(view.events):
        d = event.data
        if event.kind == "cpu.cacheflush":
            result = "0" if event.errno is None else f"-1 {event.errno}"
            acts = f" (acts as {d['acts_as']})" if d.get("acts_as") else ""
            return (f"cacheflush = {result}{acts}", f"cacheflush = {result}", result)
        if event.kind == "cpu.stale_fetch":
            return (f"stale fetch: ran {d['fetched']}, newest {d['newest']}",
                    f"stale: ran {d['fetched']} ≠ {d['newest']}", f"{d['fetched']} ≠ {d['newest']}")  # fmt: skip
        if event.kind == "cpu.clear_cache":
            return (f"__builtin___clear_cache({d['begin']:#x}, {d['end']:#x})", "clear_cache")
    words = {"cpu.exec": "fetched", "cpu.store": "stored", "cpu.load": "loaded"}
    for event in reversed(view.events):
        d = event.data
        if event.kind in words and "bytes" in d:
            return (f"{words[event.kind]} {d['bytes']} at {d['addr']:#x}", f"{words[event.kind]} {d['bytes']}")
        if event.kind == "cpu.fault":
            return (f"{d.get('signal', 'SIGSEGV')} at {d['addr']:#x}", "SIGSEGV")
        if event.kind == "cpu.abi":
            return (f"cacheflush ABI {d['abi']}, mode {d['mode']}", d["abi"])
        if event.kind == "cpu.map":
            return (f"mapped {d['start']:#x}..{d['end'] - 1:#x} {d['perms']}",)
    return ()


def touched_line(view: StepView) -> tuple[Selection | None, int | None]:
    """The line the step touched last (a stale fetch's I-line first) and the address it concerns."""
    events = sorted(view.events, key=lambda e: e.kind == "cpu.stale_fetch")
    fallback: Selection | None = None
    for event in reversed(events):
        line = next((m for ref in event.refs if (m := _LINE_REF.fullmatch(ref))), None)
        if line is None:
            continue
        selection = Selection(line[1], int(line[2]), int(line[3]))
        addr: Any = event.data.get("addr")
        if isinstance(addr, int):
            return selection, addr
        fallback = fallback or selection
    return fallback, None
