"""The command box (`:`): any op of the command language or a debugger command, with history,
completion (viz/completion.py) and errors shown inline.

Tab completes the word being typed and, pressed again, cycles through every word that can end it; a
completed verb or command is followed by a space, and so is any word that was the only candidate. The
first candidate shows as a suggestion after the cursor as you type (→ takes it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

from viz.completion import Completion, complete

Ids = Callable[[], Sequence[str]]
Branches = Callable[[], Sequence[int]]


def _no_branches() -> Sequence[int]:
    return ()


class VerbAndIdSuggester(Suggester):
    """Suggests the first completion of the word being typed (viz/completion.py), after the cursor."""

    def __init__(self, ids: Ids, branches: Branches = _no_branches) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._ids = ids
        self._branches = branches

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value.endswith(" "):
            return None
        found = complete(value, self._ids, self._branches)
        word = next((w for w in found.words if found.head + w != value), None) if found else None
        return found.head + word if found and word else None


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

    def __init__(self, ids: Ids, branches: Branches = _no_branches) -> None:
        super().__init__(placeholder="op or debugger command (help lists them); ↑ history, tab completes",
                         suggester=VerbAndIdSuggester(ids, branches), select_on_focus=False,
                         id="command-box")  # fmt: skip
        self.history: list[str] = []
        self._cursor = 0
        self._ids, self._branches = ids, branches
        self._cycle: tuple[Completion, int, str] | None = None  # the completions, the one shown, the line shown
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
        """Complete the word being typed; Tab again shows the next candidate, round and round."""
        if self._cycle is not None and self._cycle[2] == self.value:
            found, index, _ = self._cycle
            index = (index + 1) % len(found.words)
        else:
            found = complete(self.value, self._ids, self._branches)
            if found is None or not found.words:
                self.app.bell()
                return
            index = 0
        word = found.words[index]
        space = " " if found.space_after or len(found.words) == 1 else ""
        self.value = found.head + word + space
        self.cursor_position = len(self.value)
        self._cycle = (found, index, self.value)

    def on_key(self, event: events.Key) -> None:
        if event.key != "tab":
            self._cycle = None
        if event.key not in ("enter", "escape", "up", "down", "tab"):
            self.remove_class("-error")
            self.border_subtitle = ""

    async def action_submit(self) -> None:
        line = self.value.strip().lstrip(":").lstrip()  # `:` typed again out of habit, as in vi, is not part of it
        if not line:
            self.action_close()
            return
        if not self.history or self.history[-1] != line:
            self.history.append(line)
        self._cursor = len(self.history)
        self.post_message(self.Submitted(line))
