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
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from model.cpu.cache import INVALID, WORD, Cache
from model.cpu.cpu import CpuCaches
from viz.panels._base import StepView, SubsystemPanel

INVALID_GLYPH, CLEAN_GLYPH, DIRTY_GLYPH, STALE_GLYPH, CURSOR_GLYPH = "·", "○", "●", "≠", "▸"
LEGEND = (
    f"{INVALID_GLYPH} invalid  {CLEAN_GLYPH} clean  {DIRTY_GLYPH} dirty  {STALE_GLYPH} stale (not the newest "
    f"bytes)  {CURSOR_GLYPH} selected  reverse = this step"
)
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


def tag_digits(cache: Cache) -> int:
    """Hex digits of the widest tag of a 32-bit address in `cache`."""
    return max(1, -(-(32 - cache.offset_bits - cache.index_bits) // 4))


class CacheGrid(ScrollView, can_focus=True):
    """Both caches, set by set: a fixed header row, then one row per set (only visible rows are drawn)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cache-grid--header",
        "cache-grid--invalid",
        "cache-grid--clean",
        "cache-grid--dirty",
        "cache-grid--stale",
        "cache-grid--touched",
        "cache-grid--cursor",
    }
    DEFAULT_CSS = """
    CacheGrid { height: 1fr; }
    CacheGrid:focus { background-tint: $foreground 4%; }
    CacheGrid > .cache-grid--header { color: $text-muted; text-style: bold; }
    CacheGrid > .cache-grid--invalid { color: $text-disabled; }
    CacheGrid > .cache-grid--clean { color: $success; }
    CacheGrid > .cache-grid--dirty { color: $warning; text-style: bold; }
    CacheGrid > .cache-grid--stale { color: $error; text-style: bold; }
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

    # -- data -------------------------------------------------------------------------------
    def update_view(self, cpu: CpuCaches, refs: frozenset[str], selection: Selection | None) -> None:
        """Show `cpu`, highlighting the lines in `refs`; move the cursor to `selection` if given."""
        self._cpu = cpu
        self._refs = refs
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
        """Width of the set-number column: the widest set number and two spaces, at least "set  "."""
        if self._cpu is None:
            return 5
        return max(5, len(str(max(self._cpu.icache.sets, self._cpu.dcache.sets) - 1)) + 2)

    def _caches(self) -> tuple[Cache, Cache]:
        assert self._cpu is not None
        return self._cpu.icache, self._cpu.dcache

    @staticmethod
    def cell_width(cache: Cache) -> int:
        return tag_digits(cache) + 5

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
        cursor = selection == self.cursor
        mark = CURSOR_GLYPH if cursor else " "
        tag = cache.slots[index][way]
        if tag == INVALID:
            glyph, state, body, stale = INVALID_GLYPH, "invalid", " " * tag_digits(cache), False
        else:
            dirty = cache.is_dirty(index, way)
            glyph, state = (DIRTY_GLYPH, "dirty") if dirty else (CLEAN_GLYPH, "clean")
            body = f"{tag:0{tag_digits(cache)}x}"
            stale = cache.name == "I" and self._cpu.is_stale(index, way)
        style = self._style(state)
        if stale:
            style = style + self._style("stale")
        if selection.ref in self._refs:
            style = style + self._style("touched")
        if cursor:
            style = style + self._style("cursor")
        text = f"{glyph} {body} {STALE_GLYPH if stale else ' '}"
        mark_style = self._style("cursor") if cursor else None
        return [Segment(mark, mark_style), Segment(text, style), Segment(" " * (width - 1 - len(text)))]


def line_detail(cpu: CpuCaches, selection: Selection, focus: int | None) -> Text:
    """The selected line, then the words of its addresses in the I-cache, the D-cache and memory."""
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
    for start in range(base, base + cache.line, WORD * WORDS_PER_ROW):
        words = range(start, min(base + cache.line, start + WORD * WORDS_PER_ROW), WORD)
        text.append("\n")
        text.append(_words_row(cpu, "I-cache", [cpu.copy_of(cpu.icache, a) for a in words], words))
        text.append("\n")
        text.append(_words_row(cpu, "D-cache", [cpu.copy_of(cpu.dcache, a) for a in words], words))
        text.append("\n")
        text.append(_words_row(cpu, "memory", [cpu.memory.read(a, WORD) for a in words], words))
    return text


def _words_row(cpu: CpuCaches, label: str, values: list[bytes | None], addrs: range) -> Text:
    """One row of words; a word that differs from the newest bytes is marked (reverse and ≠)."""
    row = Text()
    differs = False
    cells = Text()
    for addr, value in zip(addrs, values, strict=True):
        if value is None:
            cells.append("--------", style="dim")
        else:
            newest = cpu.newest_word(addr)
            if value != newest:
                differs = True
                cells.append(value.hex(), style="reverse bold")
            else:
                cells.append(value.hex())
        cells.append(" ", style="dim")  # a span of its own, so no word starts with a space
    row.append(f"{addrs[0]:#010x} {label:<8}", style="bold")
    row.append(f"{STALE_GLYPH} " if differs else "  ", style="bold red" if differs else "bold")
    row.append_text(cells)
    if differs:
        note = "stale: fetches run this" if label == "I-cache" else "old: the dirty D-line is newer"
        row.append(note, style="italic")
    return row


def summary(cpu: CpuCaches) -> Text:
    """The ABI and mode in force, each cache's geometry and counters, and the glyph legend (two lines)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{cpu.abi} · {cpu.mode} │ ", style="bold")
    text.append(f"stale {cpu.stale_fetches}", style="bold red" if cpu.stale_fetches else "bold")
    for cache in (cpu.icache, cpu.dcache):
        counters = cache.counters()
        text.append(f" │ {cache.name} {cache.sets}x{cache.ways}x{cache.line}B ", style="bold")
        parts = [f"hit {counters['hits']}", f"miss {counters['misses']}"]
        if cache.name == "D":
            parts.append(f"wb {counters['writebacks']}")
        parts.append(f"inv {counters['invalidations']}")
        text.append(" ".join(parts))
    text.append("\n")
    text.append(LEGEND, style="dim")
    return text


class CpuCachePanel(Vertical, SubsystemPanel):
    """The cpu tab: summary and legend, the cache grid, and the selected line beside memory."""

    TAB_TITLE = "cpu"
    LEGEND = "· invalid · ○ valid clean · ● valid dirty · ≠ stale (not the newest bytes) · ▸ selected line"
    PART = "cpu"
    DEFAULT_CSS = """
    CpuCachePanel { height: 1fr; }
    CpuCachePanel > #cpu-summary { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    CpuCachePanel > #cpu-detail {
        height: auto; max-height: 45%; overflow-y: auto; border-top: hkey $primary-darken-2;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: StepView | None = None
        self._focus: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="cpu-summary")
        yield CacheGrid(id="cpu-grid")
        yield Static(id="cpu-detail")

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
        self.query_one("#cpu-summary", Static).update(summary(cpu))
        grid = self.query_one(CacheGrid)
        grid.update_view(cpu, view.refs, selection)
        self._show_detail(grid.cursor)

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
            self.query_one("#cpu-detail", Static).update(line_detail(cpu, selection, self._focus))


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
