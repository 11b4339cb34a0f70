"""The help screen: every key, and every verb of the command language from the model's registry."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from model.ops import VERBS, ensure_loaded


def keys_table(bindings: list[tuple[str, str]]) -> Table:
    """A two-column table of key and what it does."""
    table = Table(title="Keys", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for key, description in bindings:
        table.add_row(key, description)
    return table


def verbs_table() -> Table:
    """Every registered verb with its usage and summary, grouped by subsystem."""
    ensure_loaded()
    table = Table(
        title="Commands (scenario 'do' lines and the : box)",
        title_justify="left",
        box=None,
        show_header=False,
        padding=(0, 2),
    )
    table.add_column(style="bold green", no_wrap=True)
    table.add_column()
    for spec in sorted(VERBS.values(), key=lambda s: (s.part, s.verb)):
        table.add_row(spec.usage(), Text(f"[{spec.part}] {spec.summary}"))
    return table


class HelpScreen(ModalScreen[None]):
    """A modal listing keys and verbs; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self._key_rows = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("cachescope help — escape closes", style="bold"))
            yield Static(keys_table(self._key_rows))
            yield Static(verbs_table())
