"""The panel deck: subsystem panels as tabs on a narrow terminal, all at once in a grid on a wide one.

Each panel sits in a frame whose border says which panel it is and, at the bottom, the number the step's
lesson turns on (bytes lost, the errno of the call, entries purged). Which panel shows (`active`), the
layout (`wide`), the panel the current step is about (`lesson`) and whether the user pinned the one shown
(`pinned`) are reactives; the watchers set each frame's visibility and marks, nothing else keeps state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Tab, Tabs

WIDE_SIZE = (160, 45)
"""From this terminal size (columns, rows) up, every panel is shown at once."""

LESSON_MARK = "◆"
"""Beside the title of the panel the current step is about (in the grid, where every panel shows)."""
PIN_MARK = "pinned"


class PanelFrame(Vertical):
    """One panel in the deck, the unit that is shown, hidden or maximised; its border carries its title
    and the step's lesson number."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    PanelFrame { height: 1fr; border: round $primary-darken-1; border-title-color: $foreground;
                 border-subtitle-color: $foreground; border-subtitle-style: bold; }
    PanelFrame.-lesson { border: round $accent; border-title-style: bold; }
    """

    def __init__(self, panel: Widget, title: str) -> None:
        super().__init__(panel, id=f"frame-{title}", name=title)
        self.title = title
        self.border_title = title

    @property
    def panel(self) -> Widget:
        return self.children[0]

    def mark(self, *, lesson: bool, pinned: bool) -> None:
        """Title the frame: its name, ◆ when the step is about it, and `pinned` when it stays in front."""
        self.set_class(lesson, "-lesson")
        title = f"{LESSON_MARK} {self.title}" if lesson else self.title
        self.border_title = f"{title} · {PIN_MARK} (P)" if pinned else title


class PanelDeck(Vertical):
    """Tabs over a body of panel frames."""

    DEFAULT_CSS = """
    PanelDeck { height: 1fr; }
    PanelDeck #deck-tabs { height: 1; }
    PanelDeck #deck-tabs Underline { display: none; }
    PanelDeck #deck-tabs Tab { color: $text-muted; }
    PanelDeck #deck-tabs Tab.-active { color: $foreground; text-style: bold reverse; }
    PanelDeck #deck-body { height: 1fr; }
    PanelDeck.-wide #deck-tabs { display: none; }
    PanelDeck.-wide #deck-body { layout: grid; grid-size: 3 2; grid-gutter: 0 0; }
    PanelDeck.-maximized #deck-body { layout: vertical; }
    """

    active: reactive[str] = reactive("", init=False)
    wide: reactive[bool] = reactive(False, init=False)
    lesson: reactive[str] = reactive("", init=False)
    pinned: reactive[bool] = reactive(False, init=False)
    maximized: reactive[str | None] = reactive(None, init=False)
    """The panel that fills the window (the app hides the rest around the deck), or None."""

    def __init__(self, panels: Iterable[tuple[str, Widget]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._panels = list(panels)
        self.titles = [title for title, _ in self._panels]
        self.on_reveal: Callable[[PanelFrame], None] | None = None
        """Called when a hidden frame is shown: hidden panels are not redrawn at each step, so the app
        brings this one up to the step shown before it is painted."""
        self._frames: list[PanelFrame] = []

    @property
    def frames(self) -> list[PanelFrame]:
        """The frames in tab order. They are fixed once composed, so they are found once: a DOM query at
        every step (and at every change of the lesson) was a tenth of a step's own work."""
        if not self._frames:
            self._frames = list(self.query(PanelFrame))
        return self._frames

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(title, id=f"tab-{title}") for title in self.titles), id="deck-tabs")
        with Container(id="deck-body"):
            for title, panel in self._panels:
                yield PanelFrame(panel, title)

    def on_mount(self) -> None:
        if not self.active and self.titles:
            self.active = self.titles[0]
        self._show()

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id:
            self.active = event.tab.id.removeprefix("tab-")

    def watch_active(self, title: str) -> None:
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{title}":
            tabs.active = f"tab-{title}"
        self._show()

    def watch_wide(self, wide: bool) -> None:
        self.set_class(wide, "-wide")
        self._show()

    def watch_lesson(self) -> None:
        self._show()

    def watch_pinned(self) -> None:
        self._show()

    def watch_maximized(self) -> None:
        self.set_class(self.maximized is not None, "-maximized")
        self._show()

    def _show(self) -> None:
        for frame in self.frames:
            was = frame.display
            if self.maximized is not None:
                frame.display = frame.name == self.maximized
            else:
                frame.display = self.wide or frame.name == self.active
            if frame.display and not was and self.on_reveal is not None:
                self.on_reveal(frame)  # at once: the frame must not be painted before it is brought up to date
            frame.mark(lesson=self.wide and frame.name == self.lesson, pinned=self.pinned and frame.name == self.active)

    def frame(self, title: str) -> PanelFrame:
        return self.query_one(f"#frame-{title}", PanelFrame)

    def cycle(self, step: int) -> None:
        """Show the next (+1) or previous (-1) panel."""
        if self.titles:
            index = self.titles.index(self.active) if self.active in self.titles else 0
            self.active = self.titles[(index + step) % len(self.titles)]
