"""The page cache of a puffs mount (puffs_flush(3), §4): the kernel's side of each file's pages.

Pages belong to a vnode (its UVM object): absent, clean, dirty, or queued for write. The file
server's copy of each file is the backing store (`model.vfs.puffs_server`, a mixin of `PageCache`).
Contents are modelled per page as a version letter (the write that last changed the page: A, B, ...),
while byte counts (dirty and lost bytes) are exact.
Flushes only queue write requests (asynchronous); they reach the server when it serves them.
Invalidation frees pages without cleaning them, so unflushed dirty data is lost.
"""

from __future__ import annotations

import re
from typing import Any

from model.events import Event
from model.journal import JDict, JList
from model.limits import FILE_PAGES
from model.vfs.page import (
    CLEAN,
    DIRTY,
    QUEUED,
    ZERO,
    Page,
    merge_interval,
    page_event,
    page_refs,
    round_page,
    runs,
    trunc_page,
)
from model.vfs.puffs_server import FileServer, WriteRequest

_PAGE_REF = re.compile(r"page (vp[0-9]+):([0-9]{1,9})")

PGO_CLEANIT, PGO_FREE = 0x001, 0x008
"""VOP_PUTPAGES flags (uvm/uvm_pager.h): write dirty pages back, or free pages."""

MAX_FILE_PAGES = FILE_PAGES
"""The largest file the model holds by default, in pages (EFBIG past it); `[config] max_file_pages` sets it."""


class PageCache(FileServer):
    """Pages per vnode, the kernel's file sizes, the file server's files, and the write-back queue."""

    __slots__ = ("max_pages", "next_serial", "next_version", "page_size", "pages", "queue", "server", "sizes", "stats")

    def __init__(self, page_size: int, max_pages: int = MAX_FILE_PAGES) -> None:
        self.page_size = page_size
        self.max_pages = max_pages
        self.pages: JDict = JDict()  # vnode id -> page index -> Page (a JDict)
        self.sizes: JDict = JDict()  # vnode id -> v_size, the kernel's idea of the file size
        self.server: JDict = JDict()  # (mount, ino) -> the server's copy
        self.queue: JList = JList()  # WriteRequests, oldest first
        self.next_serial = 1
        self.next_version = 0
        self.stats: JDict = JDict.fromkeys(
            (
                "pages_filled",
                "pages_dirtied",
                "writes_queued",
                "writes_served",
                "pages_freed",
                "pages_lost",
                "bytes_lost",
                "bytes_written_back",
            ),
            0,
        )

    # -- helpers ---------------------------------------------------------------------------------

    def new_version(self) -> str:
        """The next data-version letter (A..Z, then a..z, then wraps)."""
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        letter = letters[self.next_version % len(letters)]
        self.next_version += 1
        return letter

    def attach(self, vnode: str, file: tuple[str, int]) -> None:
        """Give a vnode its page cache for `file`, with v_size from the server (as VOP_GETATTR would)."""
        if vnode not in self.sizes:
            self.sizes[vnode] = self.server_file(file).size
            self.pages.setdefault(vnode, JDict())

    @property
    def max_file_size(self) -> int:
        """Bytes in the largest file: `max_pages` pages."""
        return self.page_size * self.max_pages

    def too_big(self, kind: str, call: str, vnode: str, func: str) -> Event:
        """The EFBIG result of a call that would make a file larger than the model holds."""
        return Event(
            kind,
            f"{call}: EFBIG, past the largest file ({self.max_file_size} bytes)",
            refs=(vnode,),
            func=func,
            ret=-1,
            errno="EFBIG",
            explain=f"The model's files hold at most {self.max_pages} pages, as a real file system has a largest "
            "file size.",
        )

    def page_range(self, lo: int, hi: int) -> range:
        """Indexes of the pages that bytes [lo, hi) touch."""
        size = self.page_size
        return range(lo // size, -(-hi // size))

    # -- read and write ---------------------------------------------------------------------------

    def vop_getpages(self, vnode: str, file: tuple[str, int], indexes: list[int]) -> list[int]:
        """VOP_GETPAGES: read these absent pages from the file server into the cache, clean; their indexes."""
        pages = self.pages[vnode]
        server = self.server_file(file)
        for index in indexes:
            pages[index] = Page(CLEAN, server.pages.get(index, ZERO))
        self.stats["pages_filled"] += len(indexes)
        return list(indexes)

    def vop_read(self, vnode: str, file: tuple[str, int], offset: int, length: int) -> list[Event]:
        """VOP_READ: absent pages are filled from the server (clean); pages present are used as they are."""
        self.attach(vnode, file)
        size = self.sizes[vnode]
        end = min(offset + length, size)
        if offset >= end:
            return [
                Event(
                    "page.read",
                    f"read {vnode} [{offset}, {offset + length}): at or past EOF ({size}), 0 bytes",
                    refs=(vnode,),
                    func="VOP_READ",
                    ret=0,
                )
            ]
        pages = self.pages[vnode]
        hits = [index for index in self.page_range(offset, end) if index in pages]
        filled = self.vop_getpages(vnode, file, [i for i in self.page_range(offset, end) if i not in pages])
        events = []
        if filled:
            events.append(
                page_event(
                    "page.fill",
                    vnode,
                    filled,
                    f"{vnode}: pages {runs(filled)} read from the file server (clean)",
                    func="VOP_GETPAGES",
                    effect="created",
                )
            )
        if hits:
            events.append(
                page_event(
                    "page.hit",
                    vnode,
                    hits,
                    f"{vnode}: pages {runs(hits)} already cached",
                    func="VOP_READ",
                    explain="A cached page is used as it is, even if the server's copy has changed "
                    "since: that is what puffs_inval_pagecache is for.",
                )
            )
        events.append(
            Event(
                "page.read",
                f"read {vnode} [{offset}, {end}): {end - offset} bytes",
                refs=(vnode,),
                func="VOP_READ",
                ret=end - offset,
            )
        )
        return events

    def vop_write(self, vnode: str, file: tuple[str, int], offset: int, length: int) -> list[Event]:
        """VOP_WRITE: pages in the range become dirty with a new version; the server sees nothing yet."""
        if length and offset + length > self.max_file_size:
            return [self.too_big("page.write", f"write {vnode} [{offset}, {offset + length})", vnode, "VOP_WRITE")]
        self.attach(vnode, file)
        if length == 0:
            return [Event("page.write", f"write {vnode}: 0 bytes", refs=(vnode,), func="VOP_WRITE", ret=0)]
        pages = self.pages[vnode]
        server = self.server_file(file)
        version = self.new_version()
        end = offset + length
        touched, filled = [], []
        for index in self.page_range(offset, end):
            lo = max(offset, index * self.page_size) - index * self.page_size
            hi = min(end, (index + 1) * self.page_size) - index * self.page_size
            page = pages.get(index)
            if page is None:
                whole = lo == 0 and hi == self.page_size
                if not whole and index * self.page_size < self.sizes[vnode]:
                    filled += self.vop_getpages(vnode, file, [index])  # read-modify-write: the rest of the page
                    page = pages[index]
                else:
                    page = pages[index] = Page(CLEAN, server.pages.get(index, ZERO))
            page.state = DIRTY
            page.version = version
            page.dirty = tuple(merge_interval(list(page.dirty), lo, hi))
            touched.append(index)
        self.sizes[vnode] = max(self.sizes[vnode], end)
        self.stats["pages_dirtied"] += len(touched)
        events = []
        if filled:
            events.append(
                Event(
                    "page.fill",
                    f"{vnode}: pages {runs(filled)} read first (partial-page write)",
                    refs=(vnode,),
                    func="VOP_GETPAGES",
                    data={"pages": filled},
                    created=page_refs(vnode, filled),
                )
            )
        events.append(
            page_event(
                "page.dirty",
                vnode,
                touched,
                f"write {vnode} [{offset}, {end}): pages {runs(touched)} dirty with version {version}",
                func="VOP_WRITE",
                ret=length,
                effect="changed",
                version=version,
                explain="The data sits in the kernel's dirty pages; the file server has not seen it.",
            )
        )
        return events

    def vop_setattr(self, vnode: str, file: tuple[str, int], size: int) -> list[Event]:
        """VOP_SETATTR of the size (truncate): the server sets it at once; cached pages past it are freed
        (uvm_vnp_setsize)."""
        if size > self.max_file_size:
            return [self.too_big("page.truncate", f"truncate {vnode} to {size}", vnode, "VOP_SETATTR")]
        self.attach(vnode, file)
        server = self.server_file(file)
        server.size = size
        for index in [i for i in server.pages if i * self.page_size >= size]:
            del server.pages[index]
        self.sizes[vnode] = size
        pages = self.pages[vnode]
        dropped = sorted(i for i in pages if i * self.page_size >= size)
        versions = {i: pages[i].version for i in dropped}
        for index in dropped:
            del pages[index]
        last = size // self.page_size
        for request in self.queue:  # writes queued for pages now past EOF carry nothing the file still has
            if request.vnode == vnode and request.index * self.page_size >= size:
                request.truncated = True
        if size % self.page_size and last in pages:  # bytes past EOF in the last page no longer count as dirty
            page = pages[last]
            limit = size % self.page_size
            page.dirty = tuple((lo, min(hi, limit)) for lo, hi in page.dirty if lo < limit)
            if page.state == QUEUED:  # its queued write now carries only the bytes below EOF
                for request in self.queue:
                    if request.serial == page.request:
                        request.bytes = page.dirty_bytes
            if not page.dirty and page.state == DIRTY:  # every byte written lay past EOF: what is left is
                page.state, page.version = CLEAN, server.pages.get(last, ZERO)  # the server's, read in before
        return [
            Event(
                "page.truncate",
                f"truncate {vnode} to {size}: pages {runs(dropped) or 'none'} freed",
                refs=(vnode,),
                func="VOP_SETATTR",
                ret=0,
                data={"pages": dropped, "versions": versions},
                removed=page_refs(vnode, dropped),
            )
        ]

    # -- puffs_flush(3) ------------------------------------------------------------------------------

    def check_range(self, vnode: str, start: int, end: int) -> tuple[int, int, str | None]:
        """The range rule of §4.2: (offlo, offhi, errno); offhi == 0 means to the end of the file."""
        if end > self.sizes[vnode]:
            return 0, 0, "EINVAL"
        offlo = trunc_page(start, self.page_size)
        offhi = round_page(end, self.page_size)
        if offhi != 0 and offlo >= offhi:
            return offlo, offhi, "EINVAL"
        return offlo, offhi, None

    def _span(self, vnode: str, offlo: int, offhi: int) -> list[int]:
        """Cached page indexes in [offlo, offhi), or from offlo to the end of the file when offhi is 0."""
        first = offlo // self.page_size
        last = offhi // self.page_size if offhi else None
        return sorted(i for i in self.pages[vnode] if i >= first and (last is None or i < last))

    def vop_putpages(self, vnode: str, file: tuple[str, int], offlo: int, offhi: int, flags: int) -> list[Event]:
        """VOP_PUTPAGES of [offlo, offhi) (offhi 0: to the end): PGO_FREE frees the pages without cleaning
        them; PGO_CLEANIT queues the dirty ones for the server, asynchronously."""
        if flags & PGO_FREE:
            return self._free(vnode, offlo, offhi)
        return self._clean(vnode, file, offlo, offhi)

    def _clean(self, vnode: str, file: tuple[str, int], offlo: int, offhi: int) -> list[Event]:
        """PGO_CLEANIT, asynchronously: dirty pages in the range are queued for the server."""
        queued = []
        for index in self._span(vnode, offlo, offhi):
            page = self.pages[vnode][index]
            if page.state == DIRTY:
                page.state = QUEUED
                request = WriteRequest(self.next_serial, vnode, file, index, page.version, page.dirty_bytes)
                page.request = request.serial
                self.next_serial += 1
                self.queue.append(request)
                queued.append(index)
        self.stats["writes_queued"] += len(queued)
        return [
            page_event(
                "page.queued",
                vnode,
                queued,
                f"{vnode}: pages {runs(queued) or 'none'} queued for writing; returns at once",
                func="VOP_PUTPAGES",
                effect="changed",
                explain="The flush only starts the writes: until the file server serves them, its copy is "
                "still the old one."
                if queued
                else "",
            )
        ]

    def _free(self, vnode: str, offlo: int, offhi: int) -> list[Event]:
        """PGO_FREE without PGO_CLEANIT: pages in the range go; dirty data is lost (§4.3)."""
        pages = self.pages[vnode]
        freed, lost, lost_bytes, in_flight = [], [], 0, []
        versions = {}
        for index in self._span(vnode, offlo, offhi):
            page = pages.pop(index)
            versions[index] = page.version
            if page.state == DIRTY:
                lost.append(index)
                lost_bytes += page.dirty_bytes
            elif page.state == QUEUED:
                in_flight.append(index)
            else:
                freed.append(index)
        self.stats["pages_freed"] += len(freed) + len(in_flight)
        self.stats["pages_lost"] += len(lost)
        self.stats["bytes_lost"] += lost_bytes
        dropped = sorted(freed + lost + in_flight)
        events = [
            page_event(
                "page.inval",
                vnode,
                dropped,
                f"{vnode}: pages {runs(dropped) or 'none'} freed",
                func="VOP_PUTPAGES",
                effect="removed",
                clean=freed,
                queued=in_flight,
                versions=versions,
            )
        ]
        if in_flight:
            events.append(
                Event(
                    "page.inval",
                    f"{vnode}: pages {runs(in_flight)} were already queued: their writes still reach the server",
                    refs=(vnode,),
                    func="VOP_PUTPAGES",
                )
            )
        if lost:
            events.append(
                page_event(
                    "page.lost",
                    vnode,
                    lost,
                    f"{vnode}: dirty pages {runs(lost)} dropped: {lost_bytes} bytes lost",
                    func="puffs_inval_pagecache_node_range",
                    bytes=lost_bytes,
                    explain="Invalidation frees pages without writing them: data that was never "
                    "flushed is gone, and the server keeps its old contents.",
                )
            )
        return events

    # -- vnode life cycle --------------------------------------------------------------------------

    def vclean(self, vnode: str, file: tuple[str, int] | None) -> list[Event]:
        """vclean before VOP_RECLAIM: the vnode's pages are cleaned (vinvalbuf), then all freed.

        `file` is None when the file itself is gone (unlinked): its pages are simply dropped.
        """
        pages = self.pages.pop(vnode, None)
        self.sizes.pop(vnode, None)
        if not pages:
            return []
        gone = page_refs(vnode, sorted(pages))
        if file is None:
            return [
                Event(
                    "page.inval",
                    f"{vnode}: file deleted, {len(pages)} pages freed",
                    refs=(vnode,),
                    func="vclean",
                    removed=gone,
                )
            ]
        events = self.vinvalbuf(vnode, file, pages)
        events.append(
            Event(
                "page.inval",
                f"{vnode}: {len(pages)} pages freed with the vnode",
                refs=(vnode,),
                func="vclean",
                removed=gone,
            )
        )
        return events

    def vinvalbuf(self, vnode: str, file: tuple[str, int], pages: dict[int, Page]) -> list[Event]:
        """vinvalbuf(V_SAVE): the dirty pages are written to the server synchronously."""
        dirty = sorted(i for i, p in pages.items() if p.state == DIRTY)
        server = self.server_file(file)
        for index in dirty:
            server.pages[index] = pages[index].version
            self.stats["bytes_written_back"] += pages[index].dirty_bytes
        if not dirty:
            return []
        return [
            Event(
                "page.written",
                f"{vnode}: dirty pages {runs(dirty)} written before reclaim",
                refs=(vnode,),
                func="vinvalbuf",
            )
        ]

    # -- inspection ---------------------------------------------------------------------------------

    def describe(self, ref: str) -> str | None:
        """A cached page (``page vp4:2``) or a queued write (``wr3``), for `state` and the watch panel."""
        if m := _PAGE_REF.fullmatch(ref):
            page = self.pages.get(m[1], {}).get(int(m[2]))
            if page is None:
                return None
            dirty = ", ".join(f"{lo}-{hi - 1}" for lo, hi in page.dirty) or "none"
            return f"{ref} {page.state}, version {page.version}\ndirty bytes {dirty}"
        for request in self.queue:
            if request.id == ref:
                page = f"page {request.vnode}:{request.index}"
                return f"{ref}: {request.bytes} bytes of {page} (version {request.version}) to write to the file server"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "page_size": self.page_size,
            "files": {
                vnode: {
                    "size": self.sizes[vnode],
                    "pages": {
                        str(i): {"state": p.state, "version": p.version, "dirty_bytes": p.dirty_bytes}
                        for i, p in sorted(pages.items())
                    },
                }
                for vnode, pages in self.pages.items()
            },
            "server": {
                f"{m}:{ino}": {"size": f.size, "pages": {str(i): v for i, v in sorted(f.pages.items())}}
                for (m, ino), f in self.server.items()
            },
            "queue": [
                {"id": r.id, "vnode": r.vnode, "page": r.index, "version": r.version, "bytes": r.bytes}
                | ({"truncated": True} if r.truncated else {})
                for r in self.queue
            ],
            "stats": dict(self.stats),
        }

    def check(self) -> list[str]:
        problems = []
        for vnode, pages in self.pages.items():
            size = self.sizes.get(vnode)
            if size is None:
                problems.append(f"{vnode} has pages but no size")
                continue
            for index, page in pages.items():
                if index * self.page_size >= size:
                    problems.append(f"page {vnode}:{index} lies past the file size {size}")
                if (page.state == CLEAN and page.dirty) or (page.state == DIRTY and not page.dirty):
                    problems.append(f"page {vnode}:{index} is {page.state} with dirty bytes {page.dirty}")
                if any(not (0 <= lo < hi <= self.page_size) for lo, hi in page.dirty):
                    problems.append(f"page {vnode}:{index} has a dirty range outside the page")
        pending = {request.serial: request for request in self.queue}
        for vnode, pages in self.pages.items():
            for index, page in pages.items():
                request = pending.get(page.request) if page.state == QUEUED else None
                if page.state == QUEUED and (
                    request is None or (request.vnode, request.index, request.version) != (vnode, index, page.version)
                ):
                    problems.append(f"page {vnode}:{index} is queued, but no pending write carries its data")
        for request in self.queue:
            sized = self.sizes.get(request.vnode)
            if not request.truncated and sized is not None and request.index * self.page_size >= sized:
                problems.append(f"{request.id} would write page {request.index} past the end of {request.vnode}")
        for request in self.queue:
            if request.bytes < 0:
                problems.append(f"{request.id} has a negative size")
        if any(v < 0 for v in self.stats.values()):
            problems.append("a page-cache counter went negative")
        return problems
