"""RowList: a Line-API list of rows with a cursor, mouse selection and highlights.

Only visible rows are rendered (`render_line` asks the subclass for one row at a time), so a list
of a million entries costs what its visible rows cost. Subclasses say how many rows there are and
what row i shows; the rest (scrolling, cursor, clicks, highlight) lives here once.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from viz.palette import Palette, palette
from viz.panels._line_style import LineStyle
from viz.panels._scroll_size import set_virtual_size

HIGHLIGHT = Style(bold=True)
CURSOR = Style(underline=True)
MARK = "◆ "
"""The glyph that marks rows holding an object the current step changed (readable without colour)."""
LOOK = "◇ "
"""The lighter mark of rows the step looked at (searched, read) without changing anything in them."""
GHOST = "✕"
"""Starts a ghost row: an object the step removed, shown for this step only."""
DIFFERS = "↔"
"""In the compare view, beside the mark: the row's object is not the same on the other machine."""


def pick(width: int, candidates: tuple[str, ...]) -> str:
    """The first (longest) of `candidates` that fits in `width` cells; the last one if none does."""
    return next((c for c in candidates if len(c) <= width), candidates[-1] if candidates else "")


class RowList(LineStyle, ScrollView, can_focus=True):
    """A scrollable list of rows; subclasses implement `row_count`, `row_text` and `row_ref`."""

    DEFAULT_CSS = """
    RowList { height: 1fr; border: none; border-top: solid $primary-darken-1; border-title-color: $foreground;
              scrollbar-size-vertical: 1;
              overflow-x: hidden; }
    RowList:focus { border-top: heavy $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("enter", "select", "Details", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Selected(Message):
        """A row was chosen (click or enter): `ref` is the id of the object it shows."""

        def __init__(self, ref: str) -> None:
            super().__init__()
            self.ref = ref

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles: tuple[str, ...] = (title,)
        self.border_title = title
        self.highlighted: frozenset[int] = frozenset()
        self.looked: frozenset[int] = frozenset()
        self.ghosts: frozenset[int] = frozenset()
        self.differs: frozenset[str] = frozenset()
        """Ids whose state differs on another machine (set by the compare view; rows showing one get ↔)."""

    # -- what subclasses provide ---------------------------------------------------------------

    @property
    def p(self) -> Palette:
        """The current theme's colours, by role."""
        return palette(self.app)

    def set_titles(self, *candidates: str) -> None:
        """Title the list with the longest candidate that fits its width (abbreviated by design, never cut)."""
        self.titles = candidates
        self._fit_title()

    def _fit_title(self) -> None:
        self.border_title = pick(max(1, self.size.width - 4) if self.size.width else 999, self.titles)

    def on_resize(self) -> None:
        self._fit_title()

    def row_count(self) -> int:
        raise NotImplementedError

    def row_text(self, index: int) -> Text:
        raise NotImplementedError

    def row_ref(self, index: int) -> str | None:
        """The id of the object row `index` shows, for details and watches."""
        return None

    # -- updates ----------------------------------------------------------------------------------

    def reload(
        self,
        highlighted: frozenset[int] = frozenset(),
        *,
        looked: frozenset[int] = frozenset(),
        ghosts: frozenset[int] = frozenset(),
        reveal: int | tuple[int, int] | None = None,
    ) -> None:
        """Re-read the rows after a step: `highlighted` rows (the step changed them) get ◆ and the highlight,
        `ghosts` (rows of objects it removed) ✕ and the highlight, `looked` rows (only looked at) get ◇;
        `reveal` (a row, or the first and last of a span) is scrolled into view."""
        self.highlighted = highlighted | ghosts
        self.ghosts = ghosts
        self.looked = looked - self.highlighted
        count = self.row_count()
        set_virtual_size(self, Size(self.size.width, count))
        if self.cursor >= count:
            self.cursor = max(0, count - 1)
        if reveal is not None:
            self.call_after_refresh(self._reveal, reveal)
        self.refresh()

    def _reveal(self, rows: int | tuple[int, int]) -> None:
        """Bring a row, or the span of rows from `first` to `last`, into view: the whole span when it fits
        (moving as little as needed), else its first rows, just below the top."""
        first, last = (rows, rows) if isinstance(rows, int) else rows
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if top <= first and last < top + height:
            return
        fits = last - first < height
        y = (last - height + 1 if last >= top + height else first) if fits else first - 1
        self.scroll_to(y=max(0, y), animate=False, immediate=True, force=True)

    # -- rendering ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.line_style
        if index >= self.row_count():
            return Strip.blank(width, base)
        changed = index in self.highlighted
        mark = (GHOST + " " if index in self.ghosts else MARK) if changed else LOOK if index in self.looked else "  "
        text = Text(mark, style=f"bold {self.p.bad}" if index in self.ghosts else "bold")
        if self.differs and self.row_ref(index) in self.differs:
            text = Text(mark[0], style=text.style).append(DIFFERS, style=f"bold {self.p.special}")
        text.append_text(self.row_text(index))
        text.no_wrap = True
        if changed:
            text.stylize(HIGHLIGHT + Style(bgcolor=self.p.highlight))
        if index == self.cursor and self.has_focus:
            text.stylize(CURSOR)
        strip = Strip(list(text.render(self.app.console))).simplify()
        return strip.apply_style(base).crop_extend(scroll_x, scroll_x + width, base)

    # -- input ------------------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        count = self.row_count()
        if count:
            self.cursor = max(0, min(count - 1, self.cursor + delta))
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True)

    def action_select(self) -> None:
        ref = self.row_ref(self.cursor) if self.row_count() else None
        if ref is not None:
            self.post_message(self.Selected(ref))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # on the border or a scrollbar
            return
        index = offset.y + self.scroll_offset.y
        if 0 <= index < self.row_count():
            self.cursor = index
            self.action_select()
