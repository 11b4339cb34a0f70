"""The timeline bar: where you are in the script, where breakpoints were hit, where other branches of the
history leave this one, and a click to jump."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from model.timeline import Timeline
from viz.palette import palette


class StepTrack(Widget):
    """A one-line track of steps 0..length with a label after it; `column_of`/`step_at` map steps to columns,
    and a click posts `Jump`. Subclasses say what the track marks (`render`) and how wide the label is."""

    LABEL_WIDTH = 12
    """Columns kept after the track for the `position/length` label."""

    class Jump(Message):
        """The user clicked the bar: go to `step`."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.position, self.length = 0, 0

    def _track_width(self) -> int:
        return max(1, self.content_size.width - self.LABEL_WIDTH)

    def column_of(self, step: int) -> int:
        return 0 if self.length == 0 else round(step * (self._track_width() - 1) / self.length)

    def step_at(self, column: int) -> int:
        width = self._track_width()
        return 0 if width <= 1 else max(0, min(self.length, round(column * self.length / (width - 1))))

    def on_click(self, event: events.Click) -> None:
        if event.x < self._track_width():
            self.post_message(self.Jump(self.step_at(event.x)))


class TimelineBar(StepTrack):
    """One line: a track with a ● at the current step, a ▼ at every step known to hit a breakpoint and a ┬
    at every step another branch leaves this one after."""

    DEFAULT_CSS = "TimelineBar { height: 1; padding: 0 1; }"

    class Jump(StepTrack.Jump):
        """The user clicked the timeline bar: go to `step`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.hits: frozenset[int] = frozenset()
        self.forks: frozenset[int] = frozenset()

    def show(self, timeline: Timeline, hits: frozenset[int], forks: frozenset[int] = frozenset()) -> None:
        """Redraw for the timeline's position; `hits` are step numbers that matched a breakpoint, `forks` the
        steps after which another branch leaves this one (`Branch.shared`)."""
        self.timeline = timeline
        self.position, self.length = timeline.position, timeline.length
        self.hits = hits
        self.forks = forks
        self.refresh()

    def render(self) -> Text:
        if self.timeline is None:
            return Text("")
        p = palette(self.app)
        width = self._track_width()
        cells = ["─"] * width
        for step in self.forks:
            cells[self.column_of(step)] = "┬"
        for step in self.hits:
            cells[self.column_of(step)] = "▼"
        done = self.column_of(self.position)
        runs: list[tuple[str, str]] = []  # (cells, style): a span per run, not per cell (a span costs a parse)
        for column, cell in enumerate(cells):
            if cell == "▼":
                style = f"bold {p.bad}"
            elif cell == "┬":
                style = f"bold {p.special}"
            else:
                style = p.info if column <= done else p.muted
            glyph = "●" if column == done else ("━" if column < done and cell == "─" else cell)
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + glyph, style)
            else:
                runs.append((glyph, style))
        text = Text()
        for glyphs, style in runs:
            text.append(glyphs, style=style)
        text.append(f" {self.position:>4}/{self.length:<4}", style="bold")
        return text
