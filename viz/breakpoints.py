"""The breakpoints screen: list, toggle and delete breakpoints with the keyboard or the mouse."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from model.timeline import Timeline
from viz.row_table import RowTable


class BreakpointsScreen(ModalScreen[None]):
    """A table of breakpoints: space or a click toggles, d deletes, escape closes."""

    DEFAULT_CSS = """
    BreakpointsScreen { align: center middle; }
    BreakpointsScreen > Vertical { width: 70; height: auto; max-height: 80%; border: thick $accent;
                                   background: $surface; padding: 0 1; }
    BreakpointsScreen RowTable { height: auto; max-height: 20; }
    """
    AUTO_FOCUS = "RowTable"  # the arrows, PageUp/PageDown and Home/End choose a row at once
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,B", "dismiss", "Close"),
        Binding("space,enter", "toggle", "Toggle"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self, timeline: Timeline) -> None:
        super().__init__()
        self.timeline = timeline

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Breakpoints — space toggles, d deletes, escape closes. Add with ':break kind page.lost'.")
            yield RowTable()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.add_columns("#", "on", "matches", "value")
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(RowTable)
        row = table.cursor_row
        table.clear()
        for number, bp in enumerate(self.timeline.breakpoints, start=1):
            table.add_row(str(number), "●" if bp.enabled else "○", bp.on, bp.value)
        if self.timeline.breakpoints:
            table.move_cursor(row=min(row, len(self.timeline.breakpoints) - 1))

    def _selected(self) -> int | None:
        table = self.query_one(RowTable)
        return table.cursor_row if self.timeline.breakpoints else None

    def action_toggle(self) -> None:
        index = self._selected()
        if index is not None:
            bp = self.timeline.breakpoints[index]
            bp.enabled = not bp.enabled
            self._fill()

    def action_delete(self) -> None:
        index = self._selected()
        if index is not None:
            del self.timeline.breakpoints[index]
            self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_toggle()
