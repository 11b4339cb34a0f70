"""Name-cache panels: the nchashtbl chains and the LRU list, with what a step changed marked.

An entry the step made or moved is marked ◆ (its row highlighted, the entry underlined in its chain), a
chain it only searched is marked ◇, and an entry it removed stays one step as a ghost (✕), in its chain
and at the end of the LRU list, drawn from the removal event's label.
"""

from __future__ import annotations

from itertools import islice

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from model.vfs.namecache import NameCache
from model.vfs.namecache_entry import NameCacheEntry
from model.vfs.vfs import Vfs
from viz.palette import Palette
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._details import DetailsBar, DetailsOnSelect
from viz.panels._rows import GHOST, RowList
from viz.words import plural

TAIL_SCAN = 4096
"""How far from the LRU tail the entries a step touched are looked for (a hit or an enter puts them last)."""

NEGATIVE = "⊘"
"""Glyph of a negative entry (the name does not exist); a whiteout adds a 'w'."""

LEGENDS = (
    "◆ changed by this step · ◇ chain searched · ✕ removed · ⊘ negative entry (⊘w whiteout) · select a row",
    "◆ changed · ◇ searched · ✕ removed · ⊘ negative · ⊘w whiteout",
    "◆ changed ◇ searched ✕ removed ⊘ negative",
)


def entry_label(entry: NameCacheEntry, p: Palette, *, short: bool = False) -> Text:
    """`nc3 'usr' vp1→vp2`, or `nc4 'nope' vp3→⊘` for a negative entry; `short` leaves out the directory
    (`nc3 'usr' →vp2`), for narrow lists."""
    text = Text(f"{entry.id} ", style="bold")
    text.append(repr(entry.name), style=p.ok)
    text.append(" →" if short else f" {entry.dvp.id}→", style=p.muted)
    if entry.vp is None:
        text.append(NEGATIVE + ("w" if entry.whiteout else ""), style=f"bold {p.special}")
    else:
        text.append(entry.vp.id, style=p.info)
    return text


def ghost_label(ref: str, view: StepView, p: Palette, *, glyph: bool = True) -> Text:
    """`✕ nc2 'bin' vp2→vp3 purged`: an entry the step removed, as its removal event labels it (without the
    ✕ where the row's mark already shows it)."""
    event = view.removed[ref]
    how = "purged" if event.func.startswith(("cache_purge", "puffs")) or "cache_purge" in event.text else "removed"
    text = Text(f"{GHOST} {ref} " if glyph else f"{ref} ", style=f"bold {p.bad}")
    text.append(view.gone_label(ref), style=p.muted)
    text.append(f" {how}", style=f"italic {p.bad}")
    return text


def removed_entries(view: StepView) -> list[str]:
    """Entry ids the step removed, in the order it removed them."""
    return [ref for ref in view.removed if ref.startswith("nc") and ref[2:].isdigit()]


class ChainsView(RowList):
    """One row per nchashtbl bucket: its chain of entries, newest first, then any entry removed from it."""

    def __init__(self) -> None:
        super().__init__("nchashtbl chains", id="nc-chains")
        self.cache: NameCache | None = None
        self.view: StepView | None = None
        self.ghosts_in: dict[int, list[str]] = {}

    def row_count(self) -> int:
        return len(self.cache.nchashtbl) if self.cache else 0

    def row_text(self, index: int) -> Text:
        """`   7 │ nc7 'puffs' vp1→vp7 → nc3 'cc' vp3→vp4`; a chain too long for the width ends `… +2`,
        counting the entries not shown, and the entries the step changed are shown first if cut."""
        assert self.cache is not None and self.view is not None
        chain = self.cache.nchashtbl[index]
        room = (self.scrollable_content_region.width or 200) - 2
        text = Text(f"{index:>4} │ ", style=self.p.muted)
        ghosts = [ghost_label(ref, self.view, self.p) for ref in self.ghosts_in.get(index, ())]
        if not chain and not ghosts:
            text.append("·", style=self.p.muted)
        labels = []
        for entry in chain:
            label = entry_label(entry, self.p)
            if entry.id in self.view.changed:
                label.stylize("underline")
            labels.append(label)
        pieces = [*labels, *ghosts]
        for shown, label in enumerate(pieces):
            joint = (" → " if shown < len(labels) else "  ") if shown else ""
            rest = len(pieces) - shown - 1
            tail = f" … +{rest}" if rest else ""
            if text.cell_len + len(joint) + label.cell_len + len(tail) > room and shown:
                text.append(f" … +{len(pieces) - shown}", style=f"bold {self.p.muted}")
                break
            text.append(joint, style=self.p.muted)
            text.append_text(label)
        return text

    def row_ref(self, index: int) -> str | None:
        chain = self.cache.nchashtbl[index] if self.cache else []
        return chain[0].id if chain else None

    def update_from(self, cache: NameCache, view: StepView) -> None:
        self.cache, self.view = cache, view
        self.ghosts_in = {}
        for ref in removed_entries(view):
            bucket = view.removed[ref].data.get("bucket")
            if isinstance(bucket, int) and 0 <= bucket < len(cache.nchashtbl):
                self.ghosts_in.setdefault(bucket, []).append(ref)
        nums = {int(r[2:]) for r in view.changed if r.startswith("nc") and r[2:].isdigit()}
        changed = {entry.bucket for entry in cache.entries(nums).values()}
        changed |= self.ghosts_in.keys()
        searched = {int(r[7:]) for r in view.looked if r.startswith("nchash ") and r[7:].isdigit()}
        entries = f"{cache.numcache}/{cache.capacity}"
        self.set_titles(f"nchashtbl chains · {len(cache.nchashtbl)} buckets, {entries} entries",
                        f"chains · {entries} entries", f"chains {entries}", "chains")  # fmt: skip
        marked = changed or searched
        reveal = (min(marked), max(marked)) if marked else None
        self.reload(frozenset(changed), looked=frozenset(searched), reveal=reveal)


class LruView(RowList):
    """The LRU list, head (reused first) to tail (most recently used), then the entries the step removed."""

    def __init__(self) -> None:
        super().__init__("LRU list: head → tail", id="nc-lru")
        self.cache: NameCache | None = None
        self.view: StepView | None = None
        self.gone: list[str] = []
        self._window: tuple[int, list[NameCacheEntry]] = (0, [])

    def row_count(self) -> int:
        return (self.cache.numcache if self.cache else 0) + len(self.gone)

    def _entry(self, index: int) -> NameCacheEntry:
        """The index-th entry from the head, walking from whichever end is nearer."""
        assert self.cache is not None
        start, window = self._window
        if not start <= index < start + len(window):
            count = self.cache.numcache
            start = max(0, index - 32)
            size = min(96, count - start)
            if start < count - (start + size):
                window = list(islice(self.cache.lru.values(), start, start + size))
            else:
                tail = list(islice(reversed(self.cache.lru.values()), count - start - size, count - start))
                window = tail[::-1]
            self._window = (start, window)
        return window[index - start]

    def row_text(self, index: int) -> Text:
        assert self.cache is not None and self.view is not None
        count = self.cache.numcache
        if index >= count:
            return ghost_label(self.gone[index - count], self.view, self.p, glyph=False)
        entry = self._entry(index)
        position = "head" if index == 0 else ("tail" if index == count - 1 else "")
        text = Text(f"{position:>4} ", style=f"bold {self.p.warn}" if position else "")
        label = entry_label(entry, self.p)
        if text.cell_len + label.cell_len > (self.scrollable_content_region.width or 200) - 2:
            label = entry_label(entry, self.p, short=True)
        text.append_text(label)
        return text

    def row_ref(self, index: int) -> str | None:
        if not self.cache or index >= self.row_count():
            return None
        return self._entry(index).id if index < self.cache.numcache else self.gone[index - self.cache.numcache]

    def update_from(self, cache: NameCache, view: StepView) -> None:
        self.cache, self.view = cache, view
        self._window = (0, [])
        self.gone = removed_entries(view)
        changed = {r for r in view.changed if r.startswith("nc")}
        rows: set[int] = set()
        if changed:  # hits and new entries go to the tail: look there, not through the whole list
            last = cache.numcache - 1
            for back, entry in enumerate(islice(reversed(cache.lru.values()), TAIL_SCAN)):
                if entry.id in changed:
                    rows.add(last - back)
        ghosts = frozenset(range(cache.numcache, cache.numcache + len(self.gone)))
        self.set_titles("LRU list: head (reused first) → tail", "LRU: head → tail", "LRU")
        marked = rows | ghosts
        reveal = (min(marked), max(marked)) if marked else None
        self.reload(frozenset(rows), ghosts=ghosts, reveal=reveal)


def lesson(view: StepView) -> tuple[str, ...]:
    """The step's name-cache numbers: lookups that hit and missed, entries made, entries purged or removed."""
    kinds = [e.kind for e in view.events if e.kind.startswith("namecache.")]
    if not kinds:
        return ()
    hits = sum(k in ("namecache.hit", "namecache.neghit") for k in kinds)
    misses = sum(k in ("namecache.miss", "namecache.long", "namecache.badhit", "namecache.falsehit") for k in kinds)
    entered = kinds.count("namecache.enter")
    purged = sum(e.data.get("entries", 0) for e in view.events if e.kind in ("namecache.purge", "namecache.purgevfs"))
    removed = kinds.count("namecache.remove")
    words = [
        plural(hits, "hit") if hits else "",
        plural(misses, "miss") if misses else "",
        f"{entered} entered" if entered else "",
        f"{purged} purged" if purged else (f"{removed} removed" if removed else ""),
    ]
    parts = [w for w in words if w]
    if any(k in ("namecache.purge", "namecache.purgevfs") for k in kinds) and not purged:
        parts.append("0 purged")
    return (" · ".join(parts), " ".join(parts).replace(" entered", "+").replace(" purged", "✕")) if parts else ()


class NameCachePanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """The name cache: chains beside the LRU list, and the details of the selected entry."""

    TAB_TITLE = "namecache"
    LEGEND = "◆ changed by this step · ◇ chain searched, nothing changed · ✕ removed (shown one step) · ⊘ negative "\
             "entry (⊘w: whiteout) · head/tail of the LRU list"  # fmt: skip
    PART = "vfs"
    DEFAULT_CSS = """
    NameCachePanel { height: 1fr; }
    NameCachePanel > Horizontal { height: 1fr; }
    NameCachePanel ChainsView { width: 3fr; }
    NameCachePanel LruView { width: 2fr; margin-left: 1; }
    NameCachePanel.-stacked > Horizontal { layout: vertical; }
    NameCachePanel.-stacked ChainsView { width: 1fr; height: 3fr; }
    NameCachePanel.-stacked LruView { width: 1fr; height: 2fr; margin-left: 0; }
    """
    STACK_BELOW = 72
    """Below this width the LRU list goes under the chains instead of beside them."""

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.STACK_BELOW, "-stacked")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield ChainsView()
            yield LruView()
        yield DetailsBar(*LEGENDS)

    def show(self, view: StepView) -> None:
        vfs: Vfs = view.system.part("vfs")
        self.query_one(ChainsView).update_from(vfs.namecache, view)
        self.query_one(LruView).update_from(vfs.namecache, view)
        self.query_one(DetailsBar).show(view)

    def lesson(self, view: StepView) -> tuple[str, ...]:
        return lesson(view)
