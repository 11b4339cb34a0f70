"""The command box (`:`): any op of the command language or a debugger command, with history,
completion of verbs and object ids, and errors shown inline."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

from model.ops import VERBS
from model.parts import ensure_loaded
from viz.commands import names


class VerbAndIdSuggester(Suggester):
    """Completes the first word from the verbs and debugger commands, later words from the ids the app
    knows now; an id may hold spaces (``pid 42``, ``D set 5 way 1``), so the longest tail of the line that
    starts one is completed."""

    def __init__(self, ids: callable) -> None:  # type: ignore[valid-type]
        super().__init__(use_cache=False, case_sensitive=True)
        self._ids = ids

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value.endswith(" "):
            return None
        head, _, last = value.rpartition(" ")
        if not head:
            ensure_loaded()
            match = next((word for word in sorted([*VERBS, *names()]) if word.startswith(last) and word != last), None)
            return f"{head} {match}".lstrip() if match else None
        pool = self._ids()
        for start in (i + 1 for i, ch in enumerate(value) if ch == " "):
            tail = value[start:]
            match = next((word for word in pool if word.startswith(tail) and word != tail), None)
            if match is not None:
                return value[:start] + match
        return None


class CommandBox(Input):
    """One line of input; enter submits, escape closes, up/down walk the history, tab completes."""

    DEFAULT_CSS = """
    CommandBox { dock: bottom; margin-bottom: 1; border: tall $accent; }
    CommandBox.-error { border: tall $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("up", "history(-1)", "Previous", show=False),
        Binding("down", "history(1)", "Next", show=False),
        Binding("tab", "complete", "Complete", show=False),
    ]

    class Submitted(Message):
        """The user entered a line."""

        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def __init__(self, ids: callable) -> None:  # type: ignore[valid-type]
        super().__init__(placeholder="op or debugger command (help lists them); ↑ history, tab completes",
                         suggester=VerbAndIdSuggester(ids), select_on_focus=False, id="command-box")  # fmt: skip
        self.history: list[str] = []
        self._cursor = 0
        self.display = False  # shown by `open`; hidden, it can take neither focus nor keys

    def open(self, text: str = "") -> None:
        self.display = True
        self.value = text
        self.cursor_position = len(text)
        self.focus()
        self._cursor = len(self.history)

    def action_close(self) -> None:
        self.display = False
        self.remove_class("-error")
        self.border_subtitle = ""
        self.value = ""
        self.screen.set_focus(None)

    def show_error(self, message: str) -> None:
        self.add_class("-error")
        self.border_subtitle = message

    def action_history(self, direction: int) -> None:
        if not self.history:
            return
        self._cursor = max(0, min(len(self.history), self._cursor + direction))
        self.value = self.history[self._cursor] if self._cursor < len(self.history) else ""
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        if self._suggestion:
            self.value = self._suggestion
            self.cursor_position = len(self.value)

    def on_key(self, event: events.Key) -> None:
        if event.key not in ("enter", "escape", "up", "down", "tab"):
            self.remove_class("-error")
            self.border_subtitle = ""

    async def action_submit(self) -> None:
        line = self.value.strip()
        if not line:
            self.action_close()
            return
        if not self.history or self.history[-1] != line:
            self.history.append(line)
        self._cursor = len(self.history)
        self.post_message(self.Submitted(line))
