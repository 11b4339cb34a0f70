"""The page-cache panel: per file, the kernel's pages over the file server's copy, and the last range.

Each page is a cell: a state glyph around the data version the page holds. Rows are laid out per file in
chunks of as many pages as the width holds, and rendered one visible line at a time, so a file of a
million pages costs only what is on screen. A page the step removed stays one step as a ghost cell:
✗ when its dirty data was lost, ✕ when it was freed without loss.
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
from viz.words import plural

PAGE_GLYPHS = {
    "absent": ("·", "muted"),
    CLEAN: ("░", "ok"),
    DIRTY: ("▓", "warn"),
    QUEUED: ("⇢", "info"),
    "lost": ("✗", "bad"),
    "freed": ("✕", "muted"),
}
"""Glyph and colour role of each page state; 'lost' and 'freed' mark pages this step dropped."""

LABEL = 10
CELL = 4
MIN_PAGES, MAX_PAGES = 4, 32
LEGENDS = (
    "· absent ░A░ clean ▓B▓ dirty ⇢A⇢ queued ✗ lost ✕ freed (this step) ≠ server differs ━╍ asked ═ rounded",
    "· absent ░ clean ▓ dirty ⇢ queued ✗ lost ✕ freed ≠ server differs",
    "░ clean ▓ dirty ⇢ queued ✗ lost ✕ freed ≠ differs",
)


def pages_per_row(width: int) -> int:
    """How many page cells a row of `width` columns holds (after the mark and the label)."""
    return max(MIN_PAGES, min(MAX_PAGES, (width - 2 - LABEL - 1) // CELL))


@dataclass(frozen=True, slots=True)
class FileRows:
    """How one file is laid out: header, then kernel/server row pairs, then range rows if it has one."""

    vnode: str
    path: str
    npages: int
    range: dict | None
    per_row: int

    @property
    def chunks(self) -> int:
        return max(1, -(-self.npages // self.per_row))

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
        self.dropped: dict[str, dict[int, tuple[str, str]]] = {}  # vnode -> page -> (lost|freed, version)
        self.keys: dict[str, tuple[str, int]] = {}
        self.total = 0
        self.per_row = 16
        self._layout: dict[str, tuple[tuple[int, int, int], str, int]] = {}  # vnode -> (signature, path, pages)
        self._laid_out_for: PageCache | None = None
        self._position = -1
        self._last: tuple[Vfs, StepView] | None = None

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
            first = chunk * file.per_row
            pages = range(first, min(first + file.per_row, max(file.npages, 1)))
            return self._server_row(file, pages) if server else self._kernel_row(file, pages, chunk)
        return self._range_row(file, offset - 2 * file.chunks)

    def _header(self, file: FileRows) -> Text:
        assert self.cache is not None
        size = self.cache.sizes.get(file.vnode, 0)
        pending = sum(1 for r in self.cache.queue if r.vnode == file.vnode)
        text = Text(f"{file.vnode} ", style="bold")
        text.append(file.path, style=self.p.info)
        text.append(f"  {size} bytes, {plural(file.npages, 'page')}", style=self.p.muted)
        if pending:
            text.append(f", {pending} queued", style=self.p.info)
        return text

    def _kernel_row(self, file: FileRows, pages: range, chunk: int) -> Text:
        assert self.cache is not None
        cached = self.cache.pages.get(file.vnode, {})
        dropped = self.dropped.get(file.vnode, {})
        text = Text(f"{'kernel' if chunk == 0 else '':<{LABEL - 3}}{pages.start:>3}", style=self.p.muted)
        text.append(" ")
        for index in pages:
            page = cached.get(index)
            if page is None and index in dropped:
                how, version = dropped[index]
                glyph, style = self._cell_style(how)
                text.append(f"{glyph}{version}{glyph} ", style=style)
            elif page is None:
                glyph, style = self._cell_style("absent")
                text.append(f" {glyph}  ", style=style)
            else:
                glyph, style = self._cell_style(page.state)
                text.append(f"{glyph}{page.version}{glyph} ", style=style)
        return text

    def _cell_style(self, state: str) -> tuple[str, str]:
        glyph, role = PAGE_GLYPHS[state]
        colour = getattr(self.p, role)
        return glyph, colour if state in ("absent", "clean", "freed") else f"bold {colour}"

    def _server_row(self, file: FileRows, pages: range) -> Text:
        assert self.cache is not None
        node = self.keys.get(file.vnode)
        server = self.cache.server.get(node) if node else None
        cached = self.cache.pages.get(file.vnode, {})
        text = Text(f"{'server':<{LABEL}} ", style=self.p.muted)
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
        first = (r["offlo"] // size) // file.per_row * file.per_row
        text = Text(f"{'asked' if which == 0 else 'rounded':<{LABEL - 3}}{first:>3} ", style=f"bold {self.p.special}")
        for index in range(first, min(first + file.per_row, max(file.npages, 1))):
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

    def on_resize(self) -> None:
        super().on_resize()
        per_row = pages_per_row(self.size.width)
        if per_row != self.per_row and self._last is not None:
            self.update_from(*self._last, relayout=True)

    def update_from(self, vfs: Vfs, view: StepView, *, relayout: bool = False) -> None:
        self._last = (vfs, view)
        if self.size.width:
            self.per_row = pages_per_row(self.size.width)
        cache = vfs.pagecache
        self.cache = cache
        ranges = {e.data["vnode"]: e.data for e in view.events if e.kind in ("puffs.flush", "puffs.inval")
                  and e.errno is None and "vnode" in e.data}  # fmt: skip
        self.dropped = {}
        for event in view.events:
            versions = event.data.get("versions", {})
            for ref in event.removed:
                vnode, _, index = ref.removeprefix("page ").partition(":")
                if index.isdigit():
                    self.dropped.setdefault(vnode, {})[int(index)] = ("freed", versions.get(int(index), " "))
        for event in view.events:
            if event.kind == "page.lost" and event.refs:
                dropped = self.dropped.setdefault(event.refs[0], {})
                for index in event.data.get("pages", ()):
                    dropped[index] = ("lost", dropped.get(index, ("", " "))[1])
        self.keys = {}
        self.files, self.starts, total = [], [], 0
        if relayout or cache is not self._laid_out_for or view.position != self._position + 1:  # a jump
            self._layout = {}
            self._laid_out_for = cache
        self._position = view.position
        changed_files = {r.removeprefix("page ").partition(":")[0] for r in (*view.changed, *view.removed)}
        changed_files |= {r for r in view.changed if r.startswith("vp")}
        for vnode, pages in cache.pages.items():
            vp = vfs.vnodes.get(vnode)
            key = vfs.file_of(vp) if vp is not None else None
            if key is None:
                continue
            self.keys[vnode] = key
            server = cache.server.get(key)
            signature = (len(pages), cache.sizes.get(vnode, 0), len(server.pages) if server else -1)
            known = self._layout.get(vnode)
            if known is None or known[0] != signature or vnode in view.refs:  # only files the step changed
                npages = max(-(-signature[1] // cache.page_size), max(pages, default=-1) + 1,
                             max(server.pages, default=-1) + 1 if server else 0,
                             max(self.dropped.get(vnode, {}), default=-1) + 1)  # fmt: skip
                known = self._layout[vnode] = (signature, vfs.path_of(vp), npages)
            row = FileRows(vnode, known[1], known[2], ranges.get(vnode), self.per_row)
            self.files.append(row)
            self.starts.append(total)
            total += row.rows
        self.total = total
        touched = [self.starts[i] for i, f in enumerate(self.files) if f.vnode in changed_files]
        named = [self.starts[i] for i, f in enumerate(self.files) if f.vnode in view.refs]
        queued = len(cache.queue)
        self.set_titles(f"page cache: kernel ▸ server · page size {cache.page_size}, {queued} writes queued",
                        f"pages: kernel ▸ server · {queued} queued", f"pages · {queued} queued", "pages")  # fmt: skip
        reveal = touched[0] if touched else (named[0] if named else None)
        self.reload(frozenset(touched), looked=frozenset(named), reveal=reveal)


def lesson(view: StepView) -> tuple[str, ...]:
    """The step's page-cache numbers: bytes lost, the range acted on, pages queued, dirtied or filled."""
    events = [e for e in view.events if e.kind.startswith(("page.", "puffs."))]
    if not events:
        return ()
    parts: list[str] = []
    for event in events:
        if event.kind in ("puffs.flush", "puffs.inval") and event.errno is not None:
            parts.append(f"{event.kind.removeprefix('puffs.')} = -1 {event.errno}")
        elif event.kind in ("puffs.flush", "puffs.inval") and "offlo" in event.data:
            d = event.data
            parts.append(f"asked [{d['start']}, {d['end'] or 'EOF'}) → [{d['offlo']}, {d['offhi'] or 'EOF'})")
    lost = sum(e.data.get("bytes", 0) for e in events if e.kind == "page.lost")
    if lost or any(e.kind == "puffs.inval" and e.errno is None for e in events):
        parts.append(f"{lost} bytes lost")
    counts = {
        "queued": sum(len(e.data.get("pages", ())) for e in events if e.kind == "page.queued"),
        "dirty": sum(len(e.data.get("pages", ())) for e in events if e.kind == "page.dirty"),
        "filled": sum(len(e.data.get("pages", ())) for e in events if e.kind == "page.fill"),
        "written back": sum(1 for e in events if e.kind == "page.written" and e.changed),
    }
    parts += [f"{plural(n, 'page')} {word}" for word, n in counts.items() if n]
    short = [p for p in parts if "bytes lost" in p or "= -1" in p] or parts[-1:]
    return (" · ".join(parts), " · ".join(short))


class PageCachePanel(DetailsOnSelect, Vertical, SubsystemPanel):
    """Page strips for every cached file, and the details of the selected file."""

    TAB_TITLE = "pagecache"
    LEGEND = (
        "· absent · ░A░ clean · ▓B▓ dirty · ⇢A⇢ queued for write · ✗B✗ lost this step · ✕A✕ freed this step · "
        "≠ server differs · ━/╍ asked range (whole/part page) · ═ rounded range · ◆ file changed by this step"
    )
    PART = "pagecache"
    DEFAULT_CSS = "PageCachePanel { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield PageStrips()
        yield DetailsBar(*LEGENDS)

    def show(self, view: StepView) -> None:
        self.query_one(PageStrips).update_from(view.system.part("vfs"), view)
        self.query_one(DetailsBar).show(view)

    def lesson(self, view: StepView) -> tuple[str, ...]:
        return lesson(view)
