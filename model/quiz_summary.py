"""What a step did, in a few words and without naming its op: the state change a reverse question shows.

The summary is built from the events' kinds and data only (never their text, which repeats the op's
path or arguments), so the student has to work back from the effect to the cause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from model.events import Event
from model.vfs.page import runs

Phrase = Callable[[list[Event]], str]


def _n(events: list[Event], one: str, many: str) -> str:
    return one if len(events) == 1 else many.format(n=len(events))


def _pages(events: list[Event], what: str) -> str:
    pages = sorted({p for e in events for p in e.data.get("pages", [])})
    return f"page{'s' if len(pages) > 1 else ''} {runs(pages)} {what}" if pages else ""


def _result(events: list[Event]) -> str:
    errnos = [e.errno for e in events if e.errno]
    return f"the call fails with {errnos[-1]}" if errnos else ""


def _chains(events: list[Event]) -> str:
    chains = ", ".join(str(e.data["bucket"]) for e in events if "bucket" in e.data)
    return _n(events, "an entry entered", "{n} entries entered") + (f" (chain {chains})" if chains else "")


def _cpu_access(events: list[Event]) -> str:
    outcome = events[0].kind.split(".")[1]
    return ", ".join(f"{e.data['cache']}-cache {outcome} in set {e.data['set']}" for e in events if "cache" in e.data)


def _invalidated(events: list[Event]) -> str:
    by_cache = {c: sum(e.data.get("cache") == c for e in events) for c in ("I", "D")}
    counted = [("a" if n == 1 else str(n), c, "s" if n > 1 else "") for c, n in by_cache.items() if n]
    return ", ".join(f"{n} {c}-line{s} invalidated" for n, c, s in counted)


def _puffs(events: list[Event]) -> str:
    e = events[0]
    what = "an invalidation" if e.kind == "puffs.inval" else "a flush"
    if e.errno:
        return f"{what} that fails with {e.errno}"
    lo, hi = e.data.get("offlo", 0), e.data.get("offhi", 0)
    return f"{what} of bytes [{lo}, {hi or 'EOF'})"


def _proc_lookup(events: list[Event]) -> str:
    hits = [e for e in events if e.func == "d_lookup"]
    failed = [e for e in events if e.errno]
    parts = [_n(hits, "a dcache hit", "{n} dcache hits")] if hits else []
    return ", ".join([*parts, *(f"a lookup fails with {e.errno}" for e in failed[:1])])


def _numbers(events: list[Event], what: str) -> str:
    numbers = events[0].data.get("numbers", [])
    return f"{what} numbered " + ", ".join(f"{nr} in {ns}" for ns, nr in numbers)


def _flush_result(events: list[Event]) -> str:
    e = events[0]
    return f"cacheflush returns {e.ret}" + (f" with {e.errno}" if e.errno else "")


PHRASES: dict[str, Phrase] = {
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
    "proc.spawn": lambda es: _numbers(es, "a new process"),
    "proc.thread": lambda es: _numbers(es, "a new thread"),
    "proc.lookup": _proc_lookup,
    "proc.dentry.new": lambda es: _n(es, "a new dentry", "{n} new dentries"),
    "proc.hold": lambda es: "a dentry held",
    "proc.dput": lambda es: "a hold released",
    "proc.exit": lambda es: _n(es, "a task released", "{n} tasks released"),
    "proc.d_invalidate": lambda es: _n(es, "a dentry invalidated", "{n} dentries invalidated"),
    "proc.dentry.free": lambda es: _n(es, "a dentry freed", "{n} dentries freed"),
    "proc.release_mnt": lambda es: "a proc mount released",
    "cpu.hit": _cpu_access,
    "cpu.miss": _cpu_access,
    "cpu.evict": lambda es: _n(es, "a line evicted", "{n} lines evicted"),
    "cpu.store": lambda es: "a D-line made dirty",
    "cpu.load": lambda es: "a word loaded",
    "cpu.exec": lambda es: f"an instruction fetched (0x{es[0].data.get('bytes', '?')})",
    "cpu.stale_fetch": lambda es: "a stale fetch",
    "cpu.writeback": lambda es: _n(es, "a D-line written back", "{n} D-lines written back"),
    "cpu.invalidate": _invalidated,
    "cpu.cacheflush": _flush_result,
}
"""Kind -> phrase for the events of that kind in one step. Kinds not listed say nothing of their own."""

RESULT_KINDS = frozenset({"vfs.lookup", "vfs.open", "vfs.unlink", "vfs.create", "proc.open"})


def summarise(events: Sequence[Event]) -> str:
    """The step's effect in a few phrases, in the order things first happened; never the op's own words."""
    groups: dict[str, list[Event]] = {}
    for e in events:
        groups.setdefault(e.kind, []).append(e)
    phrases = [PHRASES[kind](group) for kind, group in groups.items() if kind in PHRASES]
    phrases.append(_result([e for e in events if e.kind in RESULT_KINDS]))
    text = "; ".join(p for p in phrases if p)
    return text or "nothing changed"
