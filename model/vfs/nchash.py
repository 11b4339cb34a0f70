"""The name cache's hashing and constants (sys/namei.h, sys/kern/vfs_cache.c; §1.1-§1.3).

Shared by the cache (`namecache`), its lazily built events (`namecache_events`) and namei, so that the
NCHASH formula is written once.
"""

from __future__ import annotations

NCHNAMLEN = 31
"""Longest name the cache holds (§1.1); longer names are never entered."""

MISS = -1
"""cache_lookup's "not found, ask the file system" return value."""

LOOKUP, CREATE, DELETE, RENAME = "LOOKUP", "CREATE", "DELETE", "RENAME"
"""namei operations (cn_nameiop)."""


class _HashMemo(dict):
    """namei_hash by name, computed the first time a name is asked for (`__missing__`), so the hot paths
    read `_HASH_MEMO[name]` in one C call. Bounded: cleared when it holds 65,536 names, and the names in
    use now are memoised again at once."""

    __slots__ = ()

    def __missing__(self, name: str) -> int:
        value = 5381
        for byte in name.encode("utf-8", "surrogateescape"):
            value = (value * 33 + byte) & 0xFFFFFFFF
        value = (value + (value >> 5)) & 0xFFFFFFFF
        if len(self) >= 1 << 16:
            self.clear()
        self[name] = value
        return value


_HASH_MEMO = _HashMemo()


def namei_hash(name: str) -> int:
    """The component hash of NetBSD's namei_hash (§1.3): Bernstein's, finished as h + (h >> 5), 32 bits."""
    return _HASH_MEMO[name]


def nchash(hashed: int, dvp_addr: int, mask: int) -> int:
    """NCHASH: the nchashtbl bucket of a name in a directory — its hash XOR (the dvp's address >> 3)."""
    return (hashed ^ (dvp_addr >> 3)) & mask


def name_length(name: str) -> int:
    """`cn_namelen`: the length in bytes, as the kernel counts it."""
    return len(name) if name.isascii() else len(name.encode("utf-8", "surrogateescape"))
