"""TAILQ: the kernel's doubly linked list, threaded through the elements themselves.

NetBSD keeps the name cache's LRU list (`nclruhead`) and FreeBSD the vnode free list (`vnode_free_list`)
as TAILQs: each element carries its own `prev` and `next` links. The model does the same, for the same
reasons the kernel does: moving an element to the tail is a few pointer writes whatever the length, and
every change is an attribute set that the journal records exactly (an `OrderedDict`'s `move_to_end`
cannot be undone in place). An element is on at most one TailQ at a time and has a `num` (its key) and
`tq_prev`/`tq_next` slots. The list reads like the mapping `num -> element` in order, head first; an
indexed list (the vnode free list) finds an element by `num` at once, an unindexed one (the name cache's
LRU list, whose entries must stay small) walks to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from model.journal import JIndex, Journaled


class TailQ(Journaled):
    """Elements in order, head (least recently used) first; a mapping from `num` to element."""

    __slots__ = ("count", "head", "index", "tail")

    def __init__(self, *, indexed: bool = True) -> None:
        self.head: Any = None
        self.tail: Any = None
        self.count = 0
        self.index: JIndex | None = JIndex() if indexed else None

    def __len__(self) -> int:
        return self.count

    def __contains__(self, num: object) -> bool:
        if self.index is not None:  # the vnode free list asks at every vget and VOP_INACTIVE
            return num in self.index
        return self.get(num) is not None  # type: ignore[arg-type]

    def __getitem__(self, num: int) -> Any:
        element = self.get(num)
        if element is None:
            raise KeyError(num)
        return element

    def get(self, num: int, default: Any = None) -> Any:
        if self.index is not None:
            return self.index.get(num, default)
        return next((element for element in self.values() if element.num == num), default)

    def values(self) -> _Values:
        """The elements, head first (`reversed()` walks them tail first)."""
        return _Values(self)

    def __iter__(self) -> Iterator[int]:
        """The keys, head first."""
        return (element.num for element in self.values())

    def keys(self) -> Iterator[int]:
        return iter(self)

    def items(self) -> Iterator[tuple[int, Any]]:
        return ((element.num, element) for element in self.values())

    def insert_tail(self, element: Any) -> None:
        """TAILQ_INSERT_TAIL."""
        tail = self.tail
        element.tq_prev = tail
        element.tq_next = None
        if tail is None:
            self.head = element
        else:
            tail.tq_next = element
        self.tail = element
        self.count += 1
        if self.index is not None:
            self.index[element.num] = element

    def insert_head(self, element: Any) -> None:
        """TAILQ_INSERT_HEAD."""
        head = self.head
        element.tq_prev = None
        element.tq_next = head
        if head is None:
            self.tail = element
        else:
            head.tq_prev = element
        self.head = element
        self.count += 1
        if self.index is not None:
            self.index[element.num] = element

    def remove(self, element: Any) -> None:
        """TAILQ_REMOVE."""
        prev, nxt = element.tq_prev, element.tq_next
        if prev is None:
            self.head = nxt
        else:
            prev.tq_next = nxt
        if nxt is None:
            self.tail = prev
        else:
            nxt.tq_prev = prev
        element.tq_prev = element.tq_next = None
        self.count -= 1
        if self.index is not None:
            del self.index[element.num]

    def move_to_tail(self, element: Any) -> None:
        """TAILQ_REMOVE then TAILQ_INSERT_TAIL: an LRU hit (nothing to do if it is the tail already)."""
        if element is self.tail:
            return
        prev, nxt = element.tq_prev, element.tq_next
        if prev is None:
            self.head = nxt
        else:
            prev.tq_next = nxt
        nxt.tq_prev = prev  # not the tail, so it has a next
        tail = self.tail
        element.tq_prev = tail
        element.tq_next = None
        tail.tq_next = element
        self.tail = element

    def check(self) -> list[str]:
        """Broken links: both directions must agree, the count and any index hold exactly the elements linked."""
        problems = []
        seen = 0
        prev = None
        element = self.head
        while element is not None and seen <= self.count:
            if element.tq_prev is not prev:
                problems.append(f"{element.num}: tq_prev does not point back")
            if self.index is not None and self.index.get(element.num) is not element:
                problems.append(f"{element.num}: linked but not indexed")
            prev, element = element, element.tq_next
            seen += 1
        if prev is not self.tail:
            problems.append("the tail is not the last linked element")
        if seen != self.count:
            problems.append(f"{seen} elements linked, count {self.count}")
        if self.index is not None and len(self.index) != self.count:
            problems.append(f"{len(self.index)} indexed, count {self.count}")
        return problems


class _Values:
    """A TailQ's elements as a view: iterable head first, and `reversed()` from the tail."""

    __slots__ = ("queue",)

    def __init__(self, queue: TailQ) -> None:
        self.queue = queue

    def __len__(self) -> int:
        return len(self.queue)

    def __iter__(self) -> Iterator[Any]:
        element = self.queue.head
        while element is not None:
            yield element
            element = element.tq_next

    def __reversed__(self) -> Iterator[Any]:
        element = self.queue.tail
        while element is not None:
            yield element
            element = element.tq_prev
