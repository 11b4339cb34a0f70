"""The limits of the modelled machine that more than one mechanism, or an importer, must respect.

Each mechanism checks its own inputs against these; the trace importers use them to keep what they
produce inside what the model accepts, without reaching into a mechanism.
"""

from __future__ import annotations

ADDRESS_SPACE = 1 << 32
"""The machine is 32-bit (§5): an address is below this, or it cannot be written in a register."""

USER_LIMIT = 0x80000000
"""First kernel address (MIPS32 kseg0): user mappings end below it, and `access_ok` refuses a range reaching it."""

PAGE_SIZE = 4096
"""The hardware page: what mmap maps and what a Dinero trace's pages are counted in."""

NAME_MAX = 255
"""Longest component any file system accepts; longer is ENAMETOOLONG before any lookup."""

PATH_MAX = 1024
"""MAXPATHLEN: namei copies the path in with copyinstr into a buffer this big, NUL included, so a path of
PATH_MAX bytes or more is ENAMETOOLONG before any component is looked at."""

MAX_BUCKETS = 1 << 16
"""The largest name-cache hash tables a scenario may ask for: they are allocated whole when the machine is built."""

FILE_PAGES = 1 << 14
"""The default largest file of the page cache, in pages (`[config] max_file_pages`)."""

FILE_PAGES_MAX = 1 << 24
"""The largest `max_file_pages` a scenario may set (64 GiB in 4 KiB pages): a file's pages are kept sparsely,
so only those read or written cost memory, but a page-cache strip is drawn for the whole file."""

MAX_PID_NS_LEVEL = 32
"""PID namespaces nest at most this deep (kernel/pid_namespace.c)."""


def path_bytes(path: str) -> int:
    """The length of a path as the kernel counts it: bytes of its UTF-8 form (odd bytes as they were)."""
    try:
        return len(path.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte: count it as UTF-8 would spell it
        return len(path.encode("utf-8", "surrogatepass"))


def too_long(path: str) -> str | None:
    """Why `path` is ENAMETOOLONG for namei (too long as a whole, or a component past NAME_MAX), or None."""
    size = path_bytes(path)
    if size >= PATH_MAX:
        return f"{size} bytes, MAXPATHLEN is {PATH_MAX} with the NUL"
    if size <= NAME_MAX:
        return None  # no component is longer than the whole path (a [config] tree checks 50,000 paths)
    longest = max((path_bytes(c) for c in path.split("/")), default=0)
    return f"a component of {longest} bytes, NAME_MAX is {NAME_MAX}" if longest > NAME_MAX else None
