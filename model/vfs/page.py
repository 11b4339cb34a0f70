"""A cached page of a file, its states, and the helpers that count and name pages (§4)."""

from __future__ import annotations

from typing import Any

from model.events import Event
from model.journal import Journaled
from model.slotcopy import slots_deepcopy

CLEAN, DIRTY, QUEUED = "clean", "dirty", "queued"
"""Page states; an absent page has no Page object at all."""

ZERO = "·"
"""Version letter of a page never written (zeros, a hole)."""


def trunc_page(offset: int, page_size: int) -> int:
    return offset - offset % page_size


def round_page(offset: int, page_size: int) -> int:
    return -(-offset // page_size) * page_size


def merge_interval(intervals: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Add [lo, hi) to a sorted list of disjoint intervals, merging overlaps."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted([*intervals, (lo, hi)]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


class Page(Journaled):
    """One cached page: its state, the data version it holds, and which bytes are not on the server yet."""

    __slots__ = ("dirty", "request", "state", "version")
    __deepcopy__ = slots_deepcopy  # System.copy (the quiz tries ops on a copy) copies every page

    def __init__(self, state: str, version: str) -> None:
        self.state = state
        self.version = version
        self.dirty: tuple[tuple[int, int], ...] = ()  # byte ranges within the page written since last clean
        self.request = 0  # serial of the write request carrying this page's data while it is QUEUED

    @property
    def dirty_bytes(self) -> int:
        return sum(hi - lo for lo, hi in self.dirty)


def page_event(
    kind: str,
    vnode: str,
    pages: list[int],
    text: str,
    *,
    func: str,
    explain: str = "",
    ret: int | None = None,
    effect: str = "",
    **data: Any,
) -> Event:
    """An event about some pages of a vnode: they are its refs (``page vp4:2``) and its data's `pages`;
    `effect` ("created", "changed" or "removed") says what the event did to those pages."""
    ids = page_refs(vnode, pages)
    effects = {effect: ids} if effect else {}
    return Event(kind, text, refs=(vnode, *ids), explain=explain, func=func, ret=ret,
                 data={"pages": pages, **data}, **effects)  # fmt: skip


def page_refs(vnode: str, pages: list[int]) -> tuple[str, ...]:
    """The ids of some pages of a vnode: ``page vp4:2``."""
    return tuple(f"page {vnode}:{i}" for i in pages)


def runs(indexes: list[int]) -> str:
    """Compact page lists: [0, 1, 2, 5] -> '0-2, 5'."""
    runs: list[list[int]] = []
    for index in sorted(indexes):
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
