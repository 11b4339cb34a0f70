"""`import residency`: page-cache residency of real files, by `mincore(2)` over a read-only mapping (ctypes).

The kernel answers one byte per page (bit 0: resident), as util-linux `fincore` asks it, so the page counts
are the same. What is measured is handed to `model.trace.residency`, which turns it into steps.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import stat

from model.trace.residency import Residency, add_runs, on_mount

PAGE_SIZE = mmap.PAGESIZE
"""This machine's page size, which the model's page cache takes for the import."""
CHUNK = 1 << 30
"""Bytes mapped at a time, so a huge file needs no huge mapping or vector."""


class ResidencyError(Exception):
    """A file that cannot be measured, with a message that says why."""


def model_path(path: str) -> str:
    """Where a real file lives in the model: under the puffs mount, at its real absolute path."""
    return on_mount(os.path.realpath(path))


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
        out = Residency(path, model_path(path), st.st_size, -(-st.st_size // PAGE_SIZE))
        libc = _libc() if st.st_size else None
        for offset in range(0, st.st_size, CHUNK):
            assert libc is not None
            try:
                vec = _resident_chunk(libc, fd, offset, min(CHUNK, st.st_size - offset))
            except OSError as exc:
                raise ResidencyError(f"{path}: mmap/mincore failed: {exc.strerror}") from None
            add_runs(out.runs, offset // PAGE_SIZE, vec)
        return out
    finally:
        os.close(fd)
