"""The branches screen: every branch of the history, switched to with enter, deleted with d."""

from __future__ import annotations

from typing import ClassVar, Protocol

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from model.timeline import Branch
from viz.row_table import RowTable


class BranchesHost(Protocol):
    """What the screen needs of the app: the branches, and switching and deleting them (an error or None)."""

    def branches(self) -> list[Branch]: ...

    def switch_branch(self, number: int) -> str | None: ...

    def delete_branch(self, number: int) -> str | None: ...


class BranchesScreen(ModalScreen[None]):
    """A table of branches (● the one shown): enter switches to the selected one, d deletes it, escape closes."""

    DEFAULT_CSS = """
    BranchesScreen { align: center middle; }
    BranchesScreen > Vertical { width: 90; max-width: 95%; height: auto; max-height: 80%; border: thick $accent;
                                background: $surface; padding: 0 1; }
    BranchesScreen RowTable { height: auto; max-height: 20; }
    BranchesScreen #branch-message { color: $error; height: auto; }
    """
    AUTO_FOCUS = "RowTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(self, app: BranchesHost) -> None:
        super().__init__()
        self.debugger = app

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Branches — enter switches, d deletes, escape closes. A line typed in the past starts one.")
            yield RowTable()
            yield Static(id="branch-message")

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.add_columns("", "#", "after step", "steps", "its first own step")
        self._fill(first=True)

    def _fill(self, *, first: bool = False) -> None:
        table = self.query_one(RowTable)
        row = table.cursor_row
        table.clear()
        self.rows = self.debugger.branches()
        for branch in self.rows:
            table.add_row("●" if branch.current else "", str(branch.number), str(branch.fork), str(branch.length),
                          branch.first[:50] or "—")  # fmt: skip
        current = next(i for i, b in enumerate(self.rows) if b.current)
        table.move_cursor(row=current if first else min(row, len(self.rows) - 1))

    def _selected(self) -> int:
        return self.rows[self.query_one(RowTable).cursor_row].number

    def on_data_table_row_selected(self, event: RowTable.RowSelected) -> None:
        """Enter (or a click on a selected row) switches to that branch and closes the screen."""
        error = self.debugger.switch_branch(self._selected())
        if error:
            self.query_one("#branch-message", Static).update(error)
        else:
            self.dismiss()

    def action_delete(self) -> None:
        """d: delete the selected branch (refused for the one shown)."""
        error = self.debugger.delete_branch(self._selected())
        self.query_one("#branch-message", Static).update(error or "")
        self._fill()
