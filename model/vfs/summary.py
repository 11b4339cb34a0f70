"""The VFS's phrases for the reverse-quiz summary of a step: what its events did, without the op's words."""

from __future__ import annotations

from model.events import Event
from model.parts import Summary
from model.quiz.summary import count_phrase as _n
from model.vfs.page import runs


def _pages(events: list[Event], what: str) -> str:
    pages = sorted({p for e in events for p in e.data.get("pages", [])})
    return f"page{'s' if len(pages) > 1 else ''} {runs(pages)} {what}" if pages else ""


def _chains(events: list[Event]) -> str:
    chains = ", ".join(str(e.data["bucket"]) for e in events if "bucket" in e.data)
    return _n(events, "an entry entered", "{n} entries entered") + (f" (chain {chains})" if chains else "")


def _puffs(events: list[Event]) -> str:
    e = events[0]
    what = "an invalidation" if e.kind == "puffs.inval" else "a flush"
    if e.errno:
        return f"{what} that fails with {e.errno}"
    lo, hi = e.data.get("offlo", 0), e.data.get("offhi", 0)
    return f"{what} of bytes [{lo}, {hi or 'EOF'})"


SUMMARY = Summary(
    phrases={
        "namecache.hit": lambda es: _n(es, "a cache hit", "{n} cache hits"),
        "namecache.neghit": lambda es: _n(es, "a negative hit", "{n} negative hits"),
        "namecache.miss": lambda es: _n(es, "a cache miss", "{n} cache misses"),
        "namecache.long": lambda es: _n(es, "a name too long to cache", "{n} names too long to cache"),
        "namecache.badhit": lambda es: _n(es, "an entry hit and removed", "{n} entries hit and removed"),
        "namecache.enter": _chains,
        "namecache.reclaim": lambda es: _n(es, "the LRU head reused", "the LRU head reused {n} times"),
        "namecache.remove": lambda es: _n(es, "an entry removed", "{n} entries removed"),
        "vfs.vop_lookup": lambda es: _n(es, "VOP_LOOKUP asked once", "VOP_LOOKUP asked {n} times"),
        "vfs.create": lambda es: "a file created",
        "vfs.remove": lambda es: "a name removed from its directory",
        "vnode.new": lambda es: _n(es, "a new vnode", "{n} new vnodes"),
        "vnode.recycle": lambda es: _n(es, "a vnode recycled", "{n} vnodes recycled"),
        "vnode.reclaim": lambda es: _n(es, "a vnode reclaimed", "{n} vnodes reclaimed"),
        "vnode.inactive": lambda es: _n(es, "a vnode to the free list", "{n} vnodes to the free list"),
        "vnode.vget": lambda es: _n(es, "a vnode off the free list", "{n} vnodes off the free list"),
        "vnode.space_freed": lambda es: "a deleted file's space freed",
        "page.dirty": lambda es: _pages(es, "made dirty"),
        "page.fill": lambda es: _pages(es, "filled from the server"),
        "page.hit": lambda es: _pages(es, "found cached"),
        "page.inval": lambda es: _pages(es, "freed"),
        "page.queued": lambda es: _pages(es, "queued for writing"),
        "page.lost": lambda es: f"{sum(e.data.get('bytes', 0) for e in es)} bytes lost",
        "page.written": lambda es: _n(es, "a queued write served", "{n} queued writes served"),
        "puffs.inval": _puffs,
        "puffs.flush": _puffs,
    },
    results=frozenset({"vfs.lookup", "vfs.open", "vfs.unlink", "vfs.create"}),
)
"""Kind -> phrase for the VFS's events; kinds not listed say nothing of their own."""
