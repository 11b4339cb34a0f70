"""The page-cache panel: per file, the kernel's pages over the file server's copy, and the last range.

Each page is a two-character cell: a state glyph and the data version the page holds. Rows are laid
out per file in chunks of pages and rendered one visible line at a time, so a file of a million
pages costs only what is on screen.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from model.vfs.page import CLEAN, DIRTY, QUEUED, ZERO
from model.vfs.pagecache import PageCache
from model.vfs.vfs import Vfs
from viz.panels._base import StepView, SubsystemPanel
from viz.panels._details import DetailsBar, DetailsOnSelect
from viz.panels._rows import RowList

PAGE_GLYPHS = {
    "absent": ("·", "dim"),
    CLEAN: ("░", "ok"),
    DIRTY: ("▓", "warn"),
    QUEUED: ("⇢", "info"),
    "lost": ("✗", "bad"),
}
"""Glyph and colour role of each page state; 'lost' marks pages whose dirty data this step dropped."""

PAGES_PER_ROW = 16
LABEL = 10


@dataclass(frozen=True, slots=True)
class FileRows:
    """How one file is laid out: header, then kernel/server row pairs, then range rows if it has one."""

    vnode: str
    path: str
    npages: int
    range: dict | None

    @property
    def chunks(self) -> int:
        return max(1, -(-self.npages // PAGES_PER_ROW))

    @property
    def rows(self) -> int:
        return 1 + 2 * self.chunks + (2 if self.range else 0)


class PageStrips(RowList):
    """The strips of every file with cached pages."""

    def __init__(self) -> None:
        super().__init__("page cache: kernel ▸ server", id="page-strips")
        self.cache: PageCache | None = None
        self.files: list[FileRows] = []
        self.starts: list[int] = []
        self.lost: dict[str, set[int]] = {}
        self.keys: dict[str, tuple[str, int]] = {}
        self.total = 0
        self._layout: dict[str, tuple[tuple[int, int, int], str, int]] = {}  # vnode -> (signature, path, pages)
        self._laid_out_for: PageCache | None = None
        self._position = -1

    def row_count(self) -> int:
        return self.total

    def _locate(self, index: int) -> tuple[FileRows, int]:
        position = bisect_right(self.starts, index) - 1
        return self.files[position], index - self.starts[position]

    def row_ref(self, index: int) -> str | None:
        return self._locate(index)[0].vnode if self.files else None

    def row_text(self, index: int) -> Text:
        file, offset = self._locate(index)
        assert self.cache is not None
        if offset == 0:
            return self._header(file)
        offset -= 1
        if offset < 2 * file.chunks:
            chunk, server = divmod(offset, 2)
            first = chunk * PAGES_PER_ROW
            pages = range(first, min(first + PAGES_PER_ROW, max(file.npages, 1)))
            return self._server_row(file, pages) if server else self._kernel_row(file, pages, chunk)
        return self._range_row(file, offset - 2 * file.chunks)

    def _header(self, file: FileRows) -> Text:
        assert self.cache is not None
        size = self.cache.sizes.get(file.vnode, 0)
        pending = sum(1 for r in self.cache.queue if r.vnode == file.vnode)
        text = Text(f"{file.vnode} ", style="bold")
        text.append(file.path, style=self.p.info)
        text.append(f"  size {size} ({file.npages} pages)", style="dim")
        if pending:
            text.append(f"  {pending} writes queued", style=self.p.info)
        if file.range:
            r = file.range
            text.append(f"  asked [{r['start']}, {r['end'] or 'EOF'}) → [{r['offlo']}, {r['offhi'] or 'EOF'})",
                        style=f"bold {self.p.special}")  # fmt: skip
        return text

    def _kernel_row(self, file: FileRows, pages: range, chunk: int) -> Text:
        assert self.cache is not None
        cached = self.cache.pages.get(file.vnode, {})
        lost = self.lost.get(file.vnode, set())
        text = Text(f"{'kernel' if chunk == 0 else '':<{LABEL - 3}}{pages.start:>3}", style="dim")
        text.append(" ")
        for index in pages:
            page = cached.get(index)
            if index in lost:
                glyph, style = self._cell_style("lost")
                text.append(f"{glyph} {glyph} ", style=style)
            elif page is None:
                glyph, style = self._cell_style("absent")
                text.append(f" {glyph}  ", style=style)
            else:
                glyph, style = self._cell_style(page.state)
                text.append(f"{glyph}{page.version}{glyph} ", style=style)
        return text

    def _cell_style(self, state: str) -> tuple[str, str]:
        glyph, role = PAGE_GLYPHS[state]
        colour = getattr(self.p, role, role)
        return glyph, colour if state in ("absent", "clean") else f"bold {colour}"

    def _server_row(self, file: FileRows, pages: range) -> Text:
        assert self.cache is not None
        node = self.keys.get(file.vnode)
        server = self.cache.server.get(node) if node else None
        cached = self.cache.pages.get(file.vnode, {})
        text = Text(f"{'server':<{LABEL}} ", style="dim")
        for index in pages:
            version = server.pages.get(index, ZERO) if server else ZERO
            page = cached.get(index)
            differs = page is not None and page.version != version
            text.append(f"{'≠' if differs else ' '}{version}  ", style=f"bold {self.p.bad}" if differs else "")
        return text

    def _range_row(self, file: FileRows, which: int) -> Text:
        """The asked range (━ whole page, ╍ part of a page) or the rounded one (═), on the row of its start."""
        r = file.range or {}
        size = self.cache.page_size if self.cache else 4096
        first = (r["offlo"] // size) // PAGES_PER_ROW * PAGES_PER_ROW
        text = Text(f"{'asked' if which == 0 else 'rounded':<{LABEL - 3}}{first:>3} ", style=f"bold {self.p.special}")
        for index in range(first, min(first + PAGES_PER_ROW, max(file.npages, 1))):
            lo, hi = index * size, (index + 1) * size
            if which == 0:
                end = r["end"] or max(file.npages * size, hi)
                covered = max(0, min(hi, end) - max(lo, r["start"]))
                mark = "━━━ " if covered == size else ("╍╍╍ " if covered else "    ")
            else:
                end = r["offhi"] or file.npages * size
                mark = "═══ " if r["offlo"] <= lo and hi <= end else "    "
            text.append(mark, style=self.p.special)
        return text

    def update_from(self, vfs: Vfs, view: StepView) -> None:
        cache = vfs.pagecache
        self.cache = cache
        ranges = {e.data["vnode"]: e.data for e in view.events if e.kind in ("puffs.flush", "puffs.inval")
                  and e.errno is None and "vnode" in e.data}  # fmt: skip
        self.lost = {}
        for event in view.events:
            if event.kind == "page.lost":
                self.lost.setdefault(event.refs[0], set()).update(event.data.get("pages", []))
        self.keys = {}
        self.files, self.starts, total = [], [], 0
        if cache is not self._laid_out_for or view.position != self._position + 1:  # not one step on: a jump
            self._layout = {}
            self._laid_out_for = cache
        self._position = view.position
        refs = view.refs
        for vnode, pages in cache.pages.items():
            vp = vfs.vnodes.get(vnode)
            key = vfs.file_of(vp) if vp is not None else None
            if key is None:
                continue
            self.keys[vnode] = key
            server = cache.server.get(key)
            signature = (len(pages), cache.sizes.get(vnode, 0), len(server.pages) if server else -1)
            known = self._layout.get(vnode)
            if known is None or known[0] != signature or vnode in refs:  # only files the step changed
                npages = max(-(-signature[1] // cache.page_size), max(pages, default=-1) + 1,
                             max(server.pages, default=-1) + 1 if server else 0)  # fmt: skip
                known = self._layout[vnode] = (signature, vfs.path_of(vp), npages)
            row = FileRows(vnode, known[1], known[2], ranges.get(vnode))
            self.files.append(row)
            self.starts.append(total)
            total += row.rows
        self.total = total
        touched = [self.starts[i] for i, f in enumerate(self.files) if f.vnode in view.refs]
        self.border_subtitle = f"page size {cache.page_size}, {len(cache.queue)} writes queued"
        self.reload(frozenset(touched), reveal=touched[0] if touched else None)


class PageCachePanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """Page strips for every cached file, and the details of the selected file."""

    TAB_TITLE = "pagecache"
    LEGEND = (
        "· absent · ░A░ clean · ▓B▓ dirty · ⇢A⇢ queued for write · ✗ lost this step · ≠ server differs · "
        "━/╍ asked range (whole/part page) · ═ rounded range"
    )
    PART = "pagecache"
    DEFAULT_CSS = "PageCachePanel { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield PageStrips()
        yield DetailsBar("·  absent   ░ clean   ▓ dirty   ⇢ queued for write   ✗ lost this step;  "
                         "the letter is the data version; ≠ marks a server page that differs")  # fmt: skip

    def show(self, view: StepView) -> None:
        self.query_one(PageStrips).update_from(view.system.part("vfs"), view)
        self.query_one(DetailsBar).show(view.system)
