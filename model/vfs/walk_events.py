"""The path walk's most frequent events, built lazily: every lookup makes them, a bulk replay reads few.

The start of a namei walk, VOP_LOOKUP's answer from the disk, and the result of a `lookup` call. Each
keeps the strings and ints its text needs (ids of that moment, never the vnodes) and formats its text,
refs and data only when they are read (`LazyEvent`).
"""

from __future__ import annotations

from typing import Any

from model.events import LazyEvent


class NameiStartEvent(LazyEvent):
    """namei starts a walk: the operation, the path, and the directory a relative path starts from."""

    __slots__ = ("nameiop", "path", "start")
    kind, explain, func, ret, errno = "namei.start", "", "namei", None, None

    def __init__(self, nameiop: str, path: str, start: str | None) -> None:
        self.nameiop = nameiop
        self.path = path
        self.start = start  # the id of ni_atdir for a relative path from a descriptor, else None

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        start = self.start
        if start is None:
            return f"namei {self.nameiop} {self.path!r}", (), {}
        return f"namei {self.nameiop} {self.path!r} from {start}", (start,), {}


class VopLookupFoundEvent(LazyEvent):
    """VOP_LOOKUP found the name on disk: its inode, and whether its vnode was in use already."""

    __slots__ = ("dvp", "in_use", "ino", "name", "vp")
    kind, explain, func, ret, errno = "vfs.vop_lookup", "", "VOP_LOOKUP", 0, None

    def __init__(self, dvp: str, name: str, ino: int, vp: str, in_use: bool) -> None:
        self.dvp = dvp
        self.name = name
        self.ino = ino
        self.vp = vp
        self.in_use = in_use

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        found = f"inode {self.ino}, {self.vp} already in use" if self.in_use else f"inode {self.ino}"
        return f"VOP_LOOKUP({self.dvp}, {self.name!r}): {found}", (self.dvp, self.vp), {}


class LookupResultEvent(LazyEvent):
    """The `lookup` call found its vnode (what `syscalls.file_result` says of a lookup that succeeded)."""

    __slots__ = ("path", "vp")
    kind, explain, func, ret, errno = "vfs.lookup", "", "lookup", 0, None

    def __init__(self, path: str, vp: str) -> None:
        self.path = path
        self.vp = vp

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        return f"lookup {self.path}: {self.vp}", (self.vp,), {}
