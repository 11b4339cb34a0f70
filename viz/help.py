"""The help screen: every key, every verb of the command language, the debugger commands, and a
legend of every glyph the panels draw."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from model.ops import VERBS
from model.parts import ensure_loaded
from viz.commands import commands

GENERAL_LEGEND = (
    ("◆", "an object the current step created or changed (its row highlighted)"),
    ("◇", "an object the step named or searched without changing it (a chain probed, a directory read)"),
    ("✕ id", "an object the step removed, shown for this step only (a ghost row or cell)"),
    ("◆ panel", "in the grid (160x45 up): the panel the current step is about; P pins the panel shown"),
    ("more ▼", "the narration has more text: scroll it (click it, then the arrows or the wheel)"),
    ("●  ▼  ┬", "timeline bar: where you are, steps that hit a breakpoint, where another branch leaves (click: jump)"),
    ("[ERRNO]", "a system call's error in the event log"),
)


def _table(title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None,
                  padding=(0, 2))  # fmt: skip
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


def keys_table(bindings: list[tuple[str, str]]) -> Table:
    """A two-column table of key and what it does."""
    table = _table("Keys")
    for key, description in bindings:
        table.add_row(key, description)
    table.add_row("↑ ↓ enter, click", "move in a panel; show the selected object's details")
    table.add_row("ctrl+p", "command palette: every action, with its key")
    return table


def verbs_table() -> Table:
    """Every registered verb with its usage and summary, grouped by subsystem."""
    ensure_loaded()
    table = _table("Commands (scenario 'do' lines and the : box)")
    for spec in sorted(VERBS.values(), key=lambda s: (s.part, s.verb)):
        table.add_row(spec.usage(), Text(f"[{spec.part}] {spec.summary}"))
    return table


def commands_table() -> Table:
    """The debugger's own commands (breakpoints, watches, goto)."""
    table = _table("Debugger commands (the : box)")
    for spec in commands():
        table.add_row(spec.usage, spec.summary)
    return table


def legend_table() -> Table:
    """Every glyph, from the panels' own legends."""
    from viz.panels import mechanism_panels  # late: panels import this package's siblings

    table = _table("Glyphs")
    for glyph, meaning in GENERAL_LEGEND:
        table.add_row(glyph, meaning)
    for panel in mechanism_panels():
        if getattr(panel, "LEGEND", ""):
            table.add_row(panel.TAB_TITLE, panel.LEGEND)
    return table


class HelpScreen(ModalScreen[None]):
    """A modal listing keys, verbs, debugger commands and glyphs; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: thick $accent; background: $surface; padding: 0 1; }
    """
    AUTO_FOCUS = "VerticalScroll"  # the arrows, PageUp/PageDown and Home/End scroll at once
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self._key_rows = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("cachescope help — ↑ ↓ PageUp PageDown Home End scroll, escape closes", style="bold"))
            yield Static(keys_table(self._key_rows))
            yield Static(legend_table())
            yield Static(commands_table())
            yield Static(verbs_table())
