"""What a trace proves about the disk: which paths existed before it started, and what it changed.

Every result is a fact: a successful `stat("/a/b")` proves `/a` is a directory and `/a/b` exists;
ENOENT proves the name was not there. Some results are read as a likely fact: ENOTDIR takes the nearest
component not known to be a directory for a file, and an error such as EACCES for proof that the path
exists. A strict disk takes only the proofs (successes, and EEXIST, ENOTEMPTY, EISDIR), so a replay on it
predicts the other failures instead of having them built in. Facts about paths the trace itself made or
removed are kept apart (`current`), so the tree handed to the model is the disk as it was when the trace
began. Contradictions (a path the trace saw both missing and present with nothing in between) are
counted, not fatal.

Facts live in a tree of names, one node per component, so a path is walked once from the root whatever
it proves about its directories: the work is linear in the path's length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from model.trace.strace_calls import PROOFS

DIR, FILE, ANY, ABSENT = "dir", "file", "any", "absent"
"""States of a path: a directory, some other file, present of unknown type, or not there."""

Probe = Callable[[str], str]
"""Asks a real directory tree what a path is (DIR, FILE, ANY or ABSENT), for `--root` (the CLI makes one:
viz/cli/host/disk.py)."""

Route = Sequence[str]
"""An absolute path as its components, from the root (() is the root; ``..`` steps back up)."""


def join(base: str, path: str) -> str:
    """`path` relative to directory `base`, joined as text (no `..` folding: namei walks it as written)."""
    if path.startswith("/"):
        return path
    return ("" if base == "/" else base.rstrip("/")) + "/" + path


@dataclass(frozen=True, slots=True)
class Walk:
    """The lexical walk of an absolute path, as namei does it without symlinks.

    `route` is what namei steps through (names, and ``..`` going back up; ``.`` left out), `through` the
    part of it up to the last directory passed through (every name on it must be a directory, even one a
    later ``..`` leaves), `parts` the normalized path's names, `final` the normalized path as text, and
    `must_dir` whether the path itself must be a directory (it ends in ``/``, ``.`` or ``..``, or is the
    root).
    """

    route: tuple[str, ...]
    through: tuple[str, ...]
    parts: tuple[str, ...]
    final: str
    must_dir: bool


def walk(path: str) -> Walk:
    """The lexical walk of an absolute path (see `Walk`), in one pass over its components."""
    names = [p for p in path.split("/") if p]
    route = tuple(p for p in names if p != ".")
    ends_in_name = bool(names) and names[-1] not in (".", "..")
    stack: list[str] = []
    for part in route:
        if part != "..":
            stack.append(part)
        elif stack:
            stack.pop()
    must_be_dir = path.endswith("/") or (bool(names) and not ends_in_name)
    through = route[:-1] if ends_in_name else route
    return Walk(route, through, tuple(stack), "/" + "/".join(stack), must_be_dir or not stack)


class _Node:
    """One name: what was true of it before the trace (`initial`, `soft` when only the probe said so),
    what the trace made of it (`current`, None when the trace has not touched it), and whether the trace
    made it as a directory (`made`: it started empty)."""

    __slots__ = ("children", "current", "initial", "made", "soft")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.initial: str | None = None
        self.soft = False
        self.current: str | None = None
        self.made = False

    def empty(self) -> bool:
        return not self.children and self.initial is None and self.current is None and not self.made


class Disk:
    """Facts about the disk before the trace (`initial`) and the trace's own changes (`current`)."""

    def __init__(self, probe: Probe | None = None, *, strict: bool = False) -> None:
        self.root = _Node()
        self.conflicts = 0
        self.probe = probe
        self.strict = strict

    def proves(self, errno: str | None) -> bool:
        """Whether a call that ended with `errno` is taken as proof that its path exists (strict: only a
        success, EEXIST, ENOTEMPTY or EISDIR)."""
        return not self.strict or errno is None or errno in PROOFS

    # -- walking -------------------------------------------------------------------------------------

    def _route(self, route: Route) -> Iterator[tuple[_Node, bool, list[str]]]:
        """(node, hidden, names) at each name `route` steps onto (``..`` steps back up), made if new.

        `hidden` is True when the nearest ancestor the trace touched is one it removed or made (so nothing
        below it is there now); `names` is the path to the node (a live list: copy it to keep it). One
        step per component: the walk is linear in the route's length.
        """
        nodes = [self.root]
        hiddens = [False]  # per level: whether that level's children are hidden
        names: list[str] = []
        for name in route:
            if name == "..":
                if names:
                    nodes.pop()
                    hiddens.pop()
                    names.pop()
                continue
            child = nodes[-1].children.get(name)
            if child is None:
                child = nodes[-1].children[name] = _Node()
            names.append(name)
            yield child, hiddens[-1], names
            nodes.append(child)
            hiddens.append(hiddens[-1] if child.current is None else (child.current == ABSENT or child.made))

    def _node(self, parts: Route) -> tuple[_Node, bool, list[str]]:
        """The node `parts` leads to (the root for ()), whether an ancestor hides it, and its names."""
        found: tuple[_Node, bool, list[str]] = (self.root, False, [])
        for node, hidden, names in self._route(parts):
            found = (node, hidden, names)
        return found

    def _state(self, node: _Node, hidden: bool, names: list[str]) -> str | None:
        if node.current is not None:
            return node.current
        if hidden:
            return ABSENT
        if node.initial is not None:
            return node.initial
        if self.probe is not None and names:
            node.initial = self.probe("/" + "/".join(names))
            node.soft = True
            return node.initial
        return None

    def state(self, parts: Route) -> str | None:
        """What the path is now, as far as anything seen so far tells (None: unknown)."""
        return self._state(*self._node(parts))

    # -- facts ---------------------------------------------------------------------------------------

    @staticmethod
    def _set(node: _Node, kind: str) -> None:
        """Record a state where it belongs: with the trace's changes if it made them, else as initial."""
        if node.current is not None:
            node.current = kind
        else:
            node.initial = kind
            node.soft = False

    def _exists(self, node: _Node, hidden: bool, names: list[str], kind: str) -> None:
        state = self._state(node, hidden, names)
        soft = node.soft and node.current is None
        if state is None or (soft and (state == ABSENT or (kind != ANY and state not in (kind, ANY)))):
            self._set(node, kind)
        elif state == ABSENT:
            self.conflicts += 1
        elif kind != ANY and state == ANY:
            self._set(node, kind)
        elif kind != ANY and state != kind:
            self.conflicts += 1

    def exists(self, parts: Route, kind: str = ANY, *, proof: str | None = None) -> None:
        """A fact: the path exists now (as a DIR, FILE, or ANY type); `proof` is the errno that says so, if
        any, which a strict disk takes only when it proves it."""
        if parts and self.proves(proof):
            self._exists(*self._node(parts), kind)

    def walked(self, route: Route) -> None:
        """A fact: every name `route` steps onto (the directories a successful walk passed through) is a
        directory."""
        for node, hidden, names in self._route(route):
            self._exists(node, hidden, names, DIR)

    def not_a_directory(self, route: Route) -> None:
        """ENOTDIR on the way: unless a name `route` passes is known to be a file, the last one is taken to
        be one, and those before it directories. A strict disk takes no such guess."""
        if self.strict:
            return
        passed = [(node, hidden, names[:] if self.probe else names) for node, hidden, names in self._route(route)]
        if not passed or any(self._state(*step) == FILE for step in passed):
            return
        for node, hidden, names in passed[:-1]:
            self._exists(node, hidden, names, DIR)
        self._exists(*passed[-1], FILE)

    def last_unknown_absent(self, route: Route) -> None:
        """ENOENT from a call that makes a name: when nothing is known of the last directory `route` passes,
        it was not there."""
        last = None
        for node, hidden, names in self._route(route):
            last = (node, hidden, names[:] if self.probe else names)
        if last is not None and self._state(*last) is None:
            self._set(last[0], ABSENT)

    def absent(self, parts: Route) -> None:
        """A fact: the path does not exist now."""
        node, hidden, names = self._node(parts)
        state = self._state(node, hidden, names)
        if state is None or (node.soft and node.current is None):
            self._set(node, ABSENT)
        elif state != ABSENT:
            self.conflicts += 1

    def make(self, parts: Route, kind: str) -> None:
        """The trace made the path (mkdir, creat, rename's target)."""
        node = self._node(parts)[0]
        self._drop_below(node)
        node.current = kind
        if kind == DIR:
            node.made = True

    def remove(self, parts: Route) -> None:
        """The trace removed the path (unlink, rmdir, rename's source)."""
        node = self._node(parts)[0]
        self._drop_below(node)
        node.current = ABSENT
        node.made = False

    def move(self, old: Route, new: Route) -> None:
        """rename: `new` takes `old`'s place, with what the trace knows of its contents."""
        kind = self.state(old) or ANY
        moved = _copy_currents(self._node(old)[0])
        self.remove(old)
        self.make(new, DIR if kind == DIR else (FILE if kind == ANY else kind))
        target = self._node(new)[0]
        target.children = moved.children

    @staticmethod
    def _drop_below(node: _Node) -> None:
        """Forget what the trace did below `node` (it was replaced); names left with no fact go."""
        stack = list(node.children.values())
        while stack:
            child = stack.pop()
            child.current = None
            child.made = False
            stack.extend(child.children.values())
        _prune(node)

    # -- results -------------------------------------------------------------------------------------

    def tree(self) -> list[str]:
        """The disk before the trace, as `[config] tree` paths (directories end in /), sorted.

        Only the deepest names are listed (a directory with something listed under it is implied by it),
        so the list is as long as the facts, not their depth times their number.
        """
        out: list[str] = []
        names: list[str] = []
        stack = [iter(self.root.children.items())]
        nodes: list[_Node] = []
        below = [False]  # per level: whether a name that existed lies under the node at that level
        while stack:
            step = next(stack[-1], None)
            if step is not None:
                names.append(step[0])
                nodes.append(step[1])
                stack.append(iter(step[1].children.items()))
                below.append(False)
                continue
            stack.pop()
            under = below.pop()
            if not nodes:
                break
            node = nodes.pop()
            existed = node.initial not in (None, ABSENT)
            if existed and not under:
                out.append("/" + "/".join(names) + ("/" if node.initial == DIR else ""))
            below[-1] = below[-1] or under or existed
            names.pop()
        return sorted(out)

    def names(self) -> int:
        """How many distinct paths the trace touched (to size the name cache so nothing is evicted)."""
        count = 0
        stack = [self.root]
        while stack:
            node = stack.pop()
            for child in node.children.values():
                count += child.initial is not None or child.current is not None
                stack.append(child)
        return count


def _copy_currents(node: _Node) -> _Node:
    """A copy of the names below `node` that the trace touched, with only what the trace made of them."""
    top = _Node()
    stack = [(node, top)]
    while stack:
        here, copy = stack.pop()
        for name, child in here.children.items():
            twin = _Node()
            twin.current = child.current
            stack.append((child, twin))
            copy.children[name] = twin
    _prune(top)
    return top


def _prune(top: _Node) -> None:
    """Drop the names under `top` that hold no fact and have none under them."""
    order: list[tuple[_Node, str, _Node]] = []
    stack = [top]
    while stack:
        here = stack.pop()
        for name, child in here.children.items():
            order.append((here, name, child))
            stack.append(child)
    for parent, name, child in reversed(order):  # children before their parents
        if child.empty():
            del parent.children[name]
