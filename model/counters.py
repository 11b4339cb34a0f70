"""One-line definitions of every counter the model keeps, under the kernel's names where it has them."""

from __future__ import annotations

from model.events import Event

DEFINITIONS: dict[str, str] = {
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
    # Linux dcache, as /proc sees it
    "nr_dentry": "dentries in all proc mounts",
    "nr_unused": "dentries with no reference (could be freed under memory pressure)",
    "nr_stale": "dentries unhashed by an invalidation but kept alive by a reference",
    "lookups": "path components looked up in a proc mount",
    "dcache_hits": "components found in the dcache (d_lookup)",
    "d_alloc": "dentries created by proc lookups",
    "enoent": "lookups that failed with ENOENT (no dentry is left behind)",
    "d_invalidate": "dentries invalidated (by proc_flush_task or a failed revalidation)",
    "dentry_kill": "dentries freed",
    "revalidate_fail": "dcache hits whose task had gone (pid_revalidate said no)",
    # CPU caches
    "I_hits": "instruction fetches that hit in the I-cache",
    "I_misses": "instruction fetches that missed and filled an I-line from memory",
    "I_invalidations": "I-lines invalidated (cacheflush ICACHE/BCACHE, clear_cache)",
    "D_hits": "loads and stores that hit in the D-cache",
    "D_misses": "loads and stores that missed and filled a D-line (write-allocate)",
    "D_writebacks": "dirty D-lines written back to memory (eviction or flush)",
    "D_invalidations": "D-lines invalidated by a flush",
    "stale_fetches": "fetches that ran an older instruction than the newest one stored",
    "cacheflush_calls": "cacheflush(2) system calls",
}

_NAMECACHE_HITS = {"namecache.hit", "namecache.neghit"}
_NAMECACHE_MISSES = {"namecache.miss", "namecache.long", "namecache.badhit", "namecache.falsehit"}


def classify(event: Event) -> tuple[str, bool] | None:
    """(cache, hit?) for an event that is a lookup outcome of the name cache, the dcache or a CPU cache."""
    if event.kind in _NAMECACHE_HITS or event.kind in _NAMECACHE_MISSES:
        return "namecache", event.kind in _NAMECACHE_HITS
    if event.kind in ("cpu.hit", "cpu.miss"):
        return "cpu", event.kind == "cpu.hit"
    if event.kind == "proc.lookup" and event.func == "d_lookup":
        return "dcache", True
    if event.kind == "proc.dentry.new":
        return "dcache", False
    return None


def definition(name: str) -> str:
    """The definition of a counter, or an empty string for one this table does not know."""
    return DEFINITIONS.get(name, "")
