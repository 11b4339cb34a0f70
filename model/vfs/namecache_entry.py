"""`struct namecache`: one entry of the name cache, on the chains and lists `model.vfs.namecache` keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.journal import Journaled
from model.slotcopy import slots_deepcopy

if TYPE_CHECKING:
    from model.vfs.vnode import Vnode


class NameCacheEntry(Journaled):
    """`struct namecache`: one cached (directory, name) -> vnode binding, or a negative one."""

    __slots__ = ("bucket", "dvp", "id", "name", "num", "tq_next", "tq_prev", "vbucket", "vp", "whiteout")
    __deepcopy__ = slots_deepcopy  # System.copy (the quiz tries ops on a copy) copies every entry

    def __init__(self, num: int, dvp: Vnode, vp: Vnode | None, name: str, whiteout: bool, bucket: int) -> None:
        self.num = num
        self.id = f"nc{num}"  # kept, not a property: each lookup's events name the entry
        self.dvp = dvp
        self.vp = vp
        self.name = name
        self.whiteout = whiteout
        self.bucket = bucket
        self.vbucket: int | None = None
        self.tq_prev: NameCacheEntry | None = None  # links on the LRU list (TAILQ_ENTRY nc_lru)
        self.tq_next: NameCacheEntry | None = None

    @property
    def negative(self) -> bool:
        return self.vp is None

    def target_label(self) -> str:
        if self.vp is not None:
            return self.vp.id
        return "negative (whiteout)" if self.whiteout else "negative"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dvp": self.dvp.id,
            "name": self.name,
            "vp": self.vp.id if self.vp is not None else None,
            "whiteout": self.whiteout,
            "bucket": self.bucket,
            "vbucket": self.vbucket,
        }
