"""What a trace proves about the disk: which paths existed before it started, and what it changed.

Every result is a fact: a successful `stat("/a/b")` proves `/a` is a directory and `/a/b` exists;
ENOENT proves the name was not there. Facts about paths the trace itself made or removed are kept apart
(`current`), so the tree handed to the model is the disk as it was when the trace began. Contradictions
(a path the trace saw both missing and present with nothing in between) are counted, not fatal.
"""

from __future__ import annotations

import os
from collections.abc import Callable

DIR, FILE, ANY, ABSENT = "dir", "file", "any", "absent"
"""States of a path: a directory, some other file, present of unknown type, or not there."""

Probe = Callable[[str], str]
"""Asks a real directory tree what a path is (DIR, FILE or ABSENT), for `--root`."""


def parent(path: str) -> str:
    """The parent of a normalized absolute path ("/" for "/a")."""
    head = path.rsplit("/", 1)[0]
    return head or "/"


def join(base: str, path: str) -> str:
    """`path` relative to directory `base`, joined as text (no `..` folding: namei walks it as written)."""
    if path.startswith("/"):
        return path
    return ("" if base == "/" else base.rstrip("/")) + "/" + path


def walk(path: str) -> tuple[list[str], str, bool]:
    """The lexical walk of an absolute path, as namei does it without symlinks.

    Returns the directories it passes through (each must exist), the normalized final path, and whether
    the path itself must be a directory (it ends in ``/``, ``.`` or ``..``).
    """
    stack: list[str] = []
    dirs: list[str] = []
    parts = [p for p in path.split("/") if p]
    for index, part in enumerate(parts):
        if part == ".":
            continue
        if part == "..":
            if stack:
                stack.pop()
            continue
        if index < len(parts) - 1:
            dirs.append("/" + "/".join([*stack, part]))
        stack.append(part)
    final = "/" + "/".join(stack)
    must_be_dir = path.endswith("/") or (bool(parts) and parts[-1] in (".", ".."))
    return dirs, final, must_be_dir or final == "/"


def disk_probe(root: str) -> Probe:
    """A read-only probe of the real tree under `root` (symlinks followed, as a lookup follows them)."""

    def probe(path: str) -> str:
        try:
            st = os.stat(os.path.join(root, path.lstrip("/")))
        except (FileNotFoundError, NotADirectoryError):
            return ABSENT
        except OSError:
            return ANY
        return DIR if os.path.stat.S_ISDIR(st.st_mode) else FILE

    return probe


class Disk:
    """Facts about the disk before the trace (`initial`) and the trace's own changes (`current`)."""

    def __init__(self, probe: Probe | None = None) -> None:
        self.initial: dict[str, str] = {}
        self.soft: set[str] = set()  # initial facts from the probe, which the trace may overrule
        self.current: dict[str, str] = {}
        self.made: set[str] = set()  # directories the trace made: they start empty
        self.conflicts = 0
        self.probe = probe

    def state(self, path: str) -> str | None:
        """What `path` is now, as far as anything seen so far tells (None: unknown)."""
        if path in self.current:
            return self.current[path]
        p = path
        while p != "/":
            p = parent(p)
            if p in self.current:
                if self.current[p] == ABSENT or p in self.made:
                    return ABSENT
                break
        if path in self.initial:
            return self.initial[path]
        if self.probe is not None and path != "/":
            found = self.probe(path)
            self.initial[path] = found
            self.soft.add(path)
            return found
        return None

    def _set(self, path: str, kind: str) -> None:
        """Record a state where it belongs: with the trace's changes if it made them, else as initial."""
        if path in self.current:
            self.current[path] = kind
        else:
            self.initial[path] = kind
            self.soft.discard(path)

    def exists(self, path: str, kind: str = ANY) -> None:
        """A fact: `path` exists now (as a DIR, FILE, or ANY type)."""
        if path == "/":
            return
        state = self.state(path)
        soft = path in self.soft and path not in self.current
        if state is None or (soft and (state == ABSENT or (kind != ANY and state not in (kind, ANY)))):
            self._set(path, kind)
        elif state == ABSENT:
            self.conflicts += 1
        elif kind != ANY and state == ANY:
            self._set(path, kind)
        elif kind != ANY and state != kind:
            self.conflicts += 1

    def walked(self, dirs: list[str]) -> None:
        """A fact: every directory a successful walk passed through exists and is a directory."""
        for d in dirs:
            self.exists(d, DIR)

    def absent(self, path: str) -> None:
        """A fact: `path` does not exist now."""
        state = self.state(path)
        if state is None or (path in self.soft and path not in self.current):
            self._set(path, ABSENT)
        elif state != ABSENT:
            self.conflicts += 1

    def make(self, path: str, kind: str) -> None:
        """The trace made `path` (mkdir, creat, rename's target)."""
        self._drop_below(path)
        self.current[path] = kind
        if kind == DIR:
            self.made.add(path)

    def remove(self, path: str) -> None:
        """The trace removed `path` (unlink, rmdir, rename's source)."""
        self._drop_below(path)
        self.current[path] = ABSENT
        self.made.discard(path)

    def move(self, old: str, new: str) -> None:
        """rename: `new` takes `old`'s place, with what the trace knows of its contents."""
        kind = self.state(old) or ANY
        prefix = old + "/"
        moved = {new + p[len(old) :]: s for p, s in self.current.items() if p.startswith(prefix)}
        self.remove(old)
        self.make(new, DIR if kind == DIR else (FILE if kind == ANY else kind))
        self.current.update(moved)

    def _drop_below(self, path: str) -> None:
        prefix = path + "/"
        for p in [p for p in self.current if p.startswith(prefix)]:
            del self.current[p]
        self.made.difference_update({p for p in self.made if p.startswith(prefix)})

    def tree(self) -> list[str]:
        """The disk before the trace, as `[config] tree` paths (directories end in /), parents first."""
        existing = {p: k for p, k in self.initial.items() if k != ABSENT and p != "/"}
        for path in list(existing):
            p = parent(path)
            while p != "/" and existing.get(p) != DIR:
                existing[p] = DIR
                p = parent(p)
        return sorted(p + "/" if k == DIR else p for p, k in existing.items())

    def names(self) -> int:
        """How many distinct paths the trace touched (to size the name cache so nothing is evicted)."""
        return len(self.initial.keys() | self.current.keys())
