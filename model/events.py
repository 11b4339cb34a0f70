"""Events: what one operation did, in the kernel's words, for the log, the panels and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened during an operation.

    Attributes:
        kind: dotted category, e.g. ``namecache.hit`` or ``page.lost``; breakpoints match on it.
        text: one line for the event log.
        refs: stable ids of the objects the event concerns (``vp7``, ``nc12``), for highlighting.
        explain: a teaching sentence, empty when the text says enough.
        func: the kernel function this models (``cache_lookup``), empty when none.
        ret: the value that function returns, where it returns one.
        errno: the error name (``ENOENT``) where the call failed with one.
        data: small JSON-ready extra facts (the bucket probed, bytes lost) for panels and tests.
    """

    kind: str
    text: str
    refs: tuple[str, ...] = ()
    explain: str = ""
    func: str = ""
    ret: int | None = None
    errno: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_error(self) -> bool:
        """True for events that report a failed operation (bad id, protocol violation)."""
        return self.kind == "error" or self.kind.startswith("error.")

    def line(self) -> str:
        """One log line: ``func: text [ERRNO]``, without repeating a function name the text starts with."""
        head = f"{self.func}: " if self.func and not self.text.startswith(self.func) else ""
        tail = f" [{self.errno}]" if self.errno and self.errno not in self.text else ""
        return f"{head}{self.text}{tail}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; empty optional fields are left out so JSON lines stay short."""
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.refs:
            out["refs"] = list(self.refs)
        if self.explain:
            out["explain"] = self.explain
        if self.func:
            out["func"] = self.func
        if self.ret is not None:
            out["ret"] = self.ret
        if self.errno is not None:
            out["errno"] = self.errno
        if self.data:
            out["data"] = self.data
        return out


def error(text: str, *, hint: str = "", refs: tuple[str, ...] = (), errno: str | None = None) -> Event:
    """An event for an operation the model refused (unknown id, wrong object type)."""
    return Event(kind="error", text=text, refs=refs, explain=hint, errno=errno)
