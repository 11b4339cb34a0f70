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

HIGHLIGHT = Style(bold=True, reverse=False)
CURSOR = Style(underline=True)
MARK = "◆ "
"""The glyph that marks rows the current step touched (readable without colour)."""


class RowList(ScrollView, can_focus=True):
    """A scrollable list of rows; subclasses implement `row_count`, `row_text` and `row_ref`."""

    DEFAULT_CSS = """
    RowList { height: 1fr; border: round $primary-darken-2; border-title-color: $text-muted; overflow-x: hidden; }
    RowList:focus { border: round $accent; }
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
        self.border_title = title
        self.highlighted: frozenset[int] = frozenset()

    # -- what subclasses provide ---------------------------------------------------------------

    @property
    def p(self) -> Palette:
        """The current theme's colours, by role."""
        return palette(self.app)

    @property
    def highlight_colour(self) -> str:
        """A background for touched rows that suits the theme (the ◆ glyph marks them too)."""
        return self.app.theme_variables.get("primary-darken-3" if self.app.current_theme.dark else "primary-lighten-3",
                                            "grey27")  # fmt: skip

    def row_count(self) -> int:
        raise NotImplementedError

    def row_text(self, index: int) -> Text:
        raise NotImplementedError

    def row_ref(self, index: int) -> str | None:
        """The id of the object row `index` shows, for details and watches."""
        return None

    # -- updates ----------------------------------------------------------------------------------

    def reload(self, highlighted: frozenset[int] = frozenset(), *, reveal: int | None = None) -> None:
        """Re-read the rows after a step; `highlighted` rows are marked; `reveal` is scrolled into view."""
        self.highlighted = highlighted
        count = self.row_count()
        self.virtual_size = Size(self.size.width, count)
        if self.cursor >= count:
            self.cursor = max(0, count - 1)
        if reveal is not None:
            self.call_after_refresh(self._reveal, reveal)
        self.refresh()

    def _reveal(self, index: int) -> None:
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True, force=True)

    # -- rendering ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= self.row_count():
            return Strip.blank(width, base)
        text = Text(MARK if index in self.highlighted else "  ")
        text.append_text(self.row_text(index))
        text.no_wrap = True
        if index in self.highlighted:
            text.stylize(HIGHLIGHT + Style(bgcolor=self.highlight_colour))
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
