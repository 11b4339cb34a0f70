"""The overview panel: the scenario, its position, and every subsystem's counters by kernel name."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from viz.panels._base import StepView, SubsystemPanel


class OverviewPanel(Static, SubsystemPanel):
    """A summary of the machine: which subsystems exist and their counters."""

    TAB_TITLE = "overview"
    DEFAULT_CSS = "OverviewPanel { height: 1fr; padding: 0 1; overflow-y: auto; }"

    def __init__(self, title: str, about: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._about = about

    def show(self, view: StepView) -> None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("scenario", self._title)
        table.add_row("step", f"{view.position} / {view.length}")
        table.add_row("subsystems", ", ".join(view.system.parts) or "none")
        for part, counters in view.system.stats().items():
            table.add_row(part, Text(", ".join(f"{k}={v}" for k, v in counters.items()), overflow="fold"))
        self.update(table)
