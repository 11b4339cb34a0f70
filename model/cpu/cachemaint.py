"""Cache maintenance: the kernel functions that write back and invalidate the lines a range touches, and
__builtin___clear_cache (§5.1-§5.3).

The mechanism under cacheflush(2): `model.cpu.cacheflush` decides what to do and names the functions
that do it in a `Plan`; each function here acts on its lines, one event per line, named after itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from model.cpu.cache import Cache
from model.cpu.cpu import CpuCaches, line_refs
from model.events import Event

LINE_EVENTS_SHOWN = 24
"""Past this many line events in one call, the rest are summed up in one event (a legacy flush of a big cache)."""

LineWork = Callable[[CpuCaches, "Plan"], list[Event]]
"""A kernel function acting on the lines of a plan's range (or of the whole cache)."""


@dataclass(slots=True)
class Plan:
    """What the kernel does once the call is accepted: the functions `work`, in order, over the lines of
    [start, end) (or every line when `whole`); `dcache` and `icache` say which caches a function that
    serves both acts on (the 68040's, the legacy flush)."""

    start: int = 0
    end: int = 0
    whole: bool = False
    icache: bool = False
    dcache: bool = False
    acts_as: str = ""
    work: tuple[LineWork, ...] = ()


def refs_of(events: list[Event]) -> tuple[str, ...]:
    """Every ref of `events`, once each, in order."""
    return tuple(dict.fromkeys(r for e in events for r in e.refs))


def apply(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """Carry out a plan: each of its functions in turn, the line events capped for a huge flush."""
    events: list[Event] = []
    for work in plan.work:
        events += work(cpu, plan)
    return _cap(events)


# -- the kernel functions of each ABI -----------------------------------------------------------------------


def protected_blast_dcache_range(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """MIPS: write back and invalidate every D-line of the range (cache instructions, faults caught)."""
    return _d_lines(cpu, plan, "protected_blast_dcache_range", writeback=True, invalidate=True)


def protected_blast_icache_range(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """MIPS: invalidate every I-line of the range."""
    return _i_lines(cpu, plan, "protected_blast_icache_range")


def cache_flush_040(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """m68k, the 68040: cpushl pushes (writes back) and invalidates the data lines, cinvl invalidates the
    instruction lines, of the caches the call's cache bits name."""
    events = _d_lines(cpu, plan, "cache_flush_040", writeback=True, invalidate=True) if plan.dcache else []
    return events + (_i_lines(cpu, plan, "cache_flush_040") if plan.icache else [])


def __flush_invalidate_region(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """SH, CACHEFLUSH_D_INVAL: invalidate the D-lines of the range without writing them back."""
    return _d_lines(cpu, plan, "__flush_invalidate_region", writeback=False, invalidate=True)


def __flush_wback_region(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """SH, CACHEFLUSH_D_WB: write the dirty D-lines of the range back; they stay valid, clean."""
    return _d_lines(cpu, plan, "__flush_wback_region", writeback=True, invalidate=False)


def __flush_purge_region(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """SH, CACHEFLUSH_D_PURGE: write back, then invalidate, the D-lines of the range."""
    return _d_lines(cpu, plan, "__flush_purge_region", writeback=True, invalidate=True)


def flush_icache_range(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """SH, CACHEFLUSH_I: invalidate the I-lines of the range."""
    return _i_lines(cpu, plan, "flush_icache_range")


def cpu_dcache_wbinval_range(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """NDS32: write back and invalidate the D-lines of the range."""
    return _d_lines(cpu, plan, "cpu_dcache_wbinval_range", writeback=True, invalidate=True)


def cpu_dcache_wbinval_all(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """NDS32, more than 8 pages: write back and invalidate the whole D-cache."""
    return _d_lines(cpu, plan, "cpu_dcache_wbinval_all", writeback=True, invalidate=True)


def cpu_icache_inval_range(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """NDS32: invalidate the I-lines of the range."""
    return _i_lines(cpu, plan, "cpu_icache_inval_range")


def cpu_icache_inval_all(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """NDS32, more than 8 pages: invalidate the whole I-cache."""
    return _i_lines(cpu, plan, "cpu_icache_inval_all")


def flush_cache_all(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """Linux before 2.6.11: write back and invalidate the whole D-cache, then invalidate the whole I-cache."""
    events = _d_lines(cpu, plan, "flush_cache_all", writeback=True, invalidate=True) if plan.dcache else []
    return events + (_i_lines(cpu, plan, "flush_cache_all") if plan.icache else [])


def _d_lines(cpu: CpuCaches, plan: Plan, func: str, *, writeback: bool, invalidate: bool) -> list[Event]:
    """Each valid D-line of the plan: written back if dirty, then invalidated, as asked; events name `func`."""
    events: list[Event] = []
    for index, way in _lines(cpu.dcache, plan):
        if writeback:
            events += write_back_line(cpu, index, way, func)
        if invalidate:
            events.append(invalidate_line(cpu, cpu.dcache, index, way, func))
    return events


def _i_lines(cpu: CpuCaches, plan: Plan, func: str) -> list[Event]:
    """Each valid I-line of the plan, invalidated; events name `func`."""
    return [invalidate_line(cpu, cpu.icache, index, way, func) for index, way in _lines(cpu.icache, plan)]


def _lines(cache: Cache, plan: Plan) -> list[tuple[int, int]]:
    return cache.valid_lines() if plan.whole else cache.lines_in(plan.start, plan.end)


# -- one line ----------------------------------------------------------------------------------------------


def write_back_line(cpu: CpuCaches, index: int, way: int, func: str) -> list[Event]:
    """Write a dirty D-line back to memory (it stays valid, now clean); nothing for a clean line."""
    dcache = cpu.dcache
    if not dcache.is_dirty(index, way):
        return []
    base = dcache.way_addr(index, way)
    cpu.memory.write(base, dcache.line_bytes(index, way))
    dcache.clean(index, way)
    refs = line_refs(dcache, index, way)
    return [
        Event(
            "cpu.writeback",
            f"{refs[0]} written back: memory {base:#x}..{base + dcache.line - 1:#x} now holds its bytes",
            (*refs, f"mem {base:#x}"),
            func=func,
            data={"cache": "D", "set": index, "way": way, "addr": base},
            changed=refs[:1],
        )
    ]


def invalidate_line(cpu: CpuCaches, cache: Cache, index: int, way: int, func: str) -> Event:
    """Invalidate one valid line; a dirty D-line's bytes are lost (SH's D_INVAL)."""
    base = cache.way_addr(index, way)
    lost = cache.is_dirty(index, way)
    tag = cache.slots[index][way]
    cache.invalidate(index, way)
    refs = line_refs(cache, index, way)
    text = f"{refs[0]} invalidated ({base:#x})" + (": dirty bytes discarded, never written back" if lost else "")
    return Event(
        "cpu.invalidate",
        text,
        refs,
        func=func,
        data={"cache": cache.name, "set": index, "way": way, "addr": base, "tag": tag, "discarded": lost},
        removed=refs[:1],
    )


def _cap(events: list[Event]) -> list[Event]:
    if len(events) <= LINE_EVENTS_SHOWN:
        return events
    rest = events[LINE_EVENTS_SHOWN:]
    summary = Event(
        "cpu.flush_more",
        f"... and {len(rest)} more line events",
        tuple(r for e in rest for r in e.refs),
        data={"count": len(rest)},
        changed=tuple(r for e in rest for r in e.changed),
        removed=tuple(r for e in rest for r in e.removed),
    )
    return [*events[:LINE_EVENTS_SHOWN], summary]


def __builtin___clear_cache(cpu: CpuCaches, begin: int, end: int) -> list[Event]:
    """__builtin___clear_cache(begin, end): make instruction fetches of [begin, end) see the stored bytes."""
    func = "__builtin___clear_cache"
    events: list[Event] = []
    for index, way in cpu.dcache.lines_in(begin, end):
        events += write_back_line(cpu, index, way, func)
    for index, way in cpu.icache.lines_in(begin, end):
        events.append(invalidate_line(cpu, cpu.icache, index, way, func))
    events = _cap(events)
    events.append(
        Event(
            "cpu.clear_cache",
            f"__builtin___clear_cache({begin:#x}, {end:#x}): {len(events)} line(s) acted on",
            refs_of(events),
            explain="The portable way (what GCC recommends): the compiler emits the target's own sequence "
            "(synci on MIPS32r2, the cacheflush syscall elsewhere); either way dirty D-lines of the range are "
            "written back and its I-lines invalidated, whatever the kernel's cacheflush ABI.",
            func=func,
            data={"begin": begin, "end": end},
        )
    )
    return events
