"""Events: what one operation did, in the kernel's words, for the log, the panels and the tests."""

from __future__ import annotations

from abc import ABCMeta
from dataclasses import dataclass, field
from typing import Any


class _EventMethods:
    """What every event answers, eager (`Event`) or lazy (`LazyEvent`): no storage of its own."""

    __slots__ = ()
    kind: str
    text: str
    refs: tuple[str, ...]
    explain: str
    func: str
    ret: int | None
    errno: str | None
    data: dict[str, Any]
    created: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

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
        for name in ("created", "changed", "removed"):
            ids = getattr(self, name)
            if ids:
                out[name] = list(ids)
        return out

    @property
    def touched(self) -> tuple[str, ...]:
        """Every id the event created, changed or removed."""
        return (*self.created, *self.changed, *self.removed)


@dataclass(slots=True, unsafe_hash=True)
class Event(_EventMethods, metaclass=ABCMeta):
    """One thing that happened during an operation. Treat it as immutable once made.

    Not `frozen`: a frozen dataclass sets each field through `object.__setattr__`, which made building
    an event three times slower, and every cache lookup builds one. Hashing and equality are as frozen.

    Attributes:
        kind: dotted category, e.g. ``namecache.hit`` or ``page.lost``; breakpoints match on it.
        text: one line for the event log.
        refs: stable ids of the objects the event concerns (``vp7``, ``nc12``), for highlighting.
        explain: a teaching sentence, empty when the text says enough.
        func: the kernel function this models (``cache_lookup``), empty when none.
        ret: the value that function returns, where it returns one.
        errno: the error name (``ENOENT``) where the call failed with one.
        data: small JSON-ready extra facts (the bucket probed, bytes lost) for panels and tests.
        created: ids of the objects the event brought into being (``nc8`` by cache_enter).
        changed: ids of objects it changed in place (a vnode's usecount, an entry moved in the LRU).
        removed: ids of objects it took away (``nc2`` by cache_remove); ``data["gone"]`` labels them.

    `refs` may name more than these (the directory a miss searched, the chain probed): what the event
    looked at. Panels mark only what changed, and draw a removed object one step longer, as a ghost.
    """

    kind: str
    text: str
    refs: tuple[str, ...] = ()
    explain: str = ""
    func: str = ""
    ret: int | None = None
    errno: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False)
    created: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _fields(event: Event) -> tuple[Any, ...]:
    return (event.kind, event.text, event.refs, event.explain, event.func, event.ret, event.errno,
            event.created, event.changed, event.removed)  # fmt: skip


class LazyEvent(_EventMethods):
    """An Event whose `text`, `refs` and `data` are made by `render()` when read, not when it happens.

    For the hottest paths (a name-cache lookup per path component, a vnode's vget and VOP_INACTIVE),
    where formatting is most of an event's cost and a bulk replay reads few of them. A subclass gives
    `kind`, `explain`, `func`, `ret` and `errno` as class attributes and keeps what `render` needs in slots
    of its own: values that do not change afterwards (ids, names, numbers). It equals, and hashes as, the
    same event built eagerly.

    It is an `Event` (`isinstance` says so: registered on Event's ABCMeta) without being a subclass of
    the dataclass: a subclass would carry Event's eleven slots unused, and a far jump keeps hundreds of
    thousands of events, which the garbage collector walks on every full pass (three times slower with
    them).
    """

    __slots__ = ()
    created: tuple[str, ...] = ()  # a subclass overrides what it changes
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        """(text, refs, data)."""
        raise NotImplementedError

    @property
    def text(self) -> str:
        return self.render()[0]

    @property
    def refs(self) -> tuple[str, ...]:
        return self.render()[1]

    @property
    def data(self) -> dict[str, Any]:
        return self.render()[2]

    def __eq__(self, other: object) -> bool:
        return _fields(self) == _fields(other) if isinstance(other, Event) else NotImplemented

    def __hash__(self) -> int:
        return hash(_fields(self))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _NAMES)
        return f"{type(self).__qualname__}({values})"  # as the dataclass writes an Event

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyEvent:
        return self  # immutable: a copied machine (the quiz's) shares it


Event.register(LazyEvent)

_NAMES = ("kind", "text", "refs", "explain", "func", "ret", "errno", "data", "created", "changed", "removed")


def error(text: str, *, hint: str = "", refs: tuple[str, ...] = (), errno: str | None = None) -> Event:
    """An event for an operation the model refused (unknown id, wrong object type)."""
    return Event(kind="error", text=text, refs=refs, explain=hint, errno=errno)
