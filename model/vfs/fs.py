"""The "disk": one in-memory directory tree per mounted file system, which VOP_LOOKUP consults on a miss."""

from __future__ import annotations

from typing import Any

from model.journal import JDict, Journaled, JSet
from model.limits import path_bytes, too_long
from model.slotcopy import slots_deepcopy

DIR, REG = "dir", "reg"

DEFAULT_TREE = (
    "/bin/",
    "/bin/ls",
    "/bin/sh",
    "/etc/",
    "/etc/passwd",
    "/etc/rc.conf",
    "/home/",
    "/home/alice/",
    "/home/alice/notes.txt",
    "/mnt/",
    "/tmp/",
    "/usr/",
    "/usr/bin/",
    "/usr/bin/cc",
    "/usr/bin/vi",
    "/usr/lib/",
    "/usr/lib/libc.so",
    "/usr/share/",
    "/var/",
    "/var/log/",
    "/var/log/messages",
)
"""The root file system's contents unless a scenario's `[config] tree` says otherwise (dirs end in /)."""


class Inode(Journaled):
    """An on-disk file: type, link count, and for a directory its entries and whiteouts."""

    __slots__ = ("entries", "ino", "nlink", "parent", "type", "whiteouts")
    __deepcopy__ = slots_deepcopy  # System.copy (the quiz tries ops on a copy) copies every inode

    def __init__(self, ino: int, itype: str, parent: int) -> None:
        self.ino = ino
        self.type = itype
        self.nlink = 2 if itype == DIR else 1
        self.parent = parent
        # A file has neither (None): most inodes are files, and two empty containers each cost the
        # garbage collector two more objects to walk on every full pass over a big tree.
        self.entries: JDict | None = JDict() if itype == DIR else None  # name -> inode, in the order made
        self.whiteouts: JSet | None = JSet() if itype == DIR else None


class FileSystem(Journaled):
    """One file system's inodes; inode 2 is the root, as in UFS."""

    ROOT_INO = 2

    __slots__ = ("fstype", "inodes", "next_ino")

    def __init__(self, fstype: str = "ffs") -> None:
        self.fstype = fstype
        self.inodes: JDict = JDict({self.ROOT_INO: Inode(self.ROOT_INO, DIR, self.ROOT_INO)})
        self.next_ino = 3

    def inode(self, ino: int) -> Inode:
        return self.inodes[ino]

    def lookup(self, dir_ino: int, name: str) -> tuple[int | None, bool]:
        """VOP_LOOKUP on disk: (inode number or None, whiteout flag) for `name` in directory `dir_ino`."""
        directory = self.inodes[dir_ino]
        if name == ".":
            return dir_ino, False
        if name == "..":
            return directory.parent, False
        ino = directory.entries.get(name)
        return ino, ino is None and name in directory.whiteouts

    def create(self, dir_ino: int, name: str, itype: str) -> int:
        """Make a new file or directory `name` in `dir_ino`; returns its inode number."""
        directory = self.inodes[dir_ino]
        ino = self.next_ino
        self.next_ino += 1
        self.inodes[ino] = Inode(ino, itype, dir_ino)
        directory.entries[name] = ino
        directory.whiteouts.discard(name)
        if itype == DIR:
            directory.nlink += 1
        return ino

    def unlink(self, dir_ino: int, name: str) -> int:
        """Remove the directory entry; the inode's link count drops (its space goes at inactive time)."""
        ino = self.inodes[dir_ino].entries.pop(name)
        inode = self.inodes[ino]
        inode.nlink -= 2 if inode.type == DIR else 1
        if inode.type == DIR:
            self.inodes[dir_ino].nlink -= 1
        return ino

    def rename(self, from_dir: int, from_name: str, to_dir: int, to_name: str) -> None:
        """Move a directory entry (VOP_RENAME); the target name must be free. Link counts are kept."""
        ino = self.inodes[from_dir].entries.pop(from_name)
        self.inodes[to_dir].entries[to_name] = ino
        self.inodes[to_dir].whiteouts.discard(to_name)
        inode = self.inodes[ino]
        if inode.type == DIR and from_dir != to_dir:
            inode.parent = to_dir
            self.inodes[from_dir].nlink -= 1
            self.inodes[to_dir].nlink += 1

    def is_ancestor(self, ancestor: int, ino: int) -> bool:
        """True if directory `ancestor` is `ino` or contains it (rename of a directory into itself)."""
        while True:
            if ino == ancestor:
                return True
            if ino == self.ROOT_INO:
                return False
            ino = self.inodes[ino].parent

    def free(self, ino: int) -> None:
        """Reclaim an unlinked inode's space (what VOP_INACTIVE does when the link count is 0)."""
        del self.inodes[ino]

    def path_of(self, ino: int) -> str:
        """The inode's path from this file system's root (for descriptions)."""
        parts = []
        while ino != self.ROOT_INO:
            parent = self.inodes.get(self.inodes[ino].parent) if ino in self.inodes else None
            if parent is None:
                return "(unlinked)"
            name = next((n for n, i in parent.entries.items() if i == ino), None)
            if name is None:
                return "(unlinked)"
            parts.append(name)
            ino = parent.ino
        return "/" + "/".join(reversed(parts))

    def to_dict(self) -> dict[str, Any]:
        return {
            "fstype": self.fstype,
            "inodes": {
                str(i.ino): {
                    "type": i.type,
                    "nlink": i.nlink,
                    **({"entries": dict(i.entries)} if i.type == DIR else {}),
                    **({"whiteouts": sorted(i.whiteouts)} if i.whiteouts else {}),
                }
                for i in self.inodes.values()
            },
        }


def build_tree(fs: FileSystem, paths: tuple[str, ...] | list[str]) -> None:
    """Populate `fs` from paths like ``/usr/bin/`` (directory) and ``/usr/bin/ls`` (file), a checked tree
    (`validate_tree`): each path's names are found or made from the root, in order.

    The directories a path goes through are remembered by their path, so the next path in the same
    directory starts there (a tree lists a directory's files together: 50,000 paths build in half the time).
    """
    inodes = fs.inodes
    through: dict[str, int] = {}  # "usr/bin" -> the inode of the directory a path went through
    for path in paths:
        parts = [p for p in path.split("/") if p]
        if not parts:
            continue  # "/": the root is there already
        last = len(parts) - 1
        ino = through.get("/".join(parts[:last])) if last > 0 else FileSystem.ROOT_INO
        start = last
        if ino is None:
            ino, start = FileSystem.ROOT_INO, 0
        for index in range(start, last + 1):
            part = parts[index]
            found = inodes[ino].entries.get(part)
            if found is None:
                found = fs.create(ino, part, DIR if (index < last or path.endswith("/")) else REG)
            ino = found
            if index < last:
                through["/".join(parts[: index + 1])] = ino


def validate_tree(value: Any) -> tuple[str, ...]:
    """Config validator for `tree`: a list of absolute paths, directories ending in '/'.

    Each path is one namei could walk (under PATH_MAX bytes, components at most NAME_MAX, no '.', '..' or
    NUL), and no path puts something under a file. The check walks each path once, so it is linear in the
    total length of the list.
    """
    if not isinstance(value, list) or not all(isinstance(p, str) and p.startswith("/") for p in value):
        raise ValueError('expected a list of absolute paths, e.g. ["/etc/", "/etc/passwd"]')
    root = _TreeNode()
    for path in value:
        parts = [p for p in path.split("/") if p]
        if "." in parts or ".." in parts or "\0" in path:
            raise ValueError(f"{_shown(path)}: name each directory plainly (no '.', '..' or NUL in a tree path)")
        if (why := too_long(path)) is not None:
            raise ValueError(f"{_shown(path)}: too long for namei ({why})")
        node = root
        last_index = len(parts) - 1
        for index, part in enumerate(parts):
            if node.file is not None:
                raise ValueError(f"{node.file!r} is a file, but {path!r} puts something under it")
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _TreeNode()
            node = child
            last = index == last_index
            if not last and node.under is None:
                node.under = path
            if last and not path.endswith("/"):
                if node.children:
                    raise ValueError(f"{path!r} is a file, but {node.under!r} puts something under it")
                node.file = node.file or path
    return tuple(value)


class _TreeNode:
    """One name of a `[config] tree` being checked: the names under it, the path that made it a file (if one
    did), and the first path that puts something under it."""

    __slots__ = ("children", "file", "under")

    def __init__(self) -> None:
        self.children: dict[str, _TreeNode] = {}
        self.file: str | None = None
        self.under: str | None = None


def _shown(path: str) -> str:
    """A path for a message: whole if short, else its start and its length."""
    return repr(path) if len(path) <= 80 else f"{path[:60]!r}... ({path_bytes(path)} bytes)"
