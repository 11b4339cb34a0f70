"""The CPU mechanism: user memory, the I-cache and the D-cache, and cacheflush(2) in four ABIs and three
kernel modes, with __builtin___clear_cache. Section numbers (§5.4) are those of docs/kernel-rules.md.

Importing the package registers its one spec and its verbs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model.cpu import verbs  # noqa: F401  (imported for its verbs)
from model.cpu.cpu import ABIS, DEFAULT_GEOMETRY, MODES, CpuCaches, line_refs
from model.cpu.quiz import DRILL, SUMMARY
from model.cpu.sources import SOURCES
from model.events import Event
from model.limits import PAGE_SIZE
from model.parts import ConfigKey, HitRate, IdSpace, Mechanism, boolean, one_of, positive_int, power_of_two, register

MAX_CACHE_BYTES = 16 << 20
MAX_CACHE_LINES = 1 << 14
"""A cache is built whole when the machine starts: 16,384 lines is a large L2, and stays fast."""

COUNTERS = {
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
"""One-line definitions of the counters `CpuCaches.stats` gives."""


def geometry(value: Any) -> dict[str, int]:
    """Validator: a cache geometry table { sets, ways, line }, missing keys taken from the default."""
    if not isinstance(value, Mapping):
        raise ValueError("expected a table like { sets = 8, ways = 2, line = 16 }")
    unknown = sorted(set(value) - set(DEFAULT_GEOMETRY))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (a cache has sets, ways and line)")
    merged = {**DEFAULT_GEOMETRY, **value}
    sets, ways, line = power_of_two(merged["sets"]), positive_int(merged["ways"]), power_of_two(merged["line"])
    if ways > 64:
        raise ValueError(f"ways is {ways}; at most 64")
    if not 4 <= line <= PAGE_SIZE:
        raise ValueError(f"line is {line}; a line is 4 to {PAGE_SIZE} bytes")
    if sets * ways > MAX_CACHE_LINES:
        raise ValueError(f"{sets} sets x {ways} ways is more than {MAX_CACHE_LINES} lines")
    if sets * ways * line > MAX_CACHE_BYTES:
        raise ValueError(f"{sets} x {ways} x {line} bytes is more than {MAX_CACHE_BYTES >> 20} MiB")
    return {"sets": sets, "ways": ways, "line": line}


def cpu_outcome(event: Event) -> bool | None:
    """An access's outcome in the I- or D-cache: True for a hit, False for a miss, None for other events."""
    if event.kind == "cpu.hit":
        return True
    return False if event.kind == "cpu.miss" else None


def _factory(config: Mapping[str, Any]) -> CpuCaches:
    return CpuCaches(
        config["icache"],
        config["dcache"],
        mode=config["cacheflush_mode"],
        abi=config["cacheflush_abi"],
        cap_sys_admin=config["cacheflush_cap_sys_admin"],
    )


def _lines(name: str) -> Any:
    def live(cpu: CpuCaches) -> Iterable[str]:
        cache = cpu.cache(name)
        return (line_refs(cache, index, way)[0] for index, way in cache.valid_lines())

    return live


def _mappings(cpu: CpuCaches) -> Iterable[str]:
    return (f"vma {start:#x}" for start, _, _ in cpu.memory.maps)


_KINDS = (
    "map store load exec hit miss fill evict writeback invalidate stale_fetch fault cacheflush clear_cache abi "
    "flush_more"
)
KINDS = tuple(f"cpu.{name}" for name in _KINDS.split())
"""Every kind of event the CPU caches give (a test runs the scenarios and checks that each kind they emit is here)."""

MECHANISM = register(
    Mechanism(
        "cpu",
        _factory,
        order=40,
        config=(
            ConfigKey("icache", dict(DEFAULT_GEOMETRY), geometry, "instruction cache geometry { sets, ways, line }"),
            ConfigKey("dcache", dict(DEFAULT_GEOMETRY), geometry, "data cache geometry { sets, ways, line }"),
            ConfigKey("cacheflush_mode", "linux", one_of(*MODES), "cacheflush kernel behaviour: spec, linux, legacy"),
            ConfigKey("cacheflush_abi", "mips", one_of(*ABIS), "cacheflush argument order: mips, m68k, sh, nds32"),
            ConfigKey(
                "cacheflush_cap_sys_admin", False, boolean, "the process has CAP_SYS_ADMIN (m68k FLUSH_SCOPE_ALL)"
            ),
        ),
        ids=(
            IdSpace("I set ", "an I-cache line", _lines("I"), example="I set 3 way 0"),
            IdSpace("D set ", "a D-cache line", _lines("D"), example="D set 5 way 1"),
            IdSpace("vma ", "a mapping", _mappings, example="vma 0x400000"),
        ),
        drills=(DRILL,),
        summary=SUMMARY,
        counters=COUNTERS,
        hit_rates=(HitRate("cpu", cpu_outcome),),
        panels=("viz.panels:CpuCachePanel",),
        sources=SOURCES,
        views={"cpu": ("cpu.*",)},
        kinds=KINDS,
        ref_prefixes=("mem ",),
    )
)
