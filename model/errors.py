"""Errors the model raises: parse errors in one command line, scenario errors in a file, refused operations."""

from __future__ import annotations


class CommandError(ValueError):
    """A command line that does not parse.

    Attributes:
        message: what was wrong, naming the offending word.
        word: index of the offending word (0 is the verb), or None when the line as a whole is wrong.
        hint: what was expected, or a suggestion such as the closest verb.
    """

    def __init__(self, message: str, *, word: int | None = None, hint: str = "") -> None:
        self.message = message
        self.word = word
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ScenarioError(ValueError):
    """A scenario file that cannot be loaded: names the file, the step (1-based) and the problem."""

    def __init__(self, source: str, message: str, *, step: int | None = None, hint: str = "") -> None:
        self.source = source
        self.step = step
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.source}: step {self.step}" if self.step is not None else self.source
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.message}{tail}"


class OpError(Exception):
    """Raised by a handler for an operation the model refuses; `System.apply` turns it into an error event."""

    def __init__(self, text: str, *, hint: str = "", errno: str | None = None, refs: tuple[str, ...] = ()) -> None:
        super().__init__(text)
        self.text = text
        self.hint = hint
        self.errno = errno
        self.refs = refs
