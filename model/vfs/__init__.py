"""The VFS mechanism: namei, the vnode life cycle, NetBSD's name cache, the disk, getcwd, and the page
cache of a puffs mount with its file server. Section numbers (§1.4) are those of docs/kernel-rules.md.

Importing the package registers its one spec and its verbs.
"""

from __future__ import annotations

from collections.abc import Iterable

from model.events import Event
from model.limits import FILE_PAGES, FILE_PAGES_MAX, MAX_BUCKETS
from model.parts import ConfigKey, HitRate, IdSpace, Mechanism, at_most, one_of, positive_int, power_of_two, register
from model.vfs import verbs, verbs_pagecache  # noqa: F401  (imported for their verbs)
from model.vfs.drills import DRILLS
from model.vfs.fs import DEFAULT_TREE, validate_tree
from model.vfs.lifecycle import FREEBSD4, FREEBSD5
from model.vfs.sources import SOURCES
from model.vfs.summary import SUMMARY
from model.vfs.vfs import Vfs

COMPLETED_ENTRIES = 200
"""Name-cache ids offered for completion: the most recently used ones (a bulk replay holds thousands)."""

COUNTERS = {
    # NetBSD struct nchstats (sys/namei.h)
    "ncs_goodhits": "cache_lookup found a positive entry and the vnode could be had",
    "ncs_neghits": "cache_lookup found a negative entry: ENOENT without asking the file system",
    "ncs_badhits": "an entry was hit but removed (last component of DELETE/RENAME, or CREATE on a negative)",
    "ncs_falsehits": "an entry was hit but its vnode was being reclaimed (VXLOCK): treated as a miss",
    "ncs_miss": "cache_lookup found no entry: the file system's VOP_LOOKUP answered",
    "ncs_long": "the name was longer than NCHNAMLEN (31): not looked up, never cached",
    "ncs_pass2": "names found in a second pass (kept for compatibility, always 0 here)",
    "ncs_2passes": "lookups that took two passes (kept for compatibility, always 0 here)",
    "ncs_revhits": "cache_revlookup found the name of a directory (for getcwd)",
    "ncs_revmiss": "cache_revlookup found no entry naming the directory",
    "numcache": "name-cache entries in use",
    "numvnodes": "vnode structs allocated",
    "freevnodes": "vnodes on the free list (inactive or reclaimed)",
    # page cache and the puffs server
    "pages_filled": "pages read from the file server into the cache",
    "pages_dirtied": "page writes that left a page dirty",
    "writes_queued": "dirty pages queued for write-back by a flush",
    "writes_served": "queued writes the file server has carried out",
    "writes_pending": "queued writes not yet served",
    "pages_freed": "pages dropped by invalidation without losing data",
    "pages_lost": "dirty pages dropped by invalidation before being written",
    "bytes_lost": "bytes written by programs that never reached the file server",
    "bytes_written_back": "dirty bytes that reached the file server",
}
"""One-line definitions of the counters `Vfs.stats` gives, under the kernel's names where it has them."""

_HITS = frozenset({"namecache.hit", "namecache.neghit"})
_MISSES = frozenset({"namecache.miss", "namecache.long", "namecache.badhit", "namecache.falsehit"})


def namecache_outcome(event: Event) -> bool | None:
    """A cache_lookup's outcome: True for a (negative) hit, False for a miss, None for any other event."""
    if event.kind in _HITS:
        return True
    return False if event.kind in _MISSES else None


_KINDS = {
    "namecache": "hit neghit miss long badhit falsehit enter enter_skipped remove reclaim purge purgevfs print revhit "
    "revmiss getcwd",
    "namei": "start crossmount notdir",
    "vnode": "new recycle bind vget vref vrele lock unlock xlock inactive deactivate reclaim vgone dead free "
    "space_freed",
    "vfs": "lookup open create mkdir unlink rmdir rename chdir fchdir close whiteout mount unmount remove vop_lookup "
    "read write truncate",
    "page": "read fill hit write dirty queued written inval lost truncate",
    "puffs": "flush inval inval_names server_show server_write",
    "error": "vnode_lock",
}
KINDS = tuple(f"{family}.{name}" for family, names in _KINDS.items() for name in names.split())
"""Every kind of event the VFS gives (a test runs the scenarios and checks that each kind they emit is here)."""


def _entries(vfs: Vfs) -> Iterable[str]:
    return (e.id for e in list(vfs.namecache.lru.values())[-COMPLETED_ENTRIES:])


def _pages(vfs: Vfs) -> Iterable[str]:
    return (f"page {vnode}:{index}" for vnode, pages in vfs.pagecache.pages.items() for index in pages)


def _writes(vfs: Vfs) -> Iterable[str]:
    return (request.id for request in vfs.pagecache.queue)


MECHANISM = register(
    Mechanism(
        "vfs",
        Vfs,
        order=10,
        config=(
            ConfigKey("nchash", 16, at_most(MAX_BUCKETS, power_of_two), "buckets in nchashtbl (a power of two)"),
            ConfigKey(
                "ncvhash",
                8,
                at_most(MAX_BUCKETS, power_of_two),
                "buckets in ncvhashtbl, for reverse lookups (a power of two)",
            ),
            ConfigKey("namecache_max", 32, positive_int, "name-cache entries before the LRU head is reused"),
            ConfigKey("desiredvnodes", 16, positive_int, "vnodes before getnewvnode recycles the free-list head"),
            ConfigKey(
                "vnode_protocol",
                FREEBSD4,
                one_of(FREEBSD4, FREEBSD5),
                "VOP_INACTIVE lock protocol: freebsd4 (the man page: the fs unlocks) or freebsd5",
            ),
            ConfigKey("tree", DEFAULT_TREE, validate_tree, "the root file system's paths; directories end in /"),
            ConfigKey("page_size", 4096, power_of_two, "page size of the page cache, in bytes"),
            ConfigKey(
                "max_file_pages",
                FILE_PAGES,
                at_most(FILE_PAGES_MAX),
                "the largest file the page cache holds, in pages (EFBIG past it)",
            ),
        ),
        ids=(
            IdSpace("vp", "a vnode", lambda vfs: (v.id for v in vfs.vnodes.vnodes)),
            IdSpace("mnt", "a mount", lambda vfs: list(vfs.mounts)),
            IdSpace("nc", "a name-cache entry", _entries),
            IdSpace("page vp", "a cached page of a vnode", _pages, example="page vp4:0"),
            IdSpace("wr", "a queued write to the file server", _writes, example="wr1"),
        ),
        drills=DRILLS,
        summary=SUMMARY,
        counters=COUNTERS,
        hit_rates=(HitRate("namecache", namecache_outcome),),
        panels=("viz.panels:NameCachePanel", "viz.panels:VnodePanel", "viz.panels:PageCachePanel"),
        sources=SOURCES,
        views={
            "namecache": ("namecache.*", "namei.*"),
            "vnodes": ("vnode.*", "vfs.*", "error.vnode_*"),
            "pagecache": ("page.*", "puffs.*"),
        },
        kinds=KINDS,
        ref_prefixes=("nchash ", "ncvhash "),
    )
)
