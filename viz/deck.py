"""The panel deck: subsystem panels as tabs on a narrow terminal, all at once in a grid on a wide one.

Each panel sits in a frame that can be maximised. Which panel shows is a reactive (`active`), and so
is the layout (`wide`); the watchers set each frame's visibility, nothing else keeps state.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Tab, Tabs

WIDE_SIZE = (160, 45)
"""From this terminal size (columns, rows) up, every panel is shown at once."""


class PanelFrame(Vertical):
    """One panel in the deck, the unit that is shown, hidden or maximised."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = "PanelFrame { height: 1fr; }"

    def __init__(self, panel: Widget, title: str) -> None:
        super().__init__(panel, id=f"frame-{title}", name=title)
        self.border_title = title


class PanelDeck(Vertical):
    """Tabs over a body of panel frames."""

    DEFAULT_CSS = """
    PanelDeck { height: 2fr; }
    PanelDeck #deck-body { height: 1fr; }
    PanelDeck.-wide #deck-tabs { display: none; }
    PanelDeck.-wide #deck-body { layout: grid; grid-size: 3 2; grid-gutter: 0 1; }
    """

    active: reactive[str] = reactive("", init=False)
    wide: reactive[bool] = reactive(False, init=False)

    def __init__(self, panels: Iterable[tuple[str, Widget]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._panels = list(panels)
        self.titles = [title for title, _ in self._panels]

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

    def _show(self) -> None:
        for frame in self.query(PanelFrame):
            frame.display = self.wide or frame.name == self.active

    def frame(self, title: str) -> PanelFrame:
        return self.query_one(f"#frame-{title}", PanelFrame)

    def cycle(self, step: int) -> None:
        """Show the next (+1) or previous (-1) panel."""
        if self.titles:
            index = self.titles.index(self.active) if self.active in self.titles else 0
            self.active = self.titles[(index + step) % len(self.titles)]
