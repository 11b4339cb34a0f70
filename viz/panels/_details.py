"""The details bar: what the selected object is now, re-read at every step (so it doubles as a watch)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from viz.panels._base import StepView
from viz.panels._rows import RowList, pick


class DetailsBar(Static):
    """Shows `System.describe(ref)` for the selected id, or a hint when nothing is selected."""

    DEFAULT_CSS = """
    DetailsBar { height: auto; max-height: 5; border-top: solid $primary-darken-1; padding: 0 1; }
    DetailsBar.-hint { height: 1; border: none; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *hints: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "details"
        self.hints = hints
        self.ref: str | None = None
        self.view: StepView | None = None

    def select(self, ref: str) -> None:
        """Describe the object `ref` from now on (at the moment last shown)."""
        self.ref = ref
        if self.view is not None:
            self.show(self.view)

    def show(self, view: StepView) -> None:
        self.view = view
        self.set_class(self.ref is None, "-hint")
        if self.ref is None:
            self._show_hint()
            return
        text = view.system.describe(self.ref)
        self._set(Text(text if text is not None else view.whereabouts(self.ref)))

    def _show_hint(self) -> None:
        """The legend, worded to fit the width (longest first): glyphs are never cut off."""
        self._set(Text(pick(max(1, self.size.width - 2) if self.size.width else 999, self.hints), style="italic"))

    def _set(self, text: Text) -> None:
        """Show `text` if it is new. A hint is one line whatever it says, so it is only repainted; a
        description may take another height, so the screen is laid out again."""
        if text != self.content:
            self.update(text, layout=self.ref is not None)

    def on_resize(self) -> None:
        if self.ref is None:
            self._show_hint()


class DetailsOnSelect:
    """Mixin for a panel with RowLists and one DetailsBar: a row chosen in any list is described below."""

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        self.query_one(DetailsBar).select(message.ref)  # type: ignore[attr-defined]
