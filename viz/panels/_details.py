"""The details bar: what the selected object is now, re-read at every step (so it doubles as a watch)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from model.system import System
from viz.panels._rows import RowList


class DetailsBar(Static):
    """Shows `System.describe(ref)` for the selected id, or a hint when nothing is selected."""

    DEFAULT_CSS = """
    DetailsBar { height: auto; max-height: 5; border: round $primary-darken-3; padding: 0 1; color: $text-muted; }
    DetailsBar.-hint { height: 1; border: none; padding: 0 2; }
    """

    def __init__(self, hint: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "details"
        self.hint = hint
        self.ref: str | None = None
        self.system: System | None = None

    def select(self, ref: str) -> None:
        """Describe the object `ref` from now on (in the system last shown)."""
        self.ref = ref
        if self.system is not None:
            self.show(self.system)

    def show(self, system: System) -> None:
        self.system = system
        self.set_class(self.ref is None, "-hint")
        if self.ref is None:
            self.update(Text(self.hint, style="italic", no_wrap=True, overflow="ellipsis"))
            return
        text = system.describe(self.ref)
        self.update(Text(text if text is not None else f"{self.ref}: gone"))


class DetailsOnSelect:
    """Mixin for a panel with RowLists and one DetailsBar: a row chosen in any list is described below."""

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        self.query_one(DetailsBar).select(message.ref)  # type: ignore[attr-defined]
