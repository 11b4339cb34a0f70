"""Figure 1: a seeded path trace through the name cache model against a bare OrderedDict LRU.

Each trace item is one component lookup (directory vnode, name) of a path walked from the root. The
model side does what namei's `lookup_once` does with the cache: `cache_lookup`, and `cache_enter`
(positive, or negative for a name that does not exist) on a miss, with real `Vnode` objects and every
event made (the frequent ones format their text when read: `model.vfs.namecache_events`). The baseline
does the same lookups on an `OrderedDict` keyed like the model's index, with the same capacity and the same rule
for names longer than NCHNAMLEN, so both must count the same hits.
"""

from __future__ import annotations

import random
import sys
from collections import OrderedDict

from _common import Result, check, interleaved, median_of, print_table, rate, spread

from model.vfs.namecache import NameCache
from model.vfs.nchash import MISS, NCHNAMLEN
from model.vfs.vnode import VDIR, VREG, Vnode

CAPACITY = 8192
NCHASH = 8192
NCVHASH = 2048
TOP, MIDDLE, FILES = 24, 32, 40
"""The tree: 24 top directories of 32 directories of 40 files (31,512 names for 8,192 entries)."""
TARGET = "<= 3"

TraceItem = tuple[Vnode, str, Vnode | None]


def make_tree() -> tuple[Vnode, list[list[TraceItem]]]:
    """The root vnode and, per file, the components of its path as (directory, name, vnode)."""
    counter = iter(range(1, 1 << 30))

    def vnode(vtype: str) -> Vnode:
        vp = Vnode(next(counter))
        vp.type = vtype
        return vp

    root = vnode(VDIR)
    paths: list[list[TraceItem]] = []
    for t in range(TOP):
        top = vnode(VDIR)
        for m in range(MIDDLE):
            middle = vnode(VDIR)
            for f in range(FILES):
                long = f == 0 and (t * MIDDLE + m) % 16 == 0  # one file in 640: ncs_long
                name = f"a-generated-name-longer-than-nchnamlen-{t}-{m}" if long else f"file-{t}-{m}-{f}.c"
                paths.append([(root, f"dir{t}", top), (top, f"sub{m}", middle), (middle, name, vnode(VREG))])
    return root, paths


def make_trace(count: int, seed: int = 9) -> list[TraceItem]:
    """At least `count` component lookups: paths picked with a skew (r**4) over the files, walked from the
    root; one path in ten asks for a name that does not exist (a negative entry)."""
    rng = random.Random(seed)
    _, paths = make_tree()
    rng.shuffle(paths)  # popularity does not follow the tree's order
    trace: list[TraceItem] = []
    while len(trace) < count:
        path = paths[int(len(paths) * rng.random() ** 4)]
        if rng.random() < 0.1:
            dvp, name, _ = path[-1]
            path = [*path[:-1], (dvp, f"{name}.orig", None)]
        trace.extend(path)
    return trace[:count]


def replay_model(trace: list[TraceItem]) -> NameCache:
    """The trace through NameCache, as namei's component step calls it."""
    cache = NameCache(NCHASH, NCVHASH, CAPACITY)
    lookup, enter = cache.cache_lookup, cache.cache_enter
    for dvp, name, vp in trace:
        ret, _entry, events = lookup(dvp, name)
        if ret == MISS:
            events += enter(dvp, vp, name)
    return cache


def replay_baseline(trace: list[TraceItem]) -> tuple[int, int]:
    """The same lookups on a bare OrderedDict LRU; returns (hits, enters)."""
    lru: OrderedDict[tuple[int, str], Vnode | None] = OrderedDict()
    missing = object()
    hits = enters = 0
    for dvp, name, vp in trace:
        key = (dvp.num, name)
        if lru.get(key, missing) is missing:
            if len(name) > NCHNAMLEN:
                continue
            if len(lru) >= CAPACITY:
                lru.popitem(last=False)
            lru[key] = vp
            enters += 1
        else:
            lru.move_to_end(key)
            hits += 1
    return hits, enters


def run(quick: bool = False) -> list[Result]:
    count = 200_000 if quick else 1_000_000
    runs = 3 if quick else 5
    trace = make_trace(count)
    cache = replay_model(trace)
    hits, enters = replay_baseline(trace)
    model_hits = cache.stats["ncs_goodhits"] + cache.stats["ncs_neghits"]
    if model_hits != hits:
        raise AssertionError(f"model hits {model_hits} != baseline hits {hits}")
    ops = count + enters
    model_times, base_times = interleaved(lambda: replay_model(trace), lambda: replay_baseline(trace), runs)
    model, base = median_of(model_times), median_of(base_times)
    ratio = model / base
    return [
        Result(
            f"1. namecache replay: {count:,} lookups + {enters:,} enters ({100 * hits / count:.0f}% hits)",
            f"{rate(ops, model)} ({model:.2f} s)",
            f"OrderedDict LRU {rate(ops, base)} ({base:.2f} s)",
            ratio,
            TARGET,
            check(ratio, TARGET),
            f"time ratio model/baseline; model {spread(model_times)}, baseline {spread(base_times)}",
        )
    ]


if __name__ == "__main__":
    print_table(run("--quick" in sys.argv))
