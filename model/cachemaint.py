"""Cache maintenance: write back and invalidate the lines a range touches, and __builtin___clear_cache.

The mechanism under cacheflush(2) (`model.cacheflush` decides what to do; this module does it): one event
per line acted on, each naming the kernel function that does the work.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.cpu import CpuCaches, line_refs
from model.cpucache import Cache
from model.events import Event

LINE_EVENTS_SHOWN = 24
"""Past this many line events in one call, the rest are summed up in one event (a legacy flush of a big cache)."""


@dataclass(slots=True)
class Plan:
    """What the kernel does once the call is accepted: lines of [start, end) (or all) to act on."""

    start: int = 0
    end: int = 0
    whole: bool = False
    icache: bool = False
    d_writeback: bool = False
    d_invalidate: bool = False
    acts_as: str = ""
    funcs: tuple[str, str] = ("", "")  # kernel functions for the D and I work


def refs_of(events: list[Event]) -> tuple[str, ...]:
    """Every ref of `events`, once each, in order."""
    return tuple(dict.fromkeys(r for e in events for r in e.refs))


def apply(cpu: CpuCaches, plan: Plan) -> list[Event]:
    """Carry out a plan: D-lines written back and/or invalidated, I-lines invalidated; one event per line."""
    events: list[Event] = []
    d_func, i_func = plan.funcs
    if plan.d_writeback or plan.d_invalidate:
        for index, way in _lines(cpu.dcache, plan):
            if plan.d_writeback:
                events += writeback(cpu, index, way, d_func)
            if plan.d_invalidate:
                events.append(invalidate(cpu, cpu.dcache, index, way, d_func))
    if plan.icache:
        for index, way in _lines(cpu.icache, plan):
            events.append(invalidate(cpu, cpu.icache, index, way, i_func))
    return _cap(events)


def _lines(cache: Cache, plan: Plan) -> list[tuple[int, int]]:
    return cache.valid_lines() if plan.whole else cache.lines_in(plan.start, plan.end)


def writeback(cpu: CpuCaches, index: int, way: int, func: str) -> list[Event]:
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
        )
    ]


def invalidate(cpu: CpuCaches, cache: Cache, index: int, way: int, func: str) -> Event:
    """Invalidate one valid line; a dirty D-line's bytes are lost (SH's D_INVAL)."""
    base = cache.way_addr(index, way)
    lost = cache.is_dirty(index, way)
    cache.invalidate(index, way)
    refs = line_refs(cache, index, way)
    text = f"{refs[0]} invalidated ({base:#x})" + (": dirty bytes discarded, never written back" if lost else "")
    return Event(
        "cpu.invalidate",
        text,
        refs,
        func=func,
        data={"cache": cache.name, "set": index, "way": way, "addr": base, "discarded": lost},
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
    )
    return [*events[:LINE_EVENTS_SHOWN], summary]


def clear_cache(cpu: CpuCaches, begin: int, end: int) -> list[Event]:
    """__builtin___clear_cache(begin, end): make instruction fetches of [begin, end) see the stored bytes."""
    func = "__builtin___clear_cache"
    events: list[Event] = []
    for index, way in cpu.dcache.lines_in(begin, end):
        events += writeback(cpu, index, way, func)
    for index, way in cpu.icache.lines_in(begin, end):
        events.append(invalidate(cpu, cpu.icache, index, way, func))
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
