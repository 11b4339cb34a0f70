"""Dinero IV `din` traces into CPU-cache steps, so classic course traces play in the I- and D-cache tabs.

A din line is ``LABEL ADDRESS [anything]``: label 0 a data read, 1 a data write, 2 an instruction fetch,
3 an unknown access (skipped, counted), 4 a cache flush; the address is hex, with or without ``0x``.
Each reference becomes one access to one line — `load ADDR 1`, `store ADDR 1 0`, `exec ADDR` — so the
hit and miss counts are those of an LRU cache of the configured geometry (split I and D, as Dinero's
``-l1-isize``/``-l1-dsize``). `exec` needs a 4-aligned address: an unaligned fetch is aligned down,
which stays in the same line (lines are at least 4 bytes), so the counts do not change. A flush
(label 4) is `cacheflush 0 0 BCACHE` with `cacheflush_mode = "legacy"`, which writes back and
invalidates both whole caches, as Dinero's flush does. The pages the trace touches are mapped first,
each with the permissions its references need. Addresses at or above 0x80000000 are kernel addresses
in the model and cannot be mapped: those references are skipped and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from model.limits import PAGE_SIZE, USER_LIMIT
from model.ops import Op, make
from model.trace import TraceFormatError, printable
from model.trace.steps import UNCHECKED, StepSink

ABOUT = (
    "Each reference is one step: label 0 a load, 1 a store, 2 an instruction fetch (exec; an unaligned one is "
    "aligned down to 4 bytes, in the same line), 4 a flush of both whole caches. The pages the trace touches "
    "are mapped first with the permissions its references need."
)

READ, WRITE, FETCH, UNKNOWN, FLUSH = 0, 1, 2, 3, 4
PERM = {READ: "r", WRITE: "w", FETCH: "x"}
_LINE = re.compile(r"\s*([0-9])\s+(?:0[xX])?([0-9a-fA-F]{1,16})(?:\s|$)")


DinError = TraceFormatError
LINE_MAX = 4096
"""The longest din line worth reading: a label and an address (and maybe a comment), some twenty bytes. The
reader of the input enforces it."""


@dataclass(slots=True)
class DinReport:
    """What the trace held and what became steps."""

    lines: int = 0
    refs: Counter[int] = field(default_factory=Counter)
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)
    high: int = 0
    unaligned: int = 0
    truncated: int = 0
    stopped: bool = False
    maps: int = 0

    def summary(self) -> list[str]:
        names = {READ: "reads", WRITE: "writes", FETCH: "fetches", UNKNOWN: "unknown (label 3)", FLUSH: "flushes"}
        refs = ", ".join(f"{self.refs[k]} {names[k]}" for k in sorted(self.refs))
        lines = [f"{self.lines} lines: {refs or 'no references'}; {self.maps} mappings"]
        dropped = [
            f"{n} {what}"
            for n, what in (
                (self.bad, "lines that are not LABEL ADDRESS"),
                (self.high, "references at or above 0x80000000 (kernel addresses in the model)"),
                (
                    self.truncated,
                    "references beyond --limit" + (" (the rest of the stream was not read)" if self.stopped else ""),
                ),
            )
            if n
        ]
        if dropped:
            lines.append("skipped: " + "; ".join(dropped))
        if self.bad_examples:
            lines.append("not LABEL ADDRESS: " + "; ".join(self.bad_examples[:2]))
        if self.unaligned:
            lines.append(f"{self.unaligned} unaligned fetches aligned down to 4 bytes (same line)")
        return lines


def parse_line(line: str) -> tuple[int, int] | None:
    """(label, address) of a din line, or None when it is not one."""
    m = _LINE.match(line)
    if m is None or int(m[1]) > FLUSH:
        return None
    return int(m[1]), int(m[2], 16)


def references(
    lines: Iterable[str], report: DinReport, limit: int | None = None, *, stop_at_limit: bool = False
) -> Iterator[tuple[int, int]]:
    """The (label, address) pairs of a trace, counting what is skipped; DinError if it is not din at all.

    Past `limit` references the rest is counted, or with `stop_at_limit` (a stream, which may not end) not
    read at all."""
    taken = 0
    for line in lines:
        report.lines += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        ref = parse_line(line)
        if ref is None:
            report.bad += 1
            if len(report.bad_examples) < 3:
                report.bad_examples.append(f"line {report.lines}: {printable(line.strip()[:80])}")
            if report.bad >= 20 and not report.refs:
                raise DinError(
                    f"din line {report.lines}: not a din trace: no line reads LABEL ADDRESS (e.g. '0 7fff1a40')"
                )
            continue
        label, addr = ref
        report.refs[label] += 1
        if label == UNKNOWN:
            continue
        if label != FLUSH and addr >= USER_LIMIT:
            report.high += 1
            continue
        if limit is not None and taken >= limit:
            report.truncated += 1
            if stop_at_limit:
                report.stopped = True
                break
            continue
        taken += 1
        yield label, addr
    if not report.refs:
        raise DinError(f"not a din trace: no references in {report.lines} line(s)")


def page_perms(refs: Iterable[tuple[int, int]]) -> dict[int, set[str]]:
    """First pass: each page the trace touches and the permissions its references need."""
    pages: dict[int, set[str]] = {}
    for label, addr in refs:
        if label in PERM:
            pages.setdefault(addr // PAGE_SIZE, set()).add(PERM[label])
    return pages


def mappings(pages: dict[int, set[str]]) -> Iterator[tuple[int, int, str]]:
    """Runs of consecutive pages needing the same permissions: (start, length, perms)."""
    run_start: int | None = None
    run_perms = ""
    previous = -2
    for page in sorted(pages):
        perms = "".join(p for p in "rwx" if p in pages[page])
        if run_start is not None and (page != previous + 1 or perms != run_perms):
            yield run_start * PAGE_SIZE, (previous + 1 - run_start) * PAGE_SIZE, run_perms
            run_start = None
        if run_start is None:
            run_start, run_perms = page, perms
        previous = page
    if run_start is not None:
        yield run_start * PAGE_SIZE, (previous + 1 - run_start) * PAGE_SIZE, run_perms


def map_steps(pages: dict[int, set[str]], report: DinReport) -> Iterator[tuple[Op, str]]:
    """`map` steps for the touched pages."""
    for start, length, perms in mappings(pages):
        report.maps += 1
        yield (
            make("map", addr=start, len=length, perms=perms),
            "pages the trace touches (r: reads, w: writes, x: fetches)",
        )


def access_steps(refs: Iterable[tuple[int, int]], report: DinReport) -> Iterator[tuple[Op, str]]:
    """Second pass: one step per reference."""
    for label, addr in refs:
        if label == READ:
            yield make("load", addr=addr, nbytes=1), ""
        elif label == WRITE:
            yield make("store", addr=addr, nbytes=1, value=0), ""
        elif label == FETCH:
            aligned = addr & ~3
            if aligned != addr:
                report.unaligned += 1
                yield make("exec", addr=aligned), f"fetch at {addr:#x}, aligned down to {aligned:#x} (same line)"
            else:
                yield make("exec", addr=addr), ""
        else:
            yield make("cacheflush", addr=0, arg2=0, arg3="BCACHE"), "Dinero flush (label 4): both caches, whole"


def config(icache: dict[str, int] | None, dcache: dict[str, int] | None, flushes: bool) -> dict[str, object]:
    """Cache geometries, and the legacy cacheflush that flushes whole caches when the trace flushes."""
    out: dict[str, object] = {}
    if icache:
        out["icache"] = icache
    if dcache:
        out["dcache"] = dcache
    if flushes:
        out["cacheflush_mode"] = "legacy"
    return out


def import_din(
    lines: Iterable[str], sink: StepSink, *, scratch: StepSink, limit: int | None, stop_at_limit: bool = False
) -> DinReport:
    """Read din lines once, putting the trace's `map` steps then its access steps on `sink`; returns the report.

    The accesses wait on `scratch` (an empty sink) while the pages are gathered, since the maps come first.
    With `stop_at_limit` (for a stream, which may not end) nothing past `limit` references is read.
    """
    report = DinReport()
    pages: dict[int, set[str]] = {}

    def noting_pages(refs: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        for label, addr in refs:
            if label in PERM:
                pages.setdefault(addr // PAGE_SIZE, set()).add(PERM[label])
            yield label, addr

    refs = noting_pages(references(lines, report, limit, stop_at_limit=stop_at_limit))
    for op, say in access_steps(refs, report):
        scratch.add(op, say, UNCHECKED)
    for op, say in map_steps(pages, report):
        sink.add(op, say, UNCHECKED)
    sink.extend(scratch)
    return report
