"""Name-cache panels: the nchashtbl chains and the LRU list, with the entries a step touched marked."""

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
from viz.panels._rows import RowList

TAIL_SCAN = 4096
"""How far from the LRU tail the entries a step touched are looked for (a hit or an enter puts them last)."""

NEGATIVE = "⊘"
"""Glyph of a negative entry (the name does not exist); a whiteout adds a 'w'."""


def entry_label(entry: NameCacheEntry, p: Palette) -> Text:
    """`nc3 'usr' vp1→vp2`, or `nc4 'nope' vp3→⊘` for a negative entry."""
    text = Text(f"{entry.id} ", style="bold")
    text.append(repr(entry.name), style=p.ok)
    text.append(f" {entry.dvp.id}→", style="dim")
    if entry.vp is None:
        text.append(NEGATIVE + ("w" if entry.whiteout else ""), style=f"bold {p.special}")
    else:
        text.append(entry.vp.id, style=p.info)
    return text


def touched_entries(view: StepView) -> frozenset[str]:
    """Entry ids the step's namecache events name."""
    return frozenset(r for e in view.events if e.kind.startswith("namecache.") for r in e.refs if r.startswith("nc"))


def probed_buckets(view: StepView) -> frozenset[int]:
    """nchashtbl buckets the step's cache_lookup/cache_enter events probed."""
    return frozenset(
        e.data["bucket"] for e in view.events if e.func in ("cache_lookup", "cache_enter") and "bucket" in e.data
    )


class ChainsView(RowList):
    """One row per nchashtbl bucket: its chain of entries, newest first."""

    def __init__(self) -> None:
        super().__init__("nchashtbl chains", id="nc-chains")
        self.cache: NameCache | None = None
        self.touched: frozenset[str] = frozenset()

    def row_count(self) -> int:
        return len(self.cache.nchashtbl) if self.cache else 0

    def row_text(self, index: int) -> Text:
        assert self.cache is not None
        chain = self.cache.nchashtbl[index]
        text = Text(f"{index:>4} │ ", style="dim")
        if not chain:
            text.append("·", style="dim")
        for position, entry in enumerate(chain):
            if position:
                text.append(" → ", style="dim")
            label = entry_label(entry, self.p)
            if entry.id in self.touched:
                label.stylize("underline")
            text.append_text(label)
        return text

    def row_ref(self, index: int) -> str | None:
        chain = self.cache.nchashtbl[index] if self.cache else []
        return chain[0].id if chain else None

    def update_from(self, cache: NameCache, view: StepView) -> None:
        self.cache = cache
        self.touched = touched_entries(view)
        buckets = probed_buckets(view)
        self.border_subtitle = f"{len(cache.nchashtbl)} buckets, {cache.numcache}/{cache.capacity} entries"
        self.reload(buckets, reveal=min(buckets) if buckets else None)


class LruView(RowList):
    """The LRU list, head (reused first) to tail (most recently used)."""

    def __init__(self) -> None:
        super().__init__("LRU list: head → tail", id="nc-lru")
        self.cache: NameCache | None = None
        self._window: tuple[int, list[NameCacheEntry]] = (0, [])

    def row_count(self) -> int:
        return self.cache.numcache if self.cache else 0

    def _entry(self, index: int) -> NameCacheEntry:
        """The index-th entry from the head, walking from whichever end is nearer."""
        assert self.cache is not None
        start, window = self._window
        if not start <= index < start + len(window):
            count = self.row_count()
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
        entry = self._entry(index)
        position = "head" if index == 0 else ("tail" if index == self.row_count() - 1 else "")
        text = Text(f"{position:>4} ", style=f"bold {self.p.warn}" if position else "dim")
        text.append_text(entry_label(entry, self.p))
        return text

    def row_ref(self, index: int) -> str | None:
        return self._entry(index).id if self.cache and index < self.row_count() else None

    def update_from(self, cache: NameCache, view: StepView) -> None:
        self.cache = cache
        self._window = (0, [])
        touched = touched_entries(view)
        rows: set[int] = set()
        if touched:  # hits and new entries go to the tail: look there, not through the whole list
            last = cache.numcache - 1
            for back, entry in enumerate(islice(reversed(cache.lru.values()), TAIL_SCAN)):
                if entry.id in touched:
                    rows.add(last - back)
        self.reload(frozenset(rows), reveal=max(rows) if rows else None)


class NameCachePanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """The name cache: chains beside the LRU list, and the details of the selected entry."""

    TAB_TITLE = "namecache"
    LEGEND = "⊘ negative entry (⊘w: whiteout) · ◆ touched by this step · head/tail of the LRU list"
    PART = "vfs"
    DEFAULT_CSS = """
    NameCachePanel { height: 1fr; }
    NameCachePanel > Horizontal { height: 1fr; }
    NameCachePanel ChainsView { width: 3fr; }
    NameCachePanel LruView { width: 2fr; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield ChainsView()
            yield LruView()
        yield DetailsBar("Select an entry (click, or arrows + enter) to see it here; ⊘ marks a negative entry.")

    def show(self, view: StepView) -> None:
        vfs: Vfs = view.system.part("vfs")
        self.query_one(ChainsView).update_from(vfs.namecache, view)
        self.query_one(LruView).update_from(vfs.namecache, view)
        self.query_one(DetailsBar).show(view.system)
