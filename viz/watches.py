"""The watch panel: objects pinned by `watch ID`, their details re-read at every step."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from model.system import System
from viz.palette import palette


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

    def show(self, system: System, touched: frozenset[str]) -> None:
        self.set_class(bool(self.ids), "-active")
        p = palette(self.app)
        text = Text()
        for ref in self.ids:
            if text:
                text.append("\n")
            mark = "◆ " if ref in touched else "  "
            text.append(f"{mark}{ref}\n", style=f"bold {p.special}" if ref in touched else "bold")
            described = system.describe(ref)
            text.append(
                described if described is not None else "(does not exist now)", style="" if described else "dim"
            )
        self.update(text)
