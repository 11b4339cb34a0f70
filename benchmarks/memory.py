"""Figure 6: bytes per name-cache entry and per cached page at 1,000,000 of each (tracemalloc).

The vnodes and names the entries point to, and the file, are made before measuring: the figure is what
`cache_enter` and `PageCache.read` allocate themselves (the entry, the LRU list, the hash chains, the
index, and the growth of the vnodes' name lists; the Page, its dict slot and its index). Events are
dropped as they come, as a bulk replay with nobody reading them would.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable

from _common import Result, print_table

from model.vfs.namecache import NameCache
from model.vfs.pagecache import PageCache
from model.vfs.vnode import VDIR, Vnode

LIMIT = 300
DIRECTORIES = 1000


def measured(build: Callable[[], object], count: int) -> tuple[float, list[str]]:
    """Bytes per object that `build()` leaves allocated, and the three biggest allocation sites."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    top = tracemalloc.take_snapshot().statistics("lineno")[:3]
    tracemalloc.stop()
    del kept
    sites = [f"{s.traceback[0].filename.rsplit('/', 1)[-1]}:{s.traceback[0].lineno} {s.size / count:.0f}" for s in top]
    return (after - before) / count, sites


def namecache_entries(count: int) -> tuple[float, list[str]]:
    dirs = [Vnode(n) for n in range(1, DIRECTORIES + 1)]
    for vp in dirs:
        vp.type = VDIR
    files = [Vnode(DIRECTORIES + 1 + n) for n in range(count)]
    names = [f"file{n}.c" for n in range(count)]
    nchash = 1 << (count - 1).bit_length()

    def build() -> NameCache:
        cache = NameCache(nchash, nchash // 4, count)
        enter = cache.cache_enter
        for n in range(count):
            enter(dirs[n % DIRECTORIES], files[n], names[n])
        return cache

    return measured(build, count)


def pages(count: int) -> tuple[float, list[str]]:
    cache = PageCache(4096)
    file = ("mnt1", 3)
    cache.server_file(file).size = count * 4096

    def build() -> PageCache:
        cache.vop_read("vp5", file, 0, count * 4096)
        return cache

    return measured(build, count)


def run(quick: bool = False) -> list[Result]:
    count = 200_000 if quick else 1_000_000
    results = []
    for label, fn in (("name-cache entry", namecache_entries), ("cached page", pages)):
        per, sites = fn(count)
        results.append(
            Result(
                f"6. memory: bytes per {label} at {count:,}",
                f"{per:.0f} B",
                "",
                per / LIMIT,
                "<= 1",
                per <= LIMIT,
                f"ratio = bytes / {LIMIT} B; biggest sites (B each): {'; '.join(sites)}",
            )
        )
    return results


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
