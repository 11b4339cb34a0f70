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


_HASH_MEMO: dict[str, int] = {}
"""namei_hash by name, filled by `namei_hash`. A plain dict, not a subclass with `__missing__`: CPython
specialises subscripts of an exact dict only (a dict subclass's goes through a method call, twice as
dear), so the hot paths read `_HASH_MEMO[name]` and call `namei_hash` on a KeyError. Bounded: cleared
when it holds 65,536 names, and the names in use now are memoised again at once."""


def namei_hash(name: str) -> int:
    """The component hash of NetBSD's namei_hash (§1.3): Bernstein's, finished as h + (h >> 5), 32 bits."""
    value = _HASH_MEMO.get(name)
    if value is not None:
        return value
    value = 5381
    for byte in name.encode("utf-8", "surrogateescape"):
        value = (value * 33 + byte) & 0xFFFFFFFF
    value = (value + (value >> 5)) & 0xFFFFFFFF
    if len(_HASH_MEMO) >= 1 << 16:
        _HASH_MEMO.clear()
    _HASH_MEMO[name] = value
    return value


def nchash(hashed: int, dvp_addr: int, mask: int) -> int:
    """NCHASH: the nchashtbl bucket of a name in a directory — its hash XOR (the dvp's address >> 3)."""
    return (hashed ^ (dvp_addr >> 3)) & mask


def name_length(name: str) -> int:
    """`cn_namelen`: the length in bytes, as the kernel counts it."""
    return len(name) if name.isascii() else len(name.encode("utf-8", "surrogateescape"))
