"""The /proc dentry trees flattened into rows, kept up to date as dentries are added (O(changes) a step).

A step that only adds dentries (a lookup of a new /proc path) inserts their rows where they belong;
anything else that changes the tree's shape (a dentry freed or unhashed, a mount made or released, a
jump to another moment) lays every row out again. `tree_rows` is that full layout.
"""

from __future__ import annotations

from model.procfs.objects import Dentry
from model.procfs.procfs import Procfs

TreeRow = tuple[str, int, str]
"""("ns", namespace id, "") heads a mount; ("d", dentry id, tree prefix) is a dentry; ("none", ns id, "")."""


def order(d: Dentry) -> tuple[int, int, str, int]:
    """Children in /proc order: numbers ascending, then names; an old (stale) twin after the new one."""
    if d.name.isdigit():
        return (0, int(d.name), "", -d.id)
    return (1, 0, d.name, -d.id)


def children(fs: Procfs, d: Dentry) -> list[Dentry]:
    return sorted((fs.dentries[c] for c in d.subdirs), key=order)


def tree_signature(fs: Procfs) -> tuple:
    """What the tree's shape and its stale count depend on, except additions (which `next_dentry` shows).

    Dentries are freed by dentry_kill and unhashed by d_invalidate or a failed revalidation, each counted;
    mounts come, go or are released per namespace.
    """
    counters = fs.counters
    mounts = tuple((ns.id, None if ns.mount is None else (ns.mount.root, ns.mount.released))
                   for ns in fs.namespaces.values())  # fmt: skip
    return (counters["d_invalidate"], counters["revalidate_fail"], counters["dentry_kill"], mounts)


def tree_rows(fs: Procfs) -> list[TreeRow]:
    """Every namespace's proc mount as a flattened tree: a heading, then its dentries depth first."""
    rows: list[TreeRow] = []
    for ns in fs.namespaces.values():
        rows.append(("ns", ns.id, ""))
        if ns.mount is None:
            rows.append(("none", ns.id, ""))
            continue
        root = fs.dentries[ns.mount.root]
        rows.append(("d", root.id, ""))
        _append_children(fs, root, "", rows)
    return rows


def _append_children(fs: Procfs, d: Dentry, prefix: str, rows: list[TreeRow]) -> None:
    """Rows for the children of `d` and below (recursion as deep as the tree: a handful of levels)."""
    kids = children(fs, d)
    last = len(kids) - 1
    for i, kid in enumerate(kids):
        rows.append(("d", kid.id, prefix + ("└─" if i == last else "├─")))
        if kid.subdirs:
            _append_children(fs, kid, prefix + ("  " if i == last else "│ "), rows)


def _code(kind: str, key: int) -> int:
    """One int per row, for a search at C speed: a dentry's id, or a negative code for the other rows."""
    return key if kind == "d" else -(2 * key + (1 if kind == "ns" else 2))


class DentryRows:
    """The rows of every proc mount's tree, and the count of stale dentries, for one Procfs at a time."""

    def __init__(self) -> None:
        self.fs: Procfs | None = None
        self.rows: list[TreeRow] = []
        self.codes: list[int] = []  # _code of each row
        self.stale = 0
        self._next = 0  # fs.next_dentry when last brought up to date
        self._signature: tuple = ()

    def update(self, fs: Procfs) -> None:
        """Bring the rows up to `fs`: insert the dentries added since, or lay everything out again."""
        signature = tree_signature(fs)
        added = range(self._next, fs.next_dentry)
        going_back = fs.next_dentry < self._next  # a step undone: the dentries it made are gone, not added
        if fs is self.fs and signature == self._signature and not going_back and all(n in fs.dentries for n in added):
            for n in added:  # allocated parents first, as a walk allocates them
                self._insert(fs.dentries[n])
                self.stale += fs.is_stale(fs.dentries[n])
        else:
            self.rows = tree_rows(fs)
            self.codes = [_code(kind, key) for kind, key, _ in self.rows]
            self.stale = sum(1 for d in fs.dentries.values() if fs.is_stale(d))
        self.fs, self._signature, self._next = fs, signature, fs.next_dentry

    def row_of(self, kind: str, key: int) -> int | None:
        try:
            return self.codes.index(_code(kind, key))
        except ValueError:
            return None

    def _successor(self, d: Dentry) -> Dentry | None:
        """The sibling that comes right after `d` in /proc order, if any."""
        assert self.fs is not None and d.parent is not None
        mine = order(d)
        later = [s for s in (self.fs.dentries[c] for c in self.fs.dentries[d.parent].subdirs) if order(s) > mine]
        return min(later, key=order, default=None)

    def _end_of_subtree(self, d: Dentry) -> int:
        """The row just after `d` and everything below it."""
        assert self.fs is not None
        node: Dentry | None = d
        while node is not None and node.parent is not None:
            after = self._successor(node)
            if after is not None:
                return self.codes.index(after.id)
            node = self.fs.dentries[node.parent]
        assert node is not None
        return self._end_of_root(node)

    def _insert(self, d: Dentry) -> None:
        """Put a new dentry's row among its siblings, fixing the tree lines of the sibling it follows."""
        assert self.fs is not None and d.parent is not None
        parent = self.fs.dentries[d.parent]
        parent_row = self.codes.index(parent.id)
        parent_prefix = self.rows[parent_row][2]
        continues = "  " if parent_prefix.endswith("└─") else "│ "  # the column below the parent's own line
        base = "" if parent.parent is None else parent_prefix[:-2] + continues
        after = self._successor(d)
        if after is not None:
            at = self.codes.index(after.id)
            glyph = "├─"
        else:  # the new last child: the old last one gets a ├─ and its rows below a │ in this column
            at = self._end_of_subtree(parent)
            glyph = "└─"
            column = len(base)
            for i in range(at - 1, parent_row, -1):
                kind, key, prefix = self.rows[i]
                if len(prefix) == column + 2:  # the old last child itself
                    self.rows[i] = (kind, key, prefix[:column] + "├─")
                    break
                self.rows[i] = (kind, key, prefix[:column] + "│ " + prefix[column + 2 :])
        self.rows.insert(at, ("d", d.id, base + glyph))
        self.codes.insert(at, d.id)

    def _end_of_root(self, root: Dentry) -> int:
        """The row just after a mount's whole tree: the next namespace's heading, or the end."""
        assert self.fs is not None
        spaces = list(self.fs.namespaces)
        following = spaces[spaces.index(root.mount) + 1 :]
        return self.codes.index(_code("ns", following[0])) if following else len(self.codes)
