"""The details bar: what the selected object is now, re-read at every step (so it doubles as a watch)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from model.system import System


class DetailsBar(Static):
    """Shows `System.describe(ref)` for the selected id, or a hint when nothing is selected."""

    DEFAULT_CSS = """
    DetailsBar { height: auto; max-height: 5; border: round $primary-darken-3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, hint: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "details"
        self.hint = hint
        self.ref: str | None = None

    def select(self, ref: str, system: System) -> None:
        self.ref = ref
        self.show(system)

    def show(self, system: System) -> None:
        if self.ref is None:
            self.update(Text(self.hint, style="italic"))
            return
        text = system.describe(self.ref)
        self.update(Text(text if text is not None else f"{self.ref}: gone"))
