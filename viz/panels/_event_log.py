"""The event log: every event of every step up to the current one, rendered one visible line at a time."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from model.events import Event
from model.timeline import Timeline
from viz.palette import Palette, palette

_KIND_STYLES = {"say": "italic"}


def event_style(event: Event, p: Palette) -> str:
    """A colour for the event's kind family; errors and errnos stand out."""
    if event.is_error:
        return f"bold {p.bad}"
    if event.errno is not None:
        return p.warn
    return _KIND_STYLES.get(event.kind, "")


class EventLog(ScrollView, can_focus=True):
    """A Line-API log over the timeline: cost follows the visible rows, not the history length."""

    DEFAULT_CSS = """
    EventLog { height: 1fr; border: round $primary-darken-2; border-title-color: $text-muted; overflow-x: hidden; }
    EventLog:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "events"
        self._rows: list[tuple[int, Event | None]] = []  # (step, event); None marks the step's header row
        self._step_start: list[int] = [0]  # _step_start[k] = first row of step k+1
        self._timeline: Timeline | None = None
        self._current = 0

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def sync(self, timeline: Timeline) -> None:
        """Show the events of steps 1..position, reusing rows already built."""
        self._timeline = timeline
        position = timeline.position
        built = len(self._step_start) - 1
        if position < built:
            del self._rows[self._step_start[position] :]
            del self._step_start[position + 1 :]
        for n in range(len(self._step_start), position + 1):
            self._rows.append((n, None))
            self._rows.extend((n, event) for event in timeline.events_of(n))
            self._step_start.append(len(self._rows))
        self._current = position
        self.virtual_size = Size(self.size.width, len(self._rows))
        self.refresh()
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True, x_axis=False)

    def line_text(self, row: int) -> Text:
        """The text of one row (used by rendering and by tests)."""
        p = palette(self.app)
        step_number, event = self._rows[row]
        if event is None:
            op = ""
            if self._timeline is not None and step_number <= self._timeline.length:
                op = str(self._timeline.steps[step_number - 1].op)
            return Text(f"── step {step_number}: {op}", style="bold" if step_number == self._current else "dim")
        text = Text("  ")
        if event.func and not event.text.startswith(event.func):
            text.append(f"{event.func}: ", style=p.info)
        text.append(event.text, style=event_style(event, p))
        if event.errno and event.errno not in event.text:
            text.append(f"  [{event.errno}]", style=f"bold {p.warn}")
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, base)
        text = self.line_text(row)
        current = self._rows[row][0] == self._current
        segments = list(text.render(self.app.console))
        strip = Strip(segments).simplify()
        if not current:
            strip = strip.apply_style(Style(dim=True))
        strip = strip.apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)
