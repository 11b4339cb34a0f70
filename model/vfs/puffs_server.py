"""The puffs file server's side of the page cache: its copy of each file, the write requests the kernel
queues for it, and what it does with them (§4.4). `FileServer` is a mixin of `model.vfs.pagecache.PageCache`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from model.errors import OpError
from model.events import Event
from model.journal import JDict, JList, Journaled
from model.vfs.page import CLEAN, QUEUED

if TYPE_CHECKING:
    from model.vfs.page import Page


class ServerFile(Journaled):
    """The file server's copy of one file: its size and the version of each page."""

    __slots__ = ("pages", "size")

    def __init__(self) -> None:
        self.size = 0
        self.pages: JDict = JDict()  # page index -> version


class WriteRequest(Journaled):
    """A queued write of one page to the file server (what VOP_PUTPAGES with PGO_CLEANIT sends)."""

    __slots__ = ("bytes", "file", "index", "serial", "truncated", "version", "vnode")

    def __init__(self, serial: int, vnode: str, file: tuple[str, int], index: int, version: str, nbytes: int) -> None:
        self.serial = serial
        self.vnode = vnode
        self.file = file
        self.index = index
        self.version = version
        self.bytes = nbytes
        self.truncated = False  # the page was truncated away after the request was queued

    @property
    def id(self) -> str:
        return f"wr{self.serial}"


class FileServer(Journaled):
    """The server's files and the kernel's queue of write requests to it."""

    __slots__ = ()
    server: dict[tuple[str, int], ServerFile]
    queue: JList
    pages: dict[str, dict[int, Page]]
    sizes: dict[str, int]
    stats: dict[str, int]
    page_size: int
    max_file_size: int
    new_version: Callable[[], str]
    page_range: Callable[[int, int], Iterable[int]]

    def server_file(self, file: tuple[str, int]) -> ServerFile:
        """The server's copy of `file` (an empty one to begin with)."""
        return self.server.setdefault(file, ServerFile())

    def puffs_vn_write(self, count: int) -> list[Event]:
        """The file server serves up to `count` queued PUFFS_VN_WRITE requests, oldest first; a page whose
        request is served, unchanged since, is clean again."""
        events = []
        for _ in range(min(count, len(self.queue))):
            request = self.queue.pop(0)
            self.stats["writes_served"] += 1
            refs = (request.vnode, request.id, f"page {request.vnode}:{request.index}")
            if request.truncated:
                events.append(
                    Event(
                        "page.written",
                        f"server got {request.id} for {request.vnode} page {request.index}, truncated away since: "
                        "nothing written past the end of the file",
                        refs=refs,
                        func="PUFFS_VN_WRITE",
                        explain="The truncate that freed the page also cut the file on the server: a write queued "
                        "before it leaves no data beyond the new end of the file.",
                        data={"page": request.index, "request": request.serial},
                    )
                )
                continue
            server = self.server_file(request.file)
            server.pages[request.index] = request.version
            end = (request.index + 1) * self.page_size
            page = self.pages.get(request.vnode, {}).get(request.index)
            size = self.sizes.get(request.vnode, end)
            server.size = max(server.size, min(end, size))
            self.stats["bytes_written_back"] += request.bytes
            # The page is clean only if this request carries its data now: matched by the request's serial,
            # never by the data's version letter, which repeats after 52 writes.
            cleaned = page is not None and page.state == QUEUED and page.request == request.serial
            if cleaned and page is not None:
                page.state = CLEAN
                page.dirty = ()
                page.request = 0
            status = "page now clean" if cleaned else "the page changed or went meanwhile"
            events.append(
                Event(
                    "page.written",
                    f"server wrote {request.vnode} page {request.index} "
                    f"(version {request.version}, {request.bytes} bytes, {request.id}): {status}",
                    refs=refs,
                    func="PUFFS_VN_WRITE",
                    data={"page": request.index, "request": request.serial},
                    changed=(f"page {request.vnode}:{request.index}",) if cleaned else (),
                )
            )
        if not events:
            events.append(Event("page.written", "the write-back queue is empty", func="PUFFS_VN_WRITE"))
        return events

    def server_write(self, file: tuple[str, int], offset: int, length: int) -> tuple[str, list[int]]:
        """The server changes a file behind the kernel's back; returns the version and the pages changed."""
        if offset + length > self.max_file_size:
            raise OpError(f"{offset + length} bytes is past the largest file ({self.max_file_size})", errno="EFBIG")
        server = self.server_file(file)
        version = self.new_version()
        touched = list(self.page_range(offset, offset + length)) if length else []
        for index in touched:
            server.pages[index] = version
        server.size = max(server.size, offset + length)
        return version, touched

    def forget_file(self, file: tuple[str, int]) -> None:
        """The file is gone from the server (its last link removed and its space freed)."""
        self.server.pop(file, None)
