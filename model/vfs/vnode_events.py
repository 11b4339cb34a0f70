"""The vnode life cycle's most frequent events, built lazily: a walk makes several per component.

Every lookup of a file nobody holds takes its vnode off the free list (vget) and puts it back when the
walk lets go (VOP_INACTIVE); every miss on a new file allocates and binds a vnode. Each class keeps the
ids and numbers its text needs (strings and ints, never the vnode: the id is the one of that moment)
and formats its text, refs and data only when they are read (`LazyEvent`).
"""

from __future__ import annotations

from typing import Any

from model.events import LazyEvent


class InactiveEvent(LazyEvent):
    """vinactive: the last use reference went (by `caller`, vput or vrele), VOP_INACTIVE ran, and the
    vnode went to the free-list tail."""

    __slots__ = ("caller", "vp")
    kind, func, ret, errno = "vnode.inactive", "VOP_INACTIVE", None, None
    explain = "An inactive vnode keeps its identity and its name-cache entries until it is recycled."

    def __init__(self, caller: str, vp: str) -> None:
        self.caller = caller
        self.vp = vp

    @property  # type: ignore[override]
    def changed(self) -> tuple[str, ...]:
        return (self.vp,)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        vp = self.vp
        text = f"{self.caller}({vp}): last reference gone; VOP_INACTIVE({vp}) called locked; {vp} to the free-list tail"
        return text, (vp,), {}


class VgetEvent(LazyEvent):
    """vget of a vnode on the free list: off it, usecount 1 (§2.3)."""

    __slots__ = ("vp",)
    kind, func, ret, errno = "vnode.vget", "vget", None, None
    explain = (
        "A vnode on the free list keeps its identity, so a name-cache hit can bring it back without reading the disk."
    )

    def __init__(self, vp: str) -> None:
        self.vp = vp

    @property  # type: ignore[override]
    def changed(self) -> tuple[str, ...]:
        return (self.vp,)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        return f"vget({self.vp}): taken off the free list, usecount 1", (self.vp,), {"usecount": 1}


class NewVnodeEvent(LazyEvent):
    """getnewvnode allocated a brand-new struct (below desiredvnodes, or nothing free to recycle)."""

    __slots__ = ("grown", "vp")
    kind, explain, func, ret, errno = "vnode.new", "", "getnewvnode", None, None

    def __init__(self, vp: str, grown: bool) -> None:
        self.vp = vp
        self.grown = grown

    @property  # type: ignore[override]
    def created(self) -> tuple[str, ...]:
        return (self.vp,)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        grown = " (nothing free: table grows past desiredvnodes)" if self.grown else ""
        return f"getnewvnode: allocated {self.vp}{grown}", (self.vp,), {}


class BindEvent(LazyEvent):
    """VFS_VGET gave a vnode its identity: the inode it now stands for."""

    __slots__ = ("ino", "mount", "vp", "vtype")
    kind, explain, func, ret, errno = "vnode.bind", "", "VFS_VGET", None, None

    def __init__(self, vp: str, ino: int, mount: str, vtype: str) -> None:
        self.vp = vp
        self.ino = ino
        self.mount = mount
        self.vtype = vtype

    @property  # type: ignore[override]
    def changed(self) -> tuple[str, ...]:
        return (self.vp,)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        text = f"{self.vp} now stands for inode {self.ino} on {self.mount} ({self.vtype})"
        return text, (self.vp, self.mount), {}
