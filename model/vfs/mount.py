"""`struct mount`: a mounted file system, the vnode it covers and its root vnode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.journal import Journaled
from model.vfs.fs import FileSystem

if TYPE_CHECKING:
    from model.vfs.vnode import Vnode


class Mount(Journaled):
    """`struct mount`: a mounted file system, the vnode it covers, and its root vnode."""

    __slots__ = ("covered", "fs", "id", "path", "root")

    def __init__(self, mount_id: str, fs: FileSystem, path: str) -> None:
        self.id = mount_id
        self.fs = fs
        self.path = path
        self.covered: Vnode | None = None
        self.root: Vnode | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "fstype": self.fs.fstype,
            "covered": self.covered.id if self.covered else None,
            "root": self.root.id if self.root else None,
            "disk": self.fs.to_dict(),
        }
