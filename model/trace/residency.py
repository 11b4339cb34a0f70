"""Page-cache residency of real files: `mincore(2)` over a read-only mapping, through ctypes.

The kernel answers one byte per page (bit 0: resident), as util-linux `fincore` asks it, so the page
counts are the same. The files are then rebuilt on a puffs mount in the model: created, given their size
on the file server, and `read` over each run of resident pages, so the page-cache tab shows the same strips.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field

from model.ops import Op, make

PAGE_SIZE = mmap.PAGESIZE
CHUNK = 1 << 30
"""Bytes mapped at a time, so a huge file needs no huge mapping or vector."""

MOUNT = "/mnt"


class ResidencyError(Exception):
    """A file that cannot be measured, with a message that says why."""


@dataclass(slots=True)
class Residency:
    """One file: its size, its page count and the runs of resident pages (first page, count)."""

    path: str
    size: int
    pages: int
    runs: list[tuple[int, int]] = field(default_factory=list)

    @property
    def resident(self) -> int:
        return sum(count for _, count in self.runs)


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte))
    libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    return libc


def _resident_chunk(libc: ctypes.CDLL, fd: int, offset: int, length: int) -> bytes:
    """mincore's vector for [offset, offset+length) of the open file `fd`."""
    addr = libc.mmap(None, length, mmap.PROT_READ, mmap.MAP_SHARED, fd, offset)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    try:
        pages = -(-length // PAGE_SIZE)
        vec = (ctypes.c_ubyte * pages)()
        if libc.mincore(addr, length, vec) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return bytes(vec)
    finally:
        libc.munmap(addr, length)


def measure(path: str) -> Residency:
    """The residency of one regular file; ResidencyError for a directory, a missing or unreadable file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ResidencyError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ResidencyError(f"{path}: is a directory (give the files in it)") from None
    except PermissionError:
        raise ResidencyError(f"{path}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise ResidencyError(f"{path}: cannot open: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ResidencyError(f"{path}: is a directory (give the files in it)")
        if not stat.S_ISREG(st.st_mode):
            raise ResidencyError(f"{path}: not a regular file, so it has no page-cache pages to count")
        out = Residency(path, st.st_size, -(-st.st_size // PAGE_SIZE))
        libc = _libc() if st.st_size else None
        for offset in range(0, st.st_size, CHUNK):
            assert libc is not None
            try:
                vec = _resident_chunk(libc, fd, offset, min(CHUNK, st.st_size - offset))
            except OSError as exc:
                raise ResidencyError(f"{path}: mmap/mincore failed: {exc.strerror}") from None
            _add_runs(out.runs, offset // PAGE_SIZE, vec)
        return out
    finally:
        os.close(fd)


def _add_runs(runs: list[tuple[int, int]], first: int, vec: bytes) -> None:
    """Append the runs of resident pages in `vec` (page `first` onwards), joining a run across chunks."""
    index, n = 0, len(vec)
    while index < n:
        if not vec[index] & 1:
            index += 1
            continue
        start = index
        while index < n and vec[index] & 1:
            index += 1
        page = first + start
        if runs and runs[-1][0] + runs[-1][1] == page:
            runs[-1] = (runs[-1][0], runs[-1][1] + index - start)
        else:
            runs.append((page, index - start))


def model_path(path: str) -> str:
    """Where a real file lives in the model: under the puffs mount, at its real absolute path."""
    return MOUNT + os.path.realpath(path)


def plan(files: list[Residency]) -> Iterator[tuple[Op, str]]:
    """Steps that rebuild the files on a puffs mount and read their resident pages into the page cache."""
    yield (
        make("mount", path=MOUNT, fstype="puffs"),
        f"A puffs mount stands for the real disk; pages are {PAGE_SIZE} bytes.",
    )
    made: set[str] = set()
    for file in files:
        where = model_path(file.path)
        parts = where.split("/")[2:-1]
        for depth in range(1, len(parts) + 1):
            directory = MOUNT + "/" + "/".join(parts[:depth])
            if directory not in made:
                made.add(directory)
                yield make("mkdir", path=directory), ""
        yield make("create", path=where), f"{file.path}: {file.size} bytes, {file.pages} pages"
        if file.size:
            yield make("server-write", path=where, offset=0, length=file.size), "the file's data, on the file server"
        for page, count in file.runs:
            offset = page * PAGE_SIZE
            length = min(count * PAGE_SIZE, file.size - offset)
            yield make("read", path=where, offset=offset, length=length), f"pages {page}..{page + count - 1} resident"
        yield make("say", text=summary(file)), ""


def summary(file: Residency) -> str:
    """One line per file, in fincore's terms."""
    percent = f" ({100 * file.resident / file.pages:.0f}%)" if file.pages else ""
    return f"{file.path}: {file.resident} of {file.pages} pages resident{percent}, {file.size} bytes"


def config(files: list[Residency]) -> dict[str, object]:
    """The page size of this machine, an otherwise empty root, and room for every file's vnode."""
    names = sum(len(model_path(f.path).split("/")) for f in files) + 16
    return {"tree": [MOUNT + "/"], "page_size": PAGE_SIZE, "desiredvnodes": names, "namecache_max": names}
