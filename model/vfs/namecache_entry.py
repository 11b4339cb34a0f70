"""`struct namecache`: one entry of the name cache, on the chains and lists `model.vfs.namecache` keeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from model.journal import JList, Journaled
from model.slotcopy import slots_deepcopy

if TYPE_CHECKING:
    from model.vfs.vnode import Vnode


class NameCacheEntry(Journaled):
    """`struct namecache`: one cached (directory, name) -> vnode binding, or a negative one.

    As in the kernel, an entry carries the links of every list it is on (nc_hash, nc_vhash, nc_lru,
    nc_dvlist, nc_vlist), so it costs one object and no container slots: under 300 bytes an entry.
    """

    __slots__ = (
        "bucket",
        "dv_next",
        "dv_prev",
        "dvp",
        "h_next",
        "h_prev",
        "hit",
        "name",
        "num",
        "tq_next",
        "tq_prev",
        "v_next",
        "v_prev",
        "vbucket",
        "vh_next",
        "vh_prev",
        "vp",
        "whiteout",
    )
    __deepcopy__ = slots_deepcopy  # System.copy (the quiz tries ops on a copy) copies every entry

    def __init__(self, num: int, dvp: Vnode, vp: Vnode | None, name: str, whiteout: bool, bucket: int) -> None:
        self.num = num
        self.dvp = dvp
        self.vp = vp
        self.name = name
        self.whiteout = whiteout
        self.bucket = bucket
        self.vbucket: int | None = None
        self.hit: Any = None  # its HitEvent, made on the first hit: the same for every hit while it lives
        self.tq_prev: NameCacheEntry | None = None  # LRU list (TAILQ_ENTRY nc_lru)
        self.tq_next: NameCacheEntry | None = None
        self.h_prev: NameCacheEntry | None = None  # nchashtbl chain (LIST_ENTRY nc_hash)
        self.h_next: NameCacheEntry | None = None
        self.vh_prev: NameCacheEntry | None = None  # ncvhashtbl chain (LIST_ENTRY nc_vhash)
        self.vh_next: NameCacheEntry | None = None
        self.dv_prev: NameCacheEntry | None = None  # the parent's v_dnclist (LIST_ENTRY nc_dvlist)
        self.dv_next: NameCacheEntry | None = None
        self.v_prev: NameCacheEntry | None = None  # the target's v_nclist (LIST_ENTRY nc_vlist)
        self.v_next: NameCacheEntry | None = None

    @property
    def id(self) -> str:
        return f"nc{self.num}"

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


def chain(head: NameCacheEntry | None, link: str) -> Iterator[NameCacheEntry]:
    """The entries of one intrusive list, from its head along the `link` attribute (h_next, vh_next,
    dv_next or v_next)."""
    entry = head
    while entry is not None:
        yield entry
        entry = getattr(entry, link)


def names_of(vp: Vnode) -> Iterator[NameCacheEntry]:
    """The cached names of a vnode: its v_nclist, newest first."""
    return chain(vp.v_nclist, "v_next")


def children_of(dvp: Vnode) -> Iterator[NameCacheEntry]:
    """The cached entries under a directory: its v_dnclist, newest first."""
    return chain(dvp.v_dnclist, "dv_next")


class ChainTable(Journaled):
    """A hash table of intrusive chains (nchashtbl, ncvhashtbl): one head per bucket, newest first.

    Indexing gives a bucket's chain as a list, so a panel or a test reads it like the kernel's
    LIST_FOREACH; the heads are what the cache changes.
    """

    __slots__ = ("heads", "link")

    def __init__(self, size: int, link: str) -> None:
        self.heads: JList = JList([None] * size)
        self.link = link

    def __len__(self) -> int:
        return len(self.heads)

    def __getitem__(self, bucket: int) -> list[NameCacheEntry]:
        return list(chain(self.heads[bucket], self.link))

    def __iter__(self) -> Iterator[list[NameCacheEntry]]:
        return (list(chain(head, self.link)) for head in self.heads)
