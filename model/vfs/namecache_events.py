"""The name cache's most frequent events, built lazily: a lookup per path component makes one.

Each class keeps the ids, name and bucket of the entry it is about and formats its text, refs and data
only when they are read (`LazyEvent`); the text read later is the text of the moment it happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.events import LazyEvent
from model.vfs.nchash import MISS, NCHNAMLEN, namei_hash

if TYPE_CHECKING:
    from model.vfs.namecache_entry import NameCacheEntry


def _refs(eid: str, dvp: str, bucket: int, vp: str | None) -> tuple[str, ...]:
    return (eid, dvp, f"nchash {bucket}") if vp is None else (eid, dvp, f"nchash {bucket}", vp)


def _lookup_data(bucket: int, name: str) -> dict[str, Any]:
    return {"bucket": bucket, "hash": namei_hash(name), "name": name}


class _EntryEvent(LazyEvent):
    """An event about one entry. It keeps the entry's ids, name and bucket (strings and ints), never the
    objects: an event kept in the history must not keep a replaced copy of the machine alive."""

    __slots__ = ("bucket", "dvp", "name", "num", "vp", "whiteout")

    def __init__(self, entry: NameCacheEntry) -> None:
        vp = entry.vp
        self.num = entry.num
        self.dvp = entry.dvp.id
        self.name = entry.name
        self.bucket = entry.bucket
        self.vp = None if vp is None else vp.id
        self.whiteout = entry.whiteout

    @property
    def eid(self) -> str:
        return f"nc{self.num}"


class HitEvent(_EntryEvent):
    """cache_lookup found a positive entry (ncs_goodhits). The cache makes one per entry and hands the
    same one back at each hit while the entry lives: its ids cannot change meanwhile."""

    __slots__ = ()
    kind, explain, func, ret, errno = "namecache.hit", "", "cache_lookup", 0, None

    @property  # type: ignore[override]
    def changed(self) -> tuple[str, ...]:
        return (self.eid,)  # moved to the LRU tail

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        text = f"hit on {self.eid}: {self.name!r} -> {self.vp}; moved to the LRU tail"
        return text, _refs(self.eid, self.dvp, self.bucket, self.vp), _lookup_data(self.bucket, self.name)


class NegHitEvent(_EntryEvent):
    """cache_lookup found a negative entry (ncs_neghits): ENOENT without asking the file system."""

    __slots__ = ()
    kind, func, ret, errno = "namecache.neghit", "cache_lookup", None, "ENOENT"
    explain = "A negative entry answers 'no such file' without asking the file system."

    @property  # type: ignore[override]
    def changed(self) -> tuple[str, ...]:
        return (self.eid,)  # moved to the LRU tail

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        whiteout = " (ISWHITEOUT passed back)" if self.whiteout else ""
        text = f"negative hit on {self.eid}: {self.name!r} does not exist{whiteout}; moved to the LRU tail"
        return text, _refs(self.eid, self.dvp, self.bucket, None), _lookup_data(self.bucket, self.name)


class MissEvent(LazyEvent):
    """cache_lookup found nothing (ncs_miss): the caller asks the file system."""

    __slots__ = ("bucket", "dvp", "name")
    kind, func, ret, errno = "namecache.miss", "cache_lookup", MISS, None
    explain = "On a miss the caller asks the file system (VOP_LOOKUP)."

    def __init__(self, dvp: str, name: str, bucket: int) -> None:
        self.dvp = dvp
        self.name = name
        self.bucket = bucket  # the chain searched: NCHASH of (dvp, name)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        text = f"miss: no entry for ({self.dvp}, {self.name!r})"
        return text, (self.dvp, f"nchash {self.bucket}"), _lookup_data(self.bucket, self.name)


class LongNameEvent(MissEvent):
    """cache_lookup found nothing for a name longer than NCHNAMLEN (ncs_long): such names are never entered."""

    __slots__ = ("length",)
    kind = "namecache.long"
    explain = "Long names are rare and would waste space in every entry, so the cache refuses them."

    def __init__(self, dvp: str, name: str, bucket: int, length: int) -> None:
        super().__init__(dvp, name, bucket)
        self.length = length

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        _, refs, data = super().render()
        text = f"{self.name[:12]}… is {self.length} bytes, longer than NCHNAMLEN ({NCHNAMLEN}): never cached"
        return text, refs, data


class EnterSkippedEvent(LazyEvent):
    """cache_enter refused a name longer than NCHNAMLEN."""

    __slots__ = ("dvp", "name")
    kind, explain, func, ret, errno = "namecache.enter_skipped", "", "cache_enter", None, None

    def __init__(self, dvp: str, name: str) -> None:
        self.dvp = dvp
        self.name = name

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        return f"{self.name[:12]}… longer than NCHNAMLEN: not entered", (self.dvp,), {}


class EnterEvent(_EntryEvent):
    """cache_enter made an entry: at the LRU tail and the head of its chain."""

    __slots__ = ()
    kind, func, ret, errno = "namecache.enter", "cache_enter", None, None

    @property  # type: ignore[override]
    def explain(self) -> str:
        return "" if self.vp is not None else "A negative entry remembers that the name does not exist."

    @property  # type: ignore[override]
    def created(self) -> tuple[str, ...]:
        return (self.eid,)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        target = self.vp or ("negative (whiteout)" if self.whiteout else "negative")  # target_label()
        text = f"{self.eid}: ({self.dvp}, {self.name!r}) -> {target}, chain {self.bucket}"
        return text, _refs(self.eid, self.dvp, self.bucket, self.vp), {"bucket": self.bucket, "entry": self.eid}


class ReclaimEvent(_EntryEvent):
    """cache_enter at capacity: the LRU head is reused."""

    __slots__ = ("capacity",)
    kind, func, ret, errno = "namecache.reclaim", "cache_enter", None, None
    explain = "At its maximum size the cache reuses its least recently used entry."

    def __init__(self, capacity: int, victim: NameCacheEntry) -> None:  # only what `render` reads
        self.num = victim.num
        self.dvp = victim.dvp.id
        self.name = victim.name
        self.capacity = capacity

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        text = f"cache full ({self.capacity} entries): reusing the LRU head {self.eid} ({self.dvp}, {self.name!r})"
        return text, (self.eid,), {}


class RemoveEvent(_EntryEvent):
    """An entry taken off every list it was on (cache_remove), and why."""

    __slots__ = ("reason",)
    kind, explain, func, ret, errno = "namecache.remove", "", "", None, None

    def __init__(self, entry: NameCacheEntry, reason: str) -> None:  # _EntryEvent's, inlined: every LRU reuse
        vp = entry.vp
        self.num = entry.num
        self.dvp = entry.dvp.id
        self.name = entry.name
        self.bucket = entry.bucket
        self.vp = None if vp is None else vp.id
        self.whiteout = entry.whiteout
        self.reason = reason

    @property  # type: ignore[override]
    def removed(self) -> tuple[str, ...]:
        return (self.eid,)

    def render(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        text = f"{self.eid} ({self.dvp}, {self.name!r}) removed by {self.reason}"
        target = self.vp or ("⊘w" if self.whiteout else "⊘")
        return text, (self.eid,), {"bucket": self.bucket, "gone": {self.eid: f"{self.name!r} {self.dvp}→{target}"}}
