"""The compare view's own widgets: the bar of divergent steps, each side's marked event list, and the list
of objects whose state differs. They draw what `model.compare` found; they decide nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from model.compare import Lockstep, StepDiff
from viz.palette import palette
from viz.timeline_bar import StepTrack

DIFFERS, ONLY_HERE, DIVERGES = "↔", "+", "◆"
GLYPHS = {"differs": DIFFERS, "only": ONLY_HERE}
LEGEND = (
    f"{DIFFERS} differs from the left   {ONLY_HERE} only on this side   {DIVERGES} divergent step   "
    "]/[ next/previous divergence",
    f"{DIFFERS} differs  {ONLY_HERE} only here  {DIVERGES} divergent  ]/[ jump",
)
"""What the marks mean, longest wording first (the view shows the first that fits)."""


class DivergenceBar(StepTrack):
    """One line: the steps as a track, ● where you are and ◆ at every divergent step; a click jumps."""

    DEFAULT_CSS = "DivergenceBar { height: 1; padding: 0 1; }"
    LABEL_WIDTH = 16

    class Jump(StepTrack.Jump):
        """The user clicked the divergence bar: go to `step`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.divergent: frozenset[int] = frozenset()

    def show(self, lockstep: Lockstep) -> None:
        self.position, self.length = lockstep.position, lockstep.length
        self.divergent = frozenset(lockstep.comparison.divergent)
        self.refresh()

    def render(self) -> Text:
        p = palette(self.app)
        cells = ["─"] * self._track_width()
        for step in self.divergent:
            cells[self.column_of(step)] = DIVERGES
        done = self.column_of(self.position)
        text = Text()
        for column, cell in enumerate(cells):
            if column == done:
                text.append("●", style=f"bold {p.special if cell == DIVERGES else p.info}")
            elif cell == DIVERGES:
                text.append(cell, style=f"bold {p.special}")
            else:
                text.append("━" if column < done else cell, style=p.info if column < done else p.muted)
        text.append(f" {self.position:>3}/{self.length:<3} {len(self.divergent):>2}{DIVERGES}", style="bold")
        return text


class SideEvents(VerticalScroll):
    """One side's events at the step shown, each marked ↔ or + where the other side's differ."""

    DEFAULT_CSS = """
    SideEvents { height: 1fr; border-top: solid $primary-darken-1; border-title-color: $foreground;
                 scrollbar-size-vertical: 1; }
    SideEvents > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "events"
        self.marks: dict[int, str] = {}

    def compose(self) -> Any:
        yield Static()

    def show(self, events: Sequence[dict[str, Any]], marks: dict[int, str]) -> None:
        """Draw the step's events (as JSON dicts), marking the indexes in `marks` ("differs" or "only")."""
        p = palette(self.app)
        self.marks = marks
        text = Text(no_wrap=False)
        for index, event in enumerate(events):
            if index:
                text.append("\n")
            mark = GLYPHS.get(marks.get(index, ""), " ")
            style = f"bold {p.special}" if mark == DIFFERS else f"bold {p.warn}" if mark == ONLY_HERE else ""
            text.append(f"{mark} ", style=style)
            line = event.get("func", "")
            head = f"{line}: " if line and not event["text"].startswith(line) else ""
            errno = f" [{event['errno']}]" if event.get("errno") and event["errno"] not in event["text"] else ""
            text.append(f"{head}{event['text']}{errno}", style=style or None)
        if not events:
            text.append("(no events)", style=p.muted)
        self.query_one(Static).update(text)
        differing = sum(1 for m in marks.values() if m)
        self.border_title = f"events · {differing} {DIFFERS}" if differing else "events"


class ObjectDiffs(Static):
    """The objects whose state differs at this step, side by side."""

    DEFAULT_CSS = "ObjectDiffs { height: auto; }"

    def show(self, diff: StepDiff, labels: Sequence[str], previous: StepDiff | None) -> None:
        p = palette(self.app)
        text = Text()
        shown = 0
        before = {d.id: d for pair in previous.pairs for d in pair.objects} if previous is not None else {}
        for number, pair in enumerate(diff.pairs, start=1):
            if not pair.objects:
                continue
            if len(diff.pairs) > 1:
                text.append(f"{labels[0]} | {labels[number]}:\n", style=f"bold {p.muted}")
            for d in pair.objects:
                new = before.get(d.id) != d
                text.append(f"{DIFFERS} ", style=f"bold {p.special}")
                text.append(f"{d.id}", style="bold")
                text.append(f"  {d.words()}", style=p.special if new else "")
                text.append(" (new)\n" if new and previous is not None else "\n", style=f"bold {p.special}")
                shown += 1
        if not shown:
            text.append("No object differs at this step.", style=p.muted)
        self.update(text.rstrip() or text)


def legend(width: int) -> str:
    """The marks' legend, worded to fit `width` cells."""
    return next((line for line in LEGEND if len(line) <= width), LEGEND[-1])
