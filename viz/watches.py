"""The watch panel: objects pinned by `watch ID`, their details re-read at every step."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from viz.palette import palette
from viz.panels._base import StepView


class WatchPanel(Static):
    """Shows `System.describe(id)` for every watched id; hidden while nothing is watched."""

    DEFAULT_CSS = """
    WatchPanel { width: 2fr; height: 1fr; border: round $secondary; padding: 0 1; overflow-y: auto; display: none; }
    WatchPanel.-active { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "watches"
        self.ids: list[str] = []

    def show(self, view: StepView) -> None:
        """Each watched object as it is now; ◆ on those the step changed; where an absent one is."""
        self.set_class(bool(self.ids), "-active")
        p = palette(self.app)
        text = Text()
        for ref in self.ids:
            if text:
                text.append("\n")
            changed = ref in view.changed or ref in view.removed
            text.append(f"{'◆ ' if changed else '  '}{ref}\n", style=f"bold {p.special}" if changed else "bold")
            described = view.system.describe(ref)
            text.append(
                described if described is not None else view.whereabouts(ref), style="" if described else p.muted
            )
        if text != self.content:
            self.update(text, layout=self.display)  # hidden (nothing watched): nothing to lay out
