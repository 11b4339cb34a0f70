"""The event log: every event of every step up to the current one, rendered one visible line at a time.

The current step's events are wrapped, each over as many rows as its text needs (continuation rows
indented), so every event of the step shown reads whole; earlier steps take one row per event, cut with
… at the edge. The log keeps its last rows on the current step after every change (`follow`).
"""

from __future__ import annotations

from bisect import bisect_right

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from model.events import Event
from model.parts import source_of
from model.sources import Source
from model.timeline import Node, Timeline
from viz.palette import Palette, palette
from viz.panels._line_style import LineStyle
from viz.panels._scroll_size import set_virtual_size
from viz.panels._source_bar import open_url_style

HANGING = "    "
"""The indent of an event's continuation rows."""


def clip(text: str, width: int) -> str:
    """`text` cut to `width` cells, ending in … when something was cut."""
    return text if cell_len(text) <= width else set_cell_size(text, max(0, width - 1)) + "…"


def event_style(event: Event, p: Palette) -> str:
    """A colour for the event's kind family; errors and errnos stand out."""
    if event.is_error:
        return f"bold {p.bad}"
    if event.errno is not None:
        return p.warn
    return "italic" if event.kind == "say" else ""


class EventLog(LineStyle, ScrollView, can_focus=True):
    """A Line-API log over the timeline: cost follows the visible rows and the current step's events.

    A click on an event selects it (shown reversed) and tells the app (`Selected`), which shows the
    kernel function it models beside the log; a click on the function's name in the current step opens
    its source at once.
    """

    class Selected(Message):
        """An event of the log was clicked: the event and the source of its kernel function (or None)."""

        def __init__(self, event: Event, source: Source | None) -> None:
            super().__init__()
            self.event = event
            self.source = source

    DEFAULT_CSS = """
    EventLog { height: 1fr; border: round $primary-darken-1; border-title-color: $foreground; overflow-x: hidden;
               overflow-y: scroll; scrollbar-size-vertical: 1; }
    EventLog:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "events"
        self._step_start: list[int] = [0]  # _step_start[k] = first row of step k+1 (its header)
        self._step_nodes: list[Node] = []  # the timeline's nodes of the steps laid out in _step_start
        self._current_rows: list[Text] = []  # the current step, wrapped at _wrapped_at columns
        self._wrapped_at = 0
        self._timeline: Timeline | None = None
        self._current = 0
        self.current_events: list[tuple[Event, range]] = []
        """Each event of the current step and the rows it is wrapped over."""
        self.selected: Event | None = None
        """The event last clicked, drawn reversed while it is in the log."""

    @property
    def row_count(self) -> int:
        return self._step_start[-1] + len(self._current_rows)

    @property
    def current_start(self) -> int:
        """The first row of the current step (its header)."""
        return self._step_start[-1]

    def sync(self, timeline: Timeline) -> None:
        """Show the events of steps 1..position. Earlier steps' rows are not built: only where each step
        starts is kept (reused while those steps stay on the branch), and a row is drawn from its step's
        events when it scrolls into view, so a jump over 100,000 steps costs a count per step."""
        self._timeline = timeline
        position = timeline.position
        before = max(0, position - 1)  # the steps shown one row per event
        keep = min(before, timeline.common_steps(self._step_nodes))
        del self._step_start[keep + 1 :], self._step_nodes[keep:]
        starts, events_of, node = self._step_start, timeline.events_of, timeline.node
        row = starts[-1]
        for n in range(keep + 1, before + 1):
            row += 1 + len(events_of(n))
            starts.append(row)
            self._step_nodes.append(node(n))
        self._current = position
        self._wrap()
        self.refresh()
        self.follow()

    def _width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def _wrap(self) -> None:
        """Lay out the current step's rows at the log's width."""
        width = self._width()
        self._wrapped_at = width
        rows: list[Text] = []
        spans: list[tuple[Event, range]] = []
        if self._timeline is not None and self._current:
            rows += self.header_text(self._current).wrap(self.app.console, width, overflow="fold")
            for event in self._timeline.events_of(self._current):
                body = self.event_text(event)
                lines = body.wrap(self.app.console, width - len(HANGING), overflow="fold")
                first = self.current_start + len(rows)
                for index, line in enumerate(lines):
                    row = Text("  " if index == 0 else HANGING)
                    row.append_text(line)
                    rows.append(row)
                spans.append((event, range(first, first + len(lines))))
        self._current_rows = list(rows)
        self.current_events = spans
        set_virtual_size(self, Size(width, self.row_count))

    def follow(self) -> None:
        """Scroll so that the last rows shown are the current step's (now, and once laid out again)."""
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
        self.call_after_refresh(self._follow_after_layout)

    def _follow_after_layout(self) -> None:
        if self._wrapped_at != self._width():
            self._wrap()
            self.refresh()
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def on_resize(self) -> None:
        if self._wrapped_at != self._width():
            self._wrap()
            self.refresh()
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def header_text(self, step_number: int) -> Text:
        op = ""
        if self._timeline is not None and step_number <= self._timeline.length:
            op = str(self._timeline.node(step_number).step.op)
        return Text(f"── step {step_number}: {op}", style="bold")

    def event_text(self, event: Event) -> Text:
        """An event's line without its indent: `func: text  [ERRNO]`."""
        p = palette(self.app)
        text = Text()
        source = self.source(event)
        link = open_url_style(source.url, underline=False) if source is not None else Style()
        if event.func and not event.text.startswith(event.func):
            text.append(f"{event.func}: ", style=Style.parse(p.info) + link)
        text.append(event.text, style=event_style(event, p))
        if event.errno and event.errno not in event.text:
            text.append(f"  [{event.errno}]", style=f"bold {p.warn}")
        return text

    def source(self, event: Event) -> Source | None:
        """The source of the kernel function `event` names, in the mode of the machine that emitted it."""
        config = self._timeline.system.config if self._timeline is not None else None
        return source_of(event, config)

    def _earlier_row(self, row: int) -> tuple[int, Event | None]:
        """The step number and event (None: the step's header) of a row before the current step."""
        k = bisect_right(self._step_start, row) - 1
        offset = row - self._step_start[k]
        assert self._timeline is not None
        return k + 1, (self._timeline.events_of(k + 1)[offset - 1] if offset else None)

    def event_at(self, row: int) -> Event | None:
        """The event drawn on `row` (None for a step's header or past the end)."""
        if row < self.current_start:
            return self._earlier_row(row)[1]
        return next((event for event, rows in self.current_events if row in rows), None)

    def select(self, event: Event) -> None:
        """Select `event`: draw it reversed and post `Selected` with its source."""
        self.selected = event
        self.refresh()
        self.post_message(self.Selected(event, self.source(event)))

    def on_click(self, click: events.Click) -> None:
        offset = click.get_content_offset(self)
        if offset is None:
            return
        event = self.event_at(self.scroll_offset.y + offset.y)
        if event is not None:
            self.select(event)

    def line_text(self, row: int) -> Text:
        """The text of one row (used by rendering and by tests)."""
        if row >= self.current_start:
            return self._current_rows[row - self.current_start]
        step_number, event = self._earlier_row(row)
        if event is None:
            return self.header_text(step_number)
        text = Text("  ")
        text.append_text(self.event_text(event))
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        base = self.line_style
        if row >= self.row_count:
            return Strip.blank(width, base)
        text = self.line_text(row)
        if row < self.current_start:  # an earlier step: one muted row, cut with … at the edge
            text = Text(clip(text.plain, self.scrollable_content_region.width or width), style=palette(self.app).muted)
        if self.selected is not None and self.event_at(row) is self.selected:
            text.stylize("reverse")
        strip = Strip(list(text.render(self.app.console))).simplify()
        strip = strip.apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)
